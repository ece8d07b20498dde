"""A company's identity: each request keeps the name it was filed with, the company record keeps its
first name until an organiser chooses another, and names in doubt are shown to organisers."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from kiosk.auth.models import User
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.figures.tally import _planned_items
from kiosk.intake.service import Intake, submit_request
from kiosk.service_requests.models import Category, Channel, ServiceRequest, Status
from tests.factories import CODE_A, request_in
from tests.helpers import csrf_token, form_data, login

REAL, FAKE = "泰安新材料科技有限公司", "冒名顶替<b>骗子</b>公司"


@pytest.fixture
def boss(app, organiser):
    return login(app.test_client(), "organiser")


@pytest.fixture
def filed(fair):
    """Company 1's own requests: one waiting in B07's queue, one planned (on the tally's list)."""
    return (request_in(fair, Status.waiting, "B07", company_name=REAL, credit_code=CODE_A),
            request_in(fair, Status.planned, "B07", company_name=REAL, credit_code=CODE_A))


def a_stranger_files_under(client, fair, name=FAKE):
    response = client.post(f"/f/{fair.id}", data=form_data(client, "/b/B01", company_name=name, credit_code=CODE_A))
    assert response.status_code == 303


def the_record():
    db.session.expire_all()
    return db.session.scalar(sa.select(Company).filter_by(credit_code=CODE_A))


def test_a_stranger_using_a_companys_credit_code_renames_nothing_anyone_else_filed(app, client, fair, filed, boss):
    a_stranger_files_under(client, fair)
    assert the_record().name == REAL
    staff = login(app.test_client(), "b07")
    queue = staff.get(f"/staff/booths/{filed[0].booth_id}").get_data(as_text=True)
    assert REAL in queue and "骗子" not in queue
    for item in filed:
        page = client.get(f"/t/{item.token}").get_data(as_text=True)
        assert REAL in page and "骗子" not in page
        assert "骗子" not in staff.get(f"/staff/requests/{item.id}").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(boss.get(f"/organiser/fairs/{fair.id}/requests.xlsx").data)).active
    names = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert REAL in names[filed[0].ticket_no] and REAL in names[filed[1].ticket_no]
    assert REAL in boss.get(f"/organiser/fairs/{fair.id}/dashboard").get_data(as_text=True)
    with app.test_request_context():
        assert [i["company"] for i in _planned_items(fair)] == [REAL]


def test_the_strangers_own_request_keeps_the_name_it_gave(app, client, fair, filed):
    a_stranger_files_under(client, fair)
    db.session.expire_all()
    assert db.session.scalars(sa.select(ServiceRequest.company_name).order_by(ServiceRequest.id)).all() == [
        REAL, REAL, FAKE]


def test_a_walk_in_renames_nothing_either(app, fair, filed):
    staff = db.session.scalar(sa.select(User).filter_by(username="b07"))
    submit_request(Intake(booth_id=filed[0].booth_id, company_name="另一个名字", credit_code=CODE_A,
                          contact_name="李", mobile="13912345678", category=Category.land, need="用地"),
                   channel=Channel.walk_in, actor=staff)
    db.session.commit()
    assert the_record().name == REAL


def test_names_in_doubt_are_listed_for_organisers_who_choose_the_records_name(app, client, fair, filed, boss):
    assert CODE_A not in boss.get("/organiser/companies").get_data(as_text=True)
    a_stranger_files_under(client, fair, name="泰安新材料科技股份有限公司")
    page = boss.get("/organiser/companies").get_data(as_text=True)
    assert CODE_A in page and "泰安新材料科技股份有限公司（1）" in page and f"{REAL}（2）" in page
    company = the_record()
    done = boss.post("/organiser/companies", data={"csrf_token": csrf_token(boss, "/organiser/companies"),
                                                   "company": company.id, "name": "泰安新材料科技股份有限公司"})
    assert done.status_code == 302
    assert the_record().name == "泰安新材料科技股份有限公司"
    assert f'id="company-{company.id}"' not in boss.get("/organiser/companies").get_data(as_text=True)
    # The requests keep what they were filed with.
    assert client.get(f"/t/{filed[0].token}").get_data(as_text=True).count(REAL) >= 1


def test_choosing_an_empty_name_or_no_company_is_refused_with_a_message(app, fair, filed, boss):
    token = csrf_token(boss, "/organiser/companies")
    empty = boss.post("/organiser/companies", data={"csrf_token": token, "company": the_record().id, "name": "　"})
    assert empty.status_code == 422 and "请填写企业名称" in empty.get_data(as_text=True)
    nobody = boss.post("/organiser/companies", data={"csrf_token": token, "company": "x", "name": "甲"})
    assert nobody.status_code == 422 and the_record().name == REAL


def test_staff_cannot_choose_a_companys_name(app, fair, filed):
    staff = login(app.test_client(), "b07")
    assert staff.get("/organiser/companies").status_code == 403
