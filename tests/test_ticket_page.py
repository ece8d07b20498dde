"""The ticket page that answers a phone's submission is rendered from that filing's own values,
every time (kiosk.intake.just_filed): companies filing at one booth in one minute each see their
own page, and nothing of another's."""
import re

import pytest
from markupsafe import escape

import kiosk.intake.service
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth
from tests.factories import CODE_A, CODE_B, booth
from tests.helpers import form_data, ticket_main
from tests.test_phone import WECHAT

#: companies at one booth, every field the form takes their own (hostile strings included: markup,
#: quotes, template syntax), most alike in all else (category, which fields are filled in), and one
#: more at another booth, all in one minute
COMPANIES = [
    {"company_name": "泰安新材料科技有限公司", "contact_name": "王经理", "mobile": "13912345678",
     "category": "land", "need": "新建厂房需用地30亩。", "project_name": "一期厂房"},
    {"company_name": "<b>A&B</b> \"公司\"", "credit_code": CODE_B, "contact_name": "李&四", "mobile": "13800004821",
     "category": "land", "need": "需求<script>alert(1)</script>\n第二行 & 'x'", "project_name": "二期<i>厂房</i>"},
    {"company_name": "泰安第三家公司", "contact_name": "赵{{ item.token }}", "mobile": "15066667395",
     "category": "land", "need": "仓储用地 %(code)s", "project_name": "物流园"},
    {"company_name": "泰安第四家公司", "credit_code": CODE_B, "contact_name": "孙女士", "mobile": "18653386043",
     "category": "funding", "amount_wan": "3172.5", "need": "流动资金贷款。", "project_name": "技改项目"},
    {"company_name": "泰安第五家公司", "contact_name": "吴会计", "mobile": "13505382916",
     "category": "funding", "amount_wan": "860", "need": "设备融资租赁。", "project_name": "新生产线"},
    {"company_name": "泰安第六家公司", "contact_name": "郑工", "mobile": "13705387264", "category": "energy",
     "need": "用电指标。", "project_name": ""},
    {"company_name": "东平另一摊位公司", "contact_name": "周先生", "mobile": "17705389157", "category": "staffing",
     "need": "招聘技术工人五十名。", "project_name": "", "at": "B01"},
]

#: the categories' labels as the page shows them (in Chinese)
LABELS = {"land": "土地", "funding": "资金/融资", "energy": "能耗/指标", "staffing": "用工/人才"}


@pytest.fixture
def one_minute(monkeypatch):
    """Every filing in the test at one moment: what a page kept per minute would have shared."""
    now = utcnow()
    monkeypatch.setattr(kiosk.intake.service, "utcnow", lambda: now)


_main = ticket_main


def _shown(value: str, page: str) -> bool:
    """Whether the page shows a value, as the template escapes it or as it was typed."""
    return str(escape(value)) in page or value in page


def _traces(company: dict, ticket: str, token: str) -> list[str]:
    """Everything of a company's filing that another's page must not show: what it typed, the
    mobile's last four digits (any masked form shows them), its ticket and its tracking token."""
    typed = [company[name] for name in ("company_name", "contact_name", "mobile", "need", "project_name")]
    amount = company.get("amount_wan", "")
    return [value for value in (*typed, amount, amount.split(".")[0], company["mobile"][-4:], ticket, token) if value]


def test_companies_filing_at_one_booth_in_one_minute_each_see_only_their_own_values(app, fair, one_minute):
    tickets = [*(f"B07-00{n}" for n in range(1, 7)), "B01-001"]
    answers = []  # (page, the page opened afresh by its link, everything of the filing's)
    for company, ticket in zip(COMPANIES, tickets, strict=True):
        phone = app.test_client()
        typed = {"credit_code": CODE_A, "amount_wan": "", **company}
        data = form_data(phone, f"/b/{typed.pop('at', 'B07')}", **typed)
        answer = phone.post(f"/f/{fair.id}", data=data, headers={"HX-Request": "true"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        link = answer.headers["HX-Push-Url"]
        answers.append((answer.get_data(as_text=True), phone.get(link).get_data(as_text=True),
                        _traces(company, ticket, link.removeprefix("/t/"))))

    for n, (company, ticket, (page, fresh, _)) in enumerate(zip(COMPANIES, tickets, answers, strict=True)):
        # Nothing of another company's...
        leaked = [value for other, (*_, values) in enumerate(answers) if other != n for value in values
                  if (re.search(rf"(?<!\d){re.escape(value)}(?!\d)", page) if value.isdigit() else _shown(value, page))]
        assert leaked == [], f"{company['company_name']}'s page shows another company's {leaked}"
        # ...but its own values, where the page shows them...
        code = company.get("at", "B07")
        facts = re.search(r'<dl class="facts">(.*?)</dl>', page, re.S).group(1)
        assert re.findall(r"<dd[^>]*>(.*?)</dd>", facts, re.S) == [
            str(escape(company["company_name"])), f"{code} {escape(booth(fair, code).name)}",
            LABELS[company["category"]], str(escape(company["need"]))]
        assert f'<span class="ticket-no">{ticket}</span>' in page and f"<title>{ticket} · " in page
        assert not _shown(company["mobile"], page)  # (no phone number on a public page)
        # ...as the tracking page opened by its link shows them.
        assert _main(page) == _main(fresh)


def test_the_page_shows_the_booth_as_the_filing_read_it(app, fair, one_minute):
    phone = app.test_client()
    phone.post(f"/f/{fair.id}", data=form_data(phone, "/b/B07"), headers={"HX-Request": "true"})
    b07 = db.session.scalar(db.select(Booth).where(Booth.fair_id == fair.id, Booth.code == "B07"))
    b07.department.name = "泰安市新名称局"
    db.session.commit()
    phone = app.test_client()
    answer = phone.post(f"/f/{fair.id}", data=form_data(phone, "/b/B07"), headers={"HX-Request": "true"})
    page = answer.get_data(as_text=True)
    assert "B07 泰安市新名称局" in page and _main(page) == _main(phone.get(answer.headers["HX-Push-Url"]).get_data(
        as_text=True))


@pytest.mark.parametrize("headers, base_url, shows", [
    ({"Accept-Language": "en"}, "http://localhost/", "Your ticket number"),
    ({"User-Agent": WECHAT}, "http://localhost/", "收藏"),
    ({}, "http://localhost/kiosk/", 'href="/kiosk/f/'),
])
def test_the_answer_is_the_tracking_page_in_every_language_browser_and_path(app, fair, headers, base_url, shows):
    phone = app.test_client()
    data = form_data(phone, "/b/B07")
    answer = phone.post(f"/f/{fair.id}", data=data, headers={"HX-Request": "true", **headers}, base_url=base_url)
    link = answer.headers["HX-Push-Url"]
    fresh = phone.get(link.removeprefix("/kiosk"), headers=headers, base_url=base_url).get_data(as_text=True)
    page = answer.get_data(as_text=True)
    assert _main(page) == _main(fresh) and shows in page
    if "kiosk" in base_url:
        assert link.startswith("/kiosk/t/") and 'href="/f/' not in page and 'hx-get="/kiosk/t/' in page
