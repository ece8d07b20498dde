"""The common-bottleneck analysis (共性堵点): a hand-counted set of ledger items across two fairs, and
the page, its PDF (read with pdftotext) and its XLSX (read with openpyxl) each give the hand count;
the filters (a fair, a range of fair days) narrow it; the drill-down names the companies; only
organisers see it."""
import io
import re
import subprocess
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from kiosk.core.extensions import db
from kiosk.ledger import moves
from kiosk.service_requests.after_fair import ParkCause
from kiosk.service_requests.models import Category, Status
from kiosk.supervision import parking
from kiosk.supervision.analysis import Scope, analysis
from tests.factories import CODE_A, CODE_B, an_organiser, booth, department_staff, make_fair, request_in
from tests.helpers import login

TODAY = date.today()
CODE_C = "91370900MA3C00011U"
SECOND_FAIR_DAY = date(2026, 9, 1)


def _past_due(item, days=10):
    item.plan_due = item.current_due = TODAY - timedelta(days=days)
    db.session.commit()
    return item


def _park(item, cause):
    organiser = an_organiser()
    parking.ask(item, department_staff(item.booth.department), item.version, cause=cause, explanation="卡在上级",
                review_on=TODAY + timedelta(days=30), today=TODAY)
    parking.approve(item, organiser, item.version, note=None, today=TODAY)
    db.session.commit()


@pytest.fixture
def stuck(app, fair):
    """Fair 1 (13 June 2026) and fair 2 (1 September 2026), the same departments. Companies A, B, C.
     1 A land B01: parked (needs a higher level), past due: parked, parked now, not overdue
     2 A land B01: overdue
     3 B funding F01: extended (long ago) and overdue since
     4 B land B07: closed out, disputed by the company
     5 A approvals B07: parked (policy), resumed early, past due: parked, overdue
     6 B land B01: open, due later: not stuck       7 A energy B07: closed out, confirmed: not stuck
     8 A land B01 (fair 2): extended                 9 C land B01 (fair 2): overdue
    10 B funding F01 (fair 2): resolved on site (not on the ledger, but B brought funding twice)
    11 C land (fair 1): withdrawn: no need, so C's land does not recur"""
    organiser = an_organiser()
    second = make_fair(prefix="s")
    second.date = SECOND_FAIR_DAY
    db.session.commit()
    a, b, c = ({"credit_code": CODE_A, "company_name": "甲公司"}, {"credit_code": CODE_B, "company_name": "乙公司"},
               {"credit_code": CODE_C, "company_name": "丙公司"})
    item = {}
    item[1] = _past_due(request_in(fair, Status.planned, "B01", **a))
    _park(item[1], ParkCause.higher_level)
    item[2] = _past_due(request_in(fair, Status.planned, "B01", **a))
    item[3] = _past_due(request_in(fair, Status.planned, "F01", category=Category.funding, **b), days=40)
    moves.extend(item[3], organiser, item[3].version, new_due=TODAY - timedelta(days=5), reason="等待授信审批",
                 today=TODAY - timedelta(days=45))
    item[4] = request_in(fair, Status.closed_out, "B07", **b)
    moves.company_verdict(item[4], accepted=False, rating=2, words="土地证仍未办下来")
    item[5] = _past_due(request_in(fair, Status.planned, "B07", category=Category.approvals, **a))
    _park(item[5], ParkCause.policy)
    parking.resume(item[5], organiser, item[5].version, reason="政策已出台", today=TODAY)
    item[6] = request_in(fair, Status.planned, "B01", **b)
    item[7] = request_in(fair, Status.closed_out, "B07", category=Category.energy, **a)
    moves.company_verdict(item[7], accepted=True, rating=5, words=None)
    item[8] = request_in(second, Status.planned, "B01", **a)
    moves.extend(item[8], organiser, item[8].version, new_due=item[8].plan_due + timedelta(days=30),
                 reason="规划调整", today=TODAY)
    item[9] = _past_due(request_in(second, Status.planned, "B01", **c))
    request_in(second, Status.resolved, "F01", category=Category.funding, **b)
    request_in(fair, Status.withdrawn, "B01", **c)
    db.session.commit()
    return item


#: the hand count: (parked, extended, disputed, overdue, stuck items, companies) and, per category, the
#: companies that brought it to two fairs
TOTALS = {"parked": 2, "parked_now": 1, "extended": 2, "disputed": 1, "overdue": 4, "flagged": 7, "companies": 3}
CATEGORIES = {"land": (1, 1, 1, 2, 5, 3, 1), "funding": (0, 1, 0, 1, 1, 1, 1), "approvals": (1, 0, 0, 1, 1, 1, 0)}
DEPARTMENTS = {"自然资源和规划局": (1, 1, 0, 2, 4, 2), "泰安银行": (0, 1, 0, 1, 1, 1),
               "工业和信息化局": (1, 0, 1, 1, 2, 2)}
CAUSES = {"higher_level": (1, 1, 1), "policy": (1, 0, 1)}
#: cause × category × department, the most stuck first: (cause, category, department): counts
GROUPS = [(None, "land", "自然资源和规划局", (0, 1, 0, 2, 3, 2))]


def _counts(counts) -> tuple:
    return (counts.parked, counts.extended, counts.disputed, counts.overdue, counts.flagged, counts.companies)


def test_the_figures_are_the_hand_count(stuck, fair):
    found = analysis(Scope(), TODAY)
    assert {k: getattr(found.totals, k) for k in TOTALS} == TOTALS
    assert {line.key: (*_counts(line.counts), line.recurring) for line in found.by_category} == CATEGORIES
    assert {line.name.removeprefix(fair.name): _counts(line.counts) for line in found.by_department} == DEPARTMENTS
    assert {line.key: (line.counts.parked, line.counts.parked_now, line.counts.companies)
            for line in found.by_cause} == CAUSES
    first = found.groups[0]
    assert (first.cause, first.category.value, first.department.removeprefix(fair.name),
            _counts(first.counts)) == GROUPS[0][:3] + GROUPS[0][3:]
    assert len(found.groups) == 5 and sum(g.counts.flagged for g in found.groups) == 7
    assert found.recurring == 2 and found.items == 9  # every plan given, stuck or not (4 was closed out)


def test_a_fair_or_a_range_of_fair_days_narrows_it(stuck):
    second = stuck[8].fair_id
    for scope in (Scope(fair_id=second), Scope(since=date(2026, 7, 1)), Scope(since=SECOND_FAIR_DAY,
                                                                              until=SECOND_FAIR_DAY)):
        found = analysis(scope, TODAY)
        assert (found.totals.flagged, found.totals.extended, found.totals.overdue, found.totals.companies) == (
            2, 1, 1, 2), scope
        # A's land recurs: it brought land to the first fair too, which the range leaves out
        assert {line.key: line.recurring for line in found.by_category} == {"land": 1}
    assert analysis(Scope(until=date(2026, 6, 13)), TODAY).totals.flagged == 5


def _page_numbers(html: str, section: str) -> dict:
    part = html.split(f'id="{section}"')[1].split("</section>")[0]
    rows = {}
    for key, cells in re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', part, re.S):
        rows[key] = tuple(int(n) for n in re.findall(r'<td class="num">(?:<b>|<a [^>]*>)?(\d+)', cells))
    return rows


def test_the_page_the_pdf_and_the_spreadsheet_agree_with_the_hand_count(app, stuck, organiser, fair):
    boss = login(app.test_client(), organiser.username)
    page = boss.get("/supervision/analysis")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for key, value in TOTALS.items():
        if key != "parked_now":
            assert re.search(rf'id="total-{key}">{value}<', html), key
    assert re.search(r'id="total-recurring">2<', html)
    assert _page_numbers(html, "by-category") == CATEGORIES
    departments = {line.key: line.name for line in analysis(Scope(), TODAY).by_department}
    assert {departments[k].removeprefix(fair.name): v for k, v in _page_numbers(html, "by-department").items()} \
        == DEPARTMENTS
    assert _page_numbers(html, "by-cause") == CAUSES
    assert "挂账：经组织方批准挂账过的事项" in html and "反复反映" in html  # each figure says what it counts
    land = html.split('id="chart-categories"')[1].split("</figure>")[0].split('data-key="land"')[1].split("</tbody>")[0]
    assert re.findall(r'class="seg seg-(\w+)"[^>]*data-value="(\d+)"', land) == [
        ("parked", "1"), ("extended", "1"), ("disputed", "1"), ("overdue", "2")]  # the bars are the table's

    pdf = boss.get("/supervision/analysis.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout
    text = text.decode()
    assert "企业诉求共性堵点分析" in text and "制表人" in text and "审核人" in text
    line = re.compile(r"^\s*(\S+)\s+" + r"\s+".join([r"(\d+)"] * 7) + r"\s*$", re.M)
    rows = {m.group(1): tuple(int(n) for n in m.groups()[1:]) for m in line.finditer(text)}
    assert rows["土地"] == CATEGORIES["land"] and rows["资金/融资"] == CATEGORIES["funding"]
    assert rows["审批/手续"] == CATEGORIES["approvals"]
    assert re.search(r"挂账\s+其中仍在挂账.*\n\s*2\s+1\s+2\s+1\s+4\s+7\s+3\s+2", text)
    assert all(re.search(rf"{name}\s+{' +'.join(map(str, counts))}\s*$", text, re.M)
               for name, counts in DEPARTMENTS.items()), text

    xlsx = boss.get("/supervision/analysis.xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True) if row and row[0]}
    assert {k: summary[name] for k, name in [("parked", "挂账"), ("parked_now", "仍在挂账"), ("extended", "延期"),
                                               ("disputed", "异议"), ("overdue", "逾期"), ("flagged", "堵点事项"),
                                               ("companies", "涉及企业")]} == TOTALS
    assert summary["反复反映的企业"] == 2 and summary["台账事项"] == 9
    categories = {row[0]: tuple(row[1:]) for row in book["按类别"].iter_rows(min_row=2, values_only=True)}
    assert categories == {"土地": CATEGORIES["land"], "资金/融资": CATEGORIES["funding"],
                          "审批/手续": CATEGORIES["approvals"]}
    departments = {row[0].removeprefix(fair.name): tuple(row[1:])
                   for row in book["按部门"].iter_rows(min_row=2, values_only=True)}
    assert departments == DEPARTMENTS
    items = list(book["堵点事项"].iter_rows(min_row=2, values_only=True))
    assert len(items) == 7 and {row[0] for row in items} == {"甲公司", "乙公司", "丙公司"}


def test_the_drill_down_names_the_companies_of_a_row(app, stuck, organiser, fair):
    boss = login(app.test_client(), organiser.username)
    department = booth(fair, "B01").department_id
    html = boss.get(f"/supervision/analysis/companies?cause=none&category=land&department={department}"
                    ).get_data(as_text=True)
    assert "甲公司" in html and "丙公司" in html and "乙公司" not in html
    assert f"/ledger/items/{stuck[2].id}" in html and f"/ledger/items/{stuck[1].id}" not in html  # 1 is parked
    parked = boss.get("/supervision/analysis/companies?cause=higher_level").get_data(as_text=True)
    assert f"/ledger/items/{stuck[1].id}" in parked and "丙公司" not in parked


def test_unreadable_filters_are_said_and_kept(app, stuck, organiser):
    boss = login(app.test_client(), organiser.username)
    answer = boss.get("/supervision/analysis?since=2026-13-01&fair=99999")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "请按 年-月-日 填写日期" in html and "没有这场大集" in html
    assert 'value="2026-13-01"' in html and re.search(r'id="total-flagged">7<', html)  # nothing applied
    assert boss.get("/supervision/analysis.xlsx?since=x").status_code == 400
    turned = boss.get("/supervision/analysis?since=2026-10-01&until=2026-07-01").get_data(as_text=True)
    assert "结束日期不能早于开始日期" in turned


def test_only_organisers_see_it(app, stuck, fair):
    account = department_staff(booth(fair, "B01").department)  # (made when its items were parked)
    db.session.commit()
    staff = login(app.test_client(), account.username)
    for url in ("/supervision/analysis", "/supervision/analysis/companies", "/supervision/analysis.pdf",
                "/supervision/analysis.xlsx"):
        assert staff.get(url).status_code == 403, url
    assert app.test_client().get("/supervision/analysis").status_code == 302  # to sign in


def test_the_kept_analysis_moves_with_every_change_it_counts(app, stuck, organiser, fair):
    """Each app server keeps the analysis while nothing it counts changed: a parking, a company's
    dispute, and a filing at another fair (a category that now recurs) each show at the next view."""
    boss = login(app.test_client(), organiser.username)

    def total(key):
        html = boss.get("/supervision/analysis").get_data(as_text=True)
        return int(re.search(rf'id="total-{key}">(\d+)<', html).group(1))

    assert (total("parked"), total("disputed"), total("recurring")) == (2, 1, 2)
    _park(stuck[6], ParkCause.department)  # 6 was not stuck: now parked
    assert total("parked") == 3 and total("flagged") == 8
    closed = request_in(fair, Status.closed_out, "B01", credit_code=CODE_C, company_name="丙公司")
    moves.company_verdict(closed, accepted=False, rating=1, words="没有解决")
    db.session.commit()
    assert total("disputed") == 2
    # C brought land to the second fair; a land request at the first (resolved on site) makes it recur
    request_in(fair, Status.resolved, "B01", credit_code=CODE_C, company_name="丙公司")
    assert total("recurring") == 3
