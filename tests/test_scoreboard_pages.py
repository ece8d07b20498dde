"""The scoreboard's pages, PDF and XLSX, and the half-yearly disclosure as people reach them: what
organisers set and publish, what a department's account sees, and what the public may (and may
never) read."""
import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kiosk.core.extensions import db
from kiosk.figures.periods import Period
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.scoreboard import service
from kiosk.scoreboard.figures import scoreboard
from kiosk.scoreboard.models import EfficiencyPoints, ScoreWeights
from kiosk.service_requests.models import Category, Status
from tests.factories import CODE_A, CODE_B, answers, booth, department_staff, request_in
from tests.helpers import csrf_token, login, pdf_text

JUNE, HALF = "2026-06", "2026-H1"
#: what companies typed at the fair: none of it may reach the public disclosure
PRIVATE = {
    "company_name": ["泰安鑫达精密机械有限公司", "岱岳区宏图新材料科技有限公司"],
    "contact_name": ["欧阳明轩", "司马佳怡"],
    "mobile": ["13953812345", "15866549876"],
    "need": ["新建二期厂房需用地三十亩请协调", "申请技改贷款两千万元用于购置数控设备"],
}


@pytest.fixture
def held(fair, organiser):
    """The June fair, closed on its day: B07 with three requests (one planned), F01 with one, each
    from a company whose name, contact, mobile and need are listed in PRIVATE."""
    for n, (code, state) in enumerate([("B07", Status.resolved), ("B07", Status.planned), ("B07", Status.waiting),
                                       ("F01", Status.resolved)]):
        request_in(fair, state, code, slip=answers(5 - n) if state.has_outcome else None,
                   company_name=PRIVATE["company_name"][n % 2], contact_name=PRIVATE["contact_name"][n % 2],
                   mobile=PRIVATE["mobile"][n % 2], need=PRIVATE["need"][n % 2],
                   credit_code=(CODE_A, CODE_B)[n % 2],
                   category=Category.funding if code == "F01" else Category.land)
    close_fair(fair, organiser)
    fair.closed_at = datetime(2026, 6, 13, 9, 0)
    db.session.commit()
    return fair


@pytest.fixture
def boss(app, organiser):
    return login(app.test_client(), "organiser")


def test_the_organisers_page_shows_every_input_its_definition_and_a_chart_that_agrees(app, boss, held):
    html = boss.get(f"/organiser/scoreboard/{JUNE}").get_data(as_text=True)
    board = scoreboard(Period.parse(JUNE), as_of=date.today())
    b07 = board.row_of(booth(held, "B07").department_id)
    assert "实时计算，尚未发布" in html and "权重：比效果 40，比服务 40，比效率 20" in html
    for definition in ("按时答复率", "办结率", "按期销号率", "比效果", "比服务", "比效率", "非常满意 100", "四舍五入"):
        assert definition in html, definition
    assert f'<td class="num strong">{b07.total}</td>' in html
    # The chart's bars carry the same totals as the table, in the same order
    for kind in ("department", "bank"):
        ranked = [row for row in board.of_kind(kind) if row.ranked]
        chart = html.split('<figure class="bar-chart">')[1 + (kind == "bank")].split("</figure>")[0]
        assert re.findall(r'data-value="([^"]+)"', chart) == [str(row.total) for row in ranked]


def test_the_ranking_prints_with_its_chinese_and_downloads_as_typed_cells(app, boss, held):
    department = booth(held, "B07").department
    department.name = "=HYPERLINK(\"x\")工信局\x1b"  # a name a spreadsheet would run, with a control character
    db.session.commit()
    pdf = boss.get(f"/organiser/scoreboard/{JUNE}/ranking.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "要素保障大比拼" in text and "泰安银行" in text and "计分说明" in text

    response = boss.get(f"/organiser/scoreboard/{JUNE}/ranking.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["排名"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    mine = next(row for row in rows if "工信局" in row["单位"])
    assert mine["单位"] == "'=HYPERLINK(\"x\")工信局"
    assert mine["受理需求"] == 3 and mine["当天答复"] == 2 and mine["按时答复率"] == pytest.approx(2 / 3)
    board = scoreboard(Period.parse(JUNE), as_of=date.today())
    assert mine["总分"] == pytest.approx(float(board.row_of(department.id).total))
    cells = {name: sheet.cell(row=2, column=header.index(name) + 1) for name in header}
    assert cells["总分"].data_type == "n" and cells["总分"].number_format == "0.00"
    assert cells["按时答复率"].number_format == "0.0%"
    assert sheet.freeze_panes == "A2" and "计分说明" in book.sheetnames


def test_weights_and_points_are_set_on_their_pages(app, boss, held):
    page = "/organiser/scoreboard/weights"
    token = csrf_token(boss, page)
    refused = boss.post(page, data={"csrf_token": token, "effect": "50", "service": "40", "efficiency": "20"})
    assert refused.status_code == 422 and "三项权重之和须为100" in refused.get_data(as_text=True)
    assert boss.post(page, data={"csrf_token": token, "effect": "50", "service": "30", "efficiency": "20"}
                     ).status_code == 302
    assert db.session.query(ScoreWeights).one().as_tuple == (50, 30, 20)

    department = booth(held, "B07").department
    page = f"/organiser/scoreboard/efficiency/{JUNE}"
    field = f"d{department.id}-"
    without_note = boss.post(page, data={"csrf_token": token, field + "points": "88.5", field + "note": ""})
    assert without_note.status_code == 422 and "请写明这项效率分的依据" in without_note.get_data(as_text=True)
    for bad in ("101", "sNaN", "1e400", "88.555"):
        answer = boss.post(page, data={"csrf_token": token, field + "points": bad, field + "note": "x"})
        assert answer.status_code == 422, bad
    assert boss.post(page, data={"csrf_token": token, field + "points": "88.5", field + "note": "专班任务按期完成"}
                     ).status_code == 302
    entry = db.session.query(EfficiencyPoints).one()
    assert (entry.points, entry.note, entry.month) == (Decimal("88.50"), "专班任务按期完成", date(2026, 6, 1))
    html = boss.get(f"/organiser/scoreboard/{JUNE}").get_data(as_text=True)
    assert "专班任务按期完成" in html and "权重：比效果 50，比服务 30，比效率 20" in html


def test_a_published_ranking_is_what_departments_see_and_it_never_moves(app, boss, held, organiser):
    token = csrf_token(boss, f"/organiser/scoreboard/{JUNE}")
    published = boss.post(f"/organiser/scoreboard/{JUNE}/publish", data={"csrf_token": token})
    assert published.status_code == 302
    url = published.headers["Location"]
    before = boss.get(url).get_data(as_text=True)
    frozen_totals = re.findall(r'<td class="num strong">([^<]+)</td>', before)

    # Afterwards: new weights, new points, a late slip
    service.set_weights(10, 10, 80, organiser)
    service.enter_points(booth(held, "F01").department, date(2026, 6, 1), Decimal("0"), "未完成", organiser)
    db.session.commit()
    assert boss.get(f"/organiser/scoreboard/{JUNE}").get_data(as_text=True) != before

    department_staff(booth(held, "B07").department, "dept-b07")
    db.session.commit()
    department = login(app.test_client(), "dept-b07")
    assert department.get(f"/organiser/scoreboard/{JUNE}").status_code == 403  # the live board is the organisers'
    seen = department.get(url).get_data(as_text=True)
    assert re.findall(r'<td class="num strong">([^<]+)</td>', seen) == frozen_totals
    assert "权重：比效果 40，比服务 40，比效率 20" in seen and "已发布（第1版）" in seen
    assert department.get(url + "/ranking.xlsx").status_code == 200
    assert "已发布（第1版）" in pdf_text(department.get(url + "/ranking.pdf").data)
    # A second publication is a correction with its reason; the first stays as it was
    again = boss.post(f"/organiser/scoreboard/{JUNE}/publish", data={"csrf_token": token})
    assert again.status_code == 422 and "须写明更正原因" in again.get_data(as_text=True)
    assert boss.post(f"/organiser/scoreboard/{JUNE}/publish", data={"csrf_token": token, "reason": "补录效率分"}
                     ).status_code == 302
    assert re.findall(r'<td class="num strong">([^<]+)</td>', department.get(url).get_data(as_text=True)) == frozen_totals


def test_the_disclosure_is_not_public_until_an_organiser_publishes_it(app, boss, held):
    public = app.test_client()
    assert public.get(f"/disclosure/{HALF}").status_code == 404
    assert public.get(f"/disclosure/{HALF}/disclosure.pdf").status_code == 404
    assert "还没有公开的内容" in public.get("/disclosure/").get_data(as_text=True)
    preview = boss.get(f"/organiser/disclosures/{HALF}").get_data(as_text=True)
    assert "预览：尚未公开" in preview and "尚未公开：公众还看不到这一页" in preview

    token = csrf_token(boss, f"/organiser/disclosures/{HALF}")
    assert boss.post(f"/organiser/disclosures/{HALF}/publish", data={"csrf_token": token}).status_code == 302
    page = public.get(f"/disclosure/{HALF}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert booth(held, "B07").department.name in html and "受理企业需求4项" in html
    assert HALF in public.get("/disclosure/").get_data(as_text=True)


def test_the_disclosure_holds_no_company_contact_phone_or_need(app, boss, held):
    token = csrf_token(boss, f"/organiser/disclosures/{HALF}")
    boss.post(f"/organiser/disclosures/{HALF}/publish", data={"csrf_token": token})
    public = app.test_client()
    html = public.get(f"/disclosure/{HALF}").get_data(as_text=True)
    pdf = pdf_text(public.get(f"/disclosure/{HALF}/disclosure.pdf").data).replace("\n", "")
    preview = boss.get(f"/organiser/disclosures/{HALF}").get_data(as_text=True)
    for kind, values in PRIVATE.items():
        for value in values:
            for where, text in (("page", html), ("pdf", pdf), ("preview", preview)):
                assert value not in text, (kind, value, where)
    assert "泰安银行" in pdf and "按要素类别" in pdf


def test_a_period_without_fairs_is_not_published_and_the_page_says_why(app, boss):
    token = csrf_token(boss, "/organiser/scoreboard/2026-05")
    refused = boss.post("/organiser/scoreboard/2026-05/publish", data={"csrf_token": token})
    assert refused.status_code == 422 and "这一期没有举办大集，没有可发布的内容" in refused.get_data(as_text=True)
