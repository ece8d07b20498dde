"""The two data migrations of issue 13: requests get the company name the history holds (the
record's), and stored text loses its control characters."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from kiosk import create_app
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.service_requests.models import Category, ServiceRequest
from tests.factories import CODE_A


def test_requests_filed_before_get_their_companys_name_and_stored_text_is_cleaned(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(revision="0014")  # the last revision before these two
        # Written as the schema of 0014 has them, through its own tables read from the database: the
        # models know columns later migrations add (a department account, a ledger's version).
        old = sa.MetaData()
        old.reflect(db.engine)
        insert = lambda table, **values: db.session.execute(  # noqa: E731
            sa.insert(old.tables[table]).values(**values).returning(old.tables[table].c.id)).scalar_one()
        fair_id = insert("fair", name="测试要素保障大集", date=date(2026, 6, 13), venue="", status="open",
                         created_at=datetime(2026, 6, 1), setup_version=0, screen_token="s" * 43)
        zone_id = insert("zone", fair_id=fair_id, name="要素保障部门专区", position=1)
        department_id = insert("department", name="自然资源和规划局", kind="department")
        booth_id = insert("booth", fair_id=fair_id, zone_id=zone_id, department_id=department_id, code="B01",
                          last_seq=1, queue_version=0, hidden=False)
        # As the old filing path wrote them, past the ORM.
        company_id = insert("company", credit_code=CODE_A, name="甲\x1b公司", created_at=datetime(2026, 6, 13))
        db.session.execute(sa.insert(ServiceRequest.__table__).values(
            fair_id=fair_id, booth_id=booth_id, company_id=company_id, ticket_no="B01-001", token="t" * 24,
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
