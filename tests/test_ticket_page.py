"""The ticket page that answers a phone's submission, made from a copy kept per fair, category and
minute (kiosk.intake.ticket_page): each company sees exactly its own page, as if rendered whole."""
import pytest
from flask import request

import kiosk.intake.service
import kiosk.intake.views
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth
from tests.factories import CODE_B
from tests.helpers import form_data
from tests.test_phone import WECHAT

#: what companies type, hostile strings included (markup, quotes, what looks like a stand-in)
COMPANIES = [
    {"company_name": "泰安新材料科技有限公司", "need": "新建厂房需用地30亩。", "project_name": ""},
    {"company_name": "<b>A&B</b> \"公司\"", "need": "需求<script>alert(1)</script>\n第二行 & 'x'",
     "project_name": "二期<i>厂房</i>", "credit_code": CODE_B},
    {"company_name": "ZabcQ1Z 公司", "need": "Z0Q3Z {{ item.token }} %(code)s", "contact_name": "李&四",
     "mobile": "13800000000"},
    {"company_name": "泰安第四家公司", "need": "用电指标。", "project_name": "三期", "category": "energy"},
]


@pytest.fixture
def one_minute(monkeypatch):
    """Every filing in this test is in the same minute (the copy is kept per minute)."""
    now = utcnow()
    monkeypatch.setattr(kiosk.intake.service, "utcnow", lambda: now)


@pytest.fixture
def renders(monkeypatch):
    """How many ticket pages were rendered whole."""
    whole = kiosk.intake.views._track_page
    count = []

    def counted(*args, **kwargs):
        if request.method == "POST":  # (not the page opened afresh by its link)
            count.append(1)
        return whole(*args, **kwargs)

    monkeypatch.setattr(kiosk.intake.views, "_track_page", counted)
    return count


def submit(app, fair, headers=(), url="/b/B07", **typed):
    """A new phone files a request; its answer and the same page opened afresh by its link."""
    phone = app.test_client()
    headers = dict(headers)
    data = form_data(phone, url, **typed)
    answer = phone.post(f"/f/{fair.id}", data=data, headers={"HX-Request": "true", **headers})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    fresh = phone.get(answer.headers["HX-Push-Url"], headers=headers)
    return answer.get_data(as_text=True), fresh.get_data(as_text=True)


def test_companies_at_one_booth_each_get_their_own_page_from_one_kept_copy(app, fair, one_minute, renders):
    pages = [submit(app, fair, **company) for company in COMPANIES]
    for answer, fresh in pages:
        assert answer == fresh
    assert "&lt;b&gt;A&amp;B&lt;/b&gt; &#34;公司&#34;" in pages[1][0]
    assert "需求&lt;script&gt;alert(1)&lt;/script&gt;\n第二行 &amp; &#39;x&#39;" in pages[1][0]
    assert "Z0Q3Z {{ item.token }} %(code)s" in pages[2][0]
    assert [page.count(f"B07-00{n}") for n, (page, _) in enumerate(pages, 1)] == [2, 2, 2, 2]  # (title and ticket)
    # One copy for the booth's minute without a project name, one with, one for another category.
    assert len(renders) == 3


def test_a_copy_is_kept_per_language_and_wechat_and_serves_every_booth(app, fair, one_minute, renders):
    variants = [{}, {"Accept-Language": "en"}, {"User-Agent": WECHAT}]
    pages = [submit(app, fair, headers=variant) for variant in variants]
    for answer, fresh in pages:
        assert answer == fresh
    assert "Your ticket number" in pages[1][0] and "收藏" in pages[2][0]
    assert len(renders) == 3
    other_booth = submit(app, fair, url="/b/B02")  # from the first phone's copy
    assert other_booth[0] == other_booth[1] and "B02-001" in other_booth[0] and "B07" not in other_booth[0]
    assert len(renders) == 3


def test_a_booth_renamed_within_the_minute_shows_its_new_name(app, fair, one_minute):
    submit(app, fair)
    b07 = db.session.scalar(db.select(Booth).where(Booth.fair_id == fair.id, Booth.code == "B07"))
    b07.department.name = "泰安市新名称局"
    db.session.commit()
    answer, fresh = submit(app, fair)
    assert answer == fresh and "泰安市新名称局" in answer


def test_a_phone_with_other_tickets_gets_them_listed(app, fair, one_minute):
    phone = app.test_client()
    first = phone.post(f"/f/{fair.id}", data=form_data(phone, "/b/B07"), headers={"HX-Request": "true"})
    second = phone.post(f"/f/{fair.id}", data=form_data(phone, "/b/B07", need="第二项需求"),
                        headers={"HX-Request": "true"})
    page = second.get_data(as_text=True)
    assert "您提交的其他需求" in page and "B07-001" in page and "B07-002" in page
    assert first.headers["HX-Push-Url"] != second.headers["HX-Push-Url"]
    assert page == phone.get(second.headers["HX-Push-Url"]).get_data(as_text=True)



def test_a_phones_submission_opens_no_orm_session(app, fair):
    """The filing runs on the driver and the page comes from the kept copy: nothing is left for the
    ORM to do, whose session would cost a checkout and a commit in every submission of a burst."""
    opened = []

    @app.after_request
    def look(response):  # (runs before the commit at the request's end, which was registered first)
        if request.method == "POST":
            opened.append(db.session.registry.has())
        return response

    first, second = submit(app, fair), submit(app, fair)
    assert first[0] == first[1] and second[0] == second[1]
    assert opened == [False, False]


def test_a_kiosk_served_under_a_path_keeps_it_in_every_link_of_the_kept_page(app, fair, one_minute, renders):
    submit(app, fair)  # a copy for the kiosk served at /
    phone, mounted = app.test_client(), "http://localhost/kiosk/"
    answer = phone.post(f"/f/{fair.id}", data=form_data(phone, "/b/B07"), headers={"HX-Request": "true"},
                        base_url=mounted)
    assert answer.headers["HX-Push-Url"].startswith("/kiosk/t/")
    fresh = phone.get(answer.headers["HX-Push-Url"].removeprefix("/kiosk"), base_url=mounted)
    page = answer.get_data(as_text=True)
    assert page == fresh.get_data(as_text=True)
    assert 'href="/kiosk/f/' in page and 'href="/f/' not in page and 'hx-get="/kiosk/t/' in page
    assert len(renders) == 2
    # The phone now remembers the company: "不是本企业？清空" comes back to the form under the path.
    again = phone.get("/b/B07", base_url=mounted).get_data(as_text=True)
    assert '<input type="hidden" name="back" value="/kiosk/b/B07">' in again
