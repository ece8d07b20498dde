"""The closing tally on a fair built by hand: exact figures, frozen at closing, printed as a PDF
whose text and fonts are checked."""
import io
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from kiosk.core.extensions import db
from kiosk.fairs.models import FairStatus
from kiosk.figures.tally import compute_tally, tally_of
from kiosk.organiser.fair_lifecycle import FairMoveRefused, close_fair, reopen_fair
from kiosk.service_requests.models import Category, ServiceRequest, Status
from kiosk.tally.report import tally_pdf
from tests.factories import answers, request_in
from tests.helpers import login, pdf_text

LATER = date.today() + timedelta(days=20)


@pytest.fixture
def built(fair):
    """B07: 2 resolved (1 rated), 1 planned, 1 waiting, 1 in progress, 1 withdrawn; B01: 1 planned;
    F01: 2 funding (300 + 200 万元), 1 resolved 1 planned; F02: nothing."""
    s = Status
    request_in(fair, s.resolved, "B07", slip=answers(5))
    request_in(fair, s.resolved, "B07")
    request_in(fair, s.planned, "B07", plan_text="方案3", due=LATER)
    request_in(fair, s.waiting, "B07")
    request_in(fair, s.in_progress, "B07")
    request_in(fair, s.withdrawn, "B07")
    request_in(fair, s.planned, "B01", category=Category.approvals, plan_text="方案7", due=LATER)
    request_in(fair, s.resolved, "F01", category=Category.funding, amount_wan=Decimal("300"))
    request_in(fair, s.planned, "F01", category=Category.funding, amount_wan=Decimal("200"), plan_text="方案9",
               due=LATER)
    return fair


def counts(row):
    return (row["received"], row["resolved"], row["planned"], row["open"], row["withdrawn"])


def test_tally_figures(built):
    t = compute_tally(built)
    departments, finance = t["zones"]
    b07 = next(b for b in departments["booths"] if b["code"] == "B07")
    assert counts(b07) == (5, 2, 1, 2, 1)
    assert (b07["slips"], b07["with_outcome"], b07["satisfied_share"]) == (1, 3, 1.0)
    assert counts(departments["totals"]) == (6, 2, 2, 2, 1)
    assert counts(finance["totals"]) == (2, 1, 1, 0, 0)
    assert (finance["funding_requests"], Decimal(finance["funding_wan"])) == (2, Decimal("500"))
    assert departments["funding_requests"] == 0
    assert counts(t["totals"]) == (8, 3, 3, 2, 1)
    f02 = next(b for b in finance["booths"] if b["code"] == "F02")
    assert counts(f02) == (0, 0, 0, 0, 0) and f02["satisfied_share"] is None
    by_category = {row["code"]: counts(row) for row in t["categories"]}
    assert by_category == {"land": (5, 2, 1, 2, 1), "funding": (2, 1, 1, 0, 0), "approvals": (1, 0, 1, 0, 0)}
    assert [(i["ticket"], i["plan"], i["unit"], i["person"], i["due"]) for i in t["planned_items"]] == [
        ("B01-001", "方案7", "规划科", "赵科长", LATER.isoformat()),
        ("B07-003", "方案3", "规划科", "赵科长", LATER.isoformat()),
        ("F01-002", "方案9", "规划科", "赵科长", LATER.isoformat())]


def test_closing_freezes_the_tally(built, organiser):
    close_fair(built, organiser)
    db.session.commit()
    frozen, is_frozen = tally_of(built)
    assert is_frozen and built.status is FairStatus.closed and built.closed_at is not None
    # After the fair: a plan closed out, a late change to a waiting request.
    planned = next(r for r in built.booths if r.code == "B07")
    import sqlalchemy as sa
    item = db.session.scalars(sa.select(ServiceRequest).filter_by(ticket_no="B07-003")).one()
    item.status, item.closeout_result = Status.closed_out, "已办结"
    waiting = db.session.scalars(sa.select(ServiceRequest).filter_by(ticket_no="B07-004")).one()
    waiting.status = Status.resolved
    db.session.commit()
    again, _ = tally_of(built)
    assert again == frozen
    # The close handed the waiting and the in-progress request over (会后办理): none is left open.
    assert counts(again["totals"]) == (8, 3, 3, 0, 1) and again["totals"]["handed_over"] == 2
    assert counts(compute_tally(built)["totals"]) == (8, 4, 3, 0, 1)  # the live figures did move
    assert planned.code == "B07"


def test_reopening_needs_a_reason_and_is_on_the_trail(built, organiser):
    close_fair(built, organiser)
    db.session.commit()
    with pytest.raises(FairMoveRefused):
        reopen_fair(built, organiser, "  ")
        db.session.commit()
    reopen_fair(built, organiser, "补录两项需求")
    db.session.commit()
    assert built.status is FairStatus.open and built.tally_snapshot is None
    assert [(e.to_status, e.reason) for e in built.events] == [
        (FairStatus.closed, None), (FairStatus.open, "补录两项需求")]


def test_tally_pdf_text_holds_the_headline_and_booth_names(app, built):
    with app.test_request_context():
        name, mimetype, data = tally_pdf(built)
    assert mimetype == "application/pdf" and name.startswith(f"tally-{built.id}-")
    text = pdf_text(data).replace(" ", "").replace("\n", "")
    assert "要素保障部门专区受理企业需求6项，其中2项现场办结，2项现场拿出解决方案，2项正在办理" in text
    assert "金融服务专区受理企业需求2项，其中1项现场办结，1项现场拿出解决方案" in text
    assert "全场共受理企业需求8项，其中3项现场办结，3项现场拿出解决方案" in text
    assert f"B07{built.name}工业和信息化局" in text and "齐鲁银行" in text
    assert "涉及金额合计500.00万元" in text
    assert "第1页/共" in text and "自检" in text


def test_chinese_renders_with_no_cjk_font_on_the_machine(app, built, tmp_path):
    """Render in a process whose fontconfig knows no font at all: every font in the PDF must be the
    one bundled with the kiosk (a fallback font would print boxes for Chinese)."""
    with app.test_request_context():
        from flask import render_template
        tally, frozen = tally_of(built)
        html = render_template("tally/pdf.html", t=tally, frozen=frozen)
    (tmp_path / "tally.html").write_text(html)
    (tmp_path / "fonts.conf").write_text('<?xml version="1.0"?><fontconfig><cachedir>'
                                         f'{tmp_path}/cache</cachedir></fontconfig>')
    script = ("import sys; from kiosk.core.pdf import render_pdf; from kiosk.tally.report import PDF_CSS; "
              "sys.stdout.buffer.write(render_pdf(open(sys.argv[1]).read(), PDF_CSS))")
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
    data = subprocess.run([sys.executable, "-c", script, str(tmp_path / "tally.html")], env=env,
                          capture_output=True, check=True).stdout
    reader = PdfReader(io.BytesIO(data))
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1]
             for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts and all(name.startswith("Kiosk-CJK") for name in fonts), fonts
    assert "工业和信息化局" in pdf_text(data)


def test_the_planned_items_legend_repeats_on_every_page_of_the_list(app, fair):
    for _ in range(90):
        request_in(fair, Status.planned, "B07", due=LATER)
    with app.test_request_context():
        _, _, data = tally_pdf(fair)
    pages = [page.extract_text().replace(" ", "") for page in PdfReader(io.BytesIO(data)).pages]
    first = next(n for n, text in enumerate(pages) if "现场拿出解决方案的需求（90项）" in text)
    assert len(pages) - first >= 3
    # On the list's first page the legend stands under its heading, not above it in the margin.
    assert pages[first].index("现场拿出解决方案的需求（90项）") < pages[first].index("编号·企业：需求")
    assert pages[first].count("编号·企业：需求") == 1
    for number, text in enumerate(pages[first:], start=first + 1):
        assert "编号·企业：需求" in text, number
        assert f"第{number}页/共{len(pages)}页" in text


def test_the_headlines_add_up_and_define_their_shares_on_the_page_and_in_the_pdf(app, built, organiser):
    request_in(built, Status.resolved, "B01", slip=answers(3))   # 基本满意: satisfied
    request_in(built, Status.resolved, "F01", slip=answers(1))   # 非常不满意: a bad rating
    page = login(app.test_client(), organiser.username).get(f"/organiser/fairs/{built.id}/tally")
    with app.test_request_context():
        _, _, data = tally_pdf(built)
    for text in (page.get_data(as_text=True), pdf_text(data).replace(" ", "").replace("\n", "")):
        # The whole fair's sentence counts what is still open, as each zone's does: 10 = 5 + 3 + 2.
        assert "全场共受理企业需求10项，其中5项现场办结，3项现场拿出解决方案，2项正在办理。" in text
        assert "收回满意度测评表3份，满意率66.7%，差评率33.3%。" in text
        assert "满意率=总体评价为“非常满意”“满意”“基本满意”的测评表÷收回的测评表" in text.replace(" ", "")
        assert "差评率=总体评价为“不满意”“非常不满意”的测评表÷收回的测评表" in text.replace(" ", "")


def test_a_tally_frozen_before_the_haochaping_reading_keeps_its_own_definition(app, built, organiser):
    close_fair(built, organiser)
    old = dict(built.tally_snapshot)
    del old["satisfied_from"]  # as a tally frozen before the definition changed was stored
    built.tally_snapshot = old
    db.session.commit()
    html = login(app.test_client(), organiser.username).get(f"/organiser/fairs/{built.id}/tally").get_data(as_text=True)
    assert "总体评价为“非常满意”“满意”的测评表 ÷ 收回的测评表（本统计冻结时的口径）" in html
    assert "“基本满意”的测评表" not in html


def test_the_tally_file_is_named_by_the_time_in_the_city_as_the_page_shows_it(app, built, organiser):
    """Taken at 06:12 UTC is 14:12 in Tai'an: the page says 14:12, so the file's name does too."""
    close_fair(built, organiser)
    built.tally_snapshot = {**built.tally_snapshot, "taken_at": "2026-06-13T06:12:00"}
    db.session.commit()
    page = login(app.test_client(), "organiser").get(f"/organiser/fairs/{built.id}/tally").get_data(as_text=True)
    assert "2026-06-13 14:12" in page
    with app.test_request_context():
        name, _mimetype, _data = tally_pdf(built)
    assert name == f"tally-{built.id}-20260613-1412.pdf"
