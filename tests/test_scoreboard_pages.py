"""The scoreboard's pages, PDF and XLSX, and the half-yearly disclosure as people reach them: what
organisers set and publish, what a department's account sees, and what the public may (and may
never) read."""
import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from flask import current_app
from openpyxl import load_workbook

from kiosk.core.extensions import db
from kiosk.figures.periods import Period
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.scoreboard import service
from kiosk.scoreboard.disclosure import half_to_open
from kiosk.scoreboard.figures import scoreboard
from kiosk.scoreboard.models import Disclosure, EfficiencyPoints, PublishedRanking, ScoreWeights
from kiosk.service_requests.models import Category, Status
from tests.factories import CODE_A, CODE_B, answers, booth, department_staff, make_fair, request_in
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
    app.config["SCOREBOARD_MIN_COUNTED"] = current_app.config["SCOREBOARD_MIN_COUNTED"] = 1  # F01's one ranked too
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
    seen = department.get(url).get_data(as_text=True)
    assert re.findall(r'<td class="num strong">([^<]+)</td>', seen) == frozen_totals


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


def _old_snapshot(held) -> dict:
    """A ranking as the kiosk published it before the minimum existed (its Scoreboard.as_json() had
    no "min_counted"): F01, with its one request, ranked first among the banks at 100.00."""
    b07, f01 = booth(held, "B07").department, booth(held, "F01").department
    counts = dict.fromkeys(("received", "withdrawn", "replied", "resolved", "planned", "closed_out", "closed_on_time",
                            "open_overdue", "confirmation_ratings"), 0)
    return {
        "period": JUNE, "weights": [40, 40, 20], "as_of": "2026-07-01", "previous_source": "",
        "fairs": [{"name": held.name, "date": "2026-06-13"}],
        "rows": [
            {"department_id": b07.id, "name": b07.name, "kind": "department", "effect": "66.67", "service": "87.50",
             "efficiency": None, "total": "77.09", "rank": 1, "previous_rank": None, "previous_total": None,
             "inputs": {**counts, "received": 3, "replied": 2, "resolved": 1, "planned": 1,
                        "ratings": [1, 1, 0, 0, 0], "efficiency": []}},
            {"department_id": f01.id, "name": f01.name, "kind": "bank", "effect": "100.00", "service": "100.00",
             "efficiency": None, "total": "100.00", "rank": 1, "previous_rank": None, "previous_total": None,
             "inputs": {**counts, "received": 1, "replied": 1, "resolved": 1, "ratings": [1, 0, 0, 0, 0],
                        "efficiency": []}},
        ]}


def test_a_ranking_published_before_the_minimum_still_shows_as_it_was_published(app, boss, held, organiser):
    old = PublishedRanking(period=JUNE, revision=1, effect_weight=40, service_weight=40, efficiency_weight=20,
                           as_of=date(2026, 7, 1), published_by=organiser, snapshot=_old_snapshot(held))
    db.session.add(old)
    db.session.commit()
    html = boss.get(f"/scoreboard/{old.id}").get_data(as_text=True)
    f01 = html.split(booth(held, "F01").department.name)[1].split("</tr>")[0]
    assert "不参与排名" not in f01 and '<td class="num strong">100.00</td>' in html
    assert re.findall(r'<td class="num">(\d+)</td><td class="num"><span class="muted">—</span></td>\s*<td>([^<]+)</td>',
                      html) == [("1", booth(held, "B07").department.name), ("1", booth(held, "F01").department.name)]
    # its formula as published: any unit with a request was ranked
    assert "本期未受理需求的单位列出但不参与排名" in html and "少于" not in html
    sheet = load_workbook(io.BytesIO(boss.get(f"/scoreboard/{old.id}/ranking.xlsx").data))["排名"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    banks = [(r["单位"], r["排名"], r["不参与排名的原因"]) for r in rows if r["类别"] == "金融机构"]
    assert banks == [(booth(held, "F01").department.name, 1, None)]


def test_a_unit_below_the_minimum_is_listed_with_its_reason_and_the_formula_names_the_minimum(app, boss, held):
    token = csrf_token(boss, f"/organiser/scoreboard/{JUNE}")
    url = boss.post(f"/organiser/scoreboard/{JUNE}/publish", data={"csrf_token": token}).headers["Location"]
    app.config["SCOREBOARD_MIN_COUNTED"] = 1  # changed afterwards: the published ranking keeps its 3
    for html in (boss.get(url).get_data(as_text=True),
                 pdf_text(boss.get(url + "/ranking.pdf").data).replace("\n", "").replace(" ", "")):
        assert "（受理需求1项，少于3项，不参与排名）" in html  # F01, beside its name
        assert "本期受理需求（撤回的不计）少于3项的单位列出各项数字，但不参与排名" in html
    sheet = load_workbook(io.BytesIO(boss.get(url + "/ranking.xlsx").data))["排名"]
    header = [cell.value for cell in sheet[1]]
    rows = {r[header.index("单位")]: dict(zip(header, r, strict=True))
            for r in sheet.iter_rows(min_row=2, values_only=True)}
    f01 = rows[booth(held, "F01").department.name]
    assert (f01["排名"], f01["不参与排名的原因"]) == (None, "受理需求1项，少于3项") and f01["总分"] is not None
    assert rows[booth(held, "B02").department.name]["不参与排名的原因"] == "本期未受理需求"
    live = boss.get(f"/organiser/scoreboard/{JUNE}").get_data(as_text=True)  # at a minimum of 1, ranked
    assert "（受理需求1项，少于3项，不参与排名）" not in live


def test_the_disclosure_page_opens_on_the_latest_half_year_with_requests(app, held):
    """held is a fair of June 2026; a fair of another half year that received nothing is no data."""
    empty = make_fair(name="空的大集", prefix="e")
    empty.date = date(2026, 11, 20)
    db.session.commit()
    assert half_to_open(date(2027, 3, 1)).key == HALF      # 2026-H2 had only the empty fair
    assert half_to_open(date(2026, 12, 1)).key == HALF     # the half just ended has data
    assert half_to_open(date(2026, 5, 1)).key == HALF      # nothing ended has data: the current half, which has
    assert half_to_open(date(2025, 3, 1)).key == "2024-H2"  # no data yet at all: the last to have ended
    assert half_to_open(date(2028, 8, 1)).key == HALF


def test_the_organisers_disclosure_link_opens_on_the_latest_half_year_with_requests(app, boss, held):
    # held's June 2026 fair is the only data: whichever half year today is in, 2026-H1 is the one to open
    assert boss.get("/organiser/disclosures").headers["Location"].endswith(f"/organiser/disclosures/{HALF}")
    held.date = date(2025, 6, 13)
    db.session.commit()
    assert boss.get("/organiser/disclosures").headers["Location"].endswith("/organiser/disclosures/2025-H1")


def test_a_half_year_with_nothing_received_offers_no_publication_and_refuses_one(app, boss, fair, organiser):
    close_fair(fair, organiser)  # a fair in 2026-H1 that received nothing
    fair.closed_at = datetime(2026, 6, 13, 9, 0)
    db.session.commit()
    for half, why, refusal in ((HALF, "这半年的大集没有受理任何需求，没有可公开的内容。", "没有受理任何需求"),
                               ("2025-H2", "这半年没有举办大集，没有可公开的内容。", "这一期没有举办大集")):
        preview = boss.get(f"/organiser/disclosures/{half}").get_data(as_text=True)
        assert "公开本半年办理情况" not in preview and why in preview, half
        token = csrf_token(boss, f"/organiser/disclosures/{half}")
        refused = boss.post(f"/organiser/disclosures/{half}/publish", data={"csrf_token": token})
        assert refused.status_code == 422 and refusal in refused.get_data(as_text=True), half
    assert db.session.query(Disclosure).count() == 0
    assert app.test_client().get(f"/disclosure/{HALF}").status_code == 404


def test_the_public_disclosure_is_reachable_from_the_home_page_while_a_fair_is_open(app, fair):
    home = app.test_client().get("/")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    assert f'href="/f/{fair.id}"' in html and 'href="/disclosure/"' in html


def test_the_english_formula_has_no_chinese_punctuation(app, boss, held):
    boss.get("/lang/en")
    html = boss.get(f"/organiser/scoreboard/{JUNE}").get_data(as_text=True)
    definitions = html.split('<section class="definitions">')[1].split("</section>")[0]
    assert "Very satisfied 100, Satisfied 75" in definitions
    head = html.split('<header class="board-head">')[1].split("</header>")[0]
    for text in (definitions, head):
        assert not set("，、；：（）") & set(text), text
