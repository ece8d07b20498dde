"""The two data migrations of issue 13: requests get the company name the history holds (the
record's), and stored text loses its control characters."""
import sqlalchemy as sa
from flask_migrate import upgrade

from kiosk import create_app
from kiosk.companies.models import Company
from kiosk.extensions import db
from kiosk.service_requests.models import Category, ServiceRequest
from tests.factories import CODE_A, make_fair


def test_requests_filed_before_get_their_companys_name_and_stored_text_is_cleaned(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(revision="0014")  # the last revision before these two
        fair = make_fair()
        # As the old filing path wrote them, past the ORM (the models already know the new column).
        company_id = db.session.execute(sa.insert(Company.__table__).values(
            credit_code=CODE_A, name="甲\x1b公司").returning(Company.__table__.c.id)).scalar_one()
        db.session.execute(sa.insert(ServiceRequest.__table__).values(
            fair_id=fair.id, booth_id=fair.booths[0].id, company_id=company_id, ticket_no="B01-001", token="t" * 24,
            category=Category.land, need="用地\x0b需求\r\n第二行", contact_name="Cafe\u0301",
            contact_mobile="13912345678"))
        db.session.commit()
        db.session.remove()
        upgrade()
        row = db.session.execute(sa.select(ServiceRequest.company_name, ServiceRequest.need,
                                           ServiceRequest.contact_name)).one()
        assert tuple(row) == ("甲公司", "用地需求\n第二行", "Café")
        assert db.session.scalar(sa.select(Company.name)) == "甲公司"
        db.session.remove()
        db.engine.dispose()
