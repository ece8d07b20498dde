"""The bar charts: what the SVG draws is what the tables print, on the tally page, its PDF and the
dashboard; and the hall's big screen, with the latest outcomes and no one's name."""
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from kiosk.auth.models import User
from kiosk.core.extensions import db
from kiosk.figures.charts import nice_scale, outcome_bars
from kiosk.service_requests import workflow
from kiosk.service_requests.models import Category, Status
from kiosk.supervision.colours import ColourCounts
from kiosk.tally import report
from tests.factories import CODE_B, booth, request_in
from tests.helpers import login

LATER = date.today() + timedelta(days=20)


class Page(HTMLParser):
    """The tables' rows (cell texts) and the charts' rows (label, segments drawn, the number shown)."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.charts = [], {}
        self._chart = self._row = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and "chart" in attrs.get("class", ""):
            self._chart = self.charts.setdefault(attrs["id"], {"rows": {}, "scale": None})
        elif tag == "table" and self._chart is None:
            self.tables.append([])
        elif tag == "tr":
            self._row = {"key": attrs.get("data-key"), "cells": [], "segments": {}, "widths": {}}
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "rect" and self._row is not None and "data-value" in attrs:
            key = attrs["class"].split("seg-")[1]
            self._row["segments"][key] = int(attrs["data-value"])
            self._row["widths"][key] = float(attrs["width"])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._chart is not None and (scale := re.search(r"满格(\d+)项", data)):
            self._chart["scale"] = int(scale.group(1))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row["cells"].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._chart is not None:
                self._chart["rows"][self._row["key"]] = self._row
            elif self.tables:
                self.tables[-1].append(self._row["cells"])
            self._row = None
        elif tag == "figure":
            self._chart = None


@pytest.fixture
def built(fair):
    """B07: 2 resolved, 1 planned, 1 waiting, 1 withdrawn; B01: 3 planned (approvals); F01: 1 in
    progress (funding); B02 and F02: nothing."""
    for state in (Status.resolved, Status.resolved, Status.planned, Status.waiting, Status.withdrawn):
        request_in(fair, state, "B07", due=LATER)
    for _ in range(3):
        request_in(fair, Status.planned, "B01", category=Category.approvals, due=LATER)
    request_in(fair, Status.in_progress, "F01", category=Category.funding)
    return fair


def drawn(chart, key):
    """What a chart's row draws: (resolved, planned, open, the number beside it), each segment's
    length checked against the chart's scale on the way."""
    row = chart["rows"][key]
    for series, value in row["segments"].items():
        assert row["widths"][series] == round(100 * value / chart["scale"], 1), (key, series)
    return (*(row["segments"].get(s, 0) for s in ("resolved", "planned", "open")), int(row["cells"][-1]))


def printed(row):
    """A table's row as the chart draws it: (resolved, planned, open, received)."""
    received, resolved, planned, open_ = (int(cell) for cell in row[1:5])
    return resolved, planned, open_, received


def assert_charts_equal_tables(page: Page, booth_tables, category_table, category_names):
    booths = page.charts["chart-booths"]
    rows = [row for table in booth_tables for row in table[1:] if re.match(r"[A-Z]\d\d ", row[0])]
    assert len(rows) == 5 and len(booths["rows"]) == 5
    for row in rows:
        assert drawn(booths, row[0].split()[0]) == printed(row), row
    categories = page.charts["chart-categories"]
    by_name = {name: code for code, name in category_names.items()}
    assert len(categories["rows"]) == len(category_table) - 1 == 3
    for row in category_table[1:]:
        assert drawn(categories, by_name[row[0]]) == printed(row), row


CATEGORY_NAMES = {"land": "土地", "approvals": "审批/手续", "funding": "资金/融资"}


def test_the_tally_pages_charts_draw_the_tables_figures(app, organiser, built):
    boss = login(app.test_client(), "organiser")
    page = Page(boss.get(f"/organiser/fairs/{built.id}/tally").get_data(as_text=True))
    zones, overall, category_table = page.tables[:2], page.tables[2], page.tables[3]
    assert overall[1][1:5] == ["8", "2", "4", "2"]  # the fair: received, resolved, planned, open
    assert_charts_equal_tables(page, zones, category_table, CATEGORY_NAMES)
    assert drawn(page.charts["chart-booths"], "B07") == (2, 1, 1, 4)  # the withdrawn one is not drawn
    assert page.charts["chart-booths"]["scale"] == 5


def test_the_tally_pdfs_charts_draw_the_tables_figures(app, organiser, built, monkeypatch):
    printed_html = []
    real = report.render_pdf
    monkeypatch.setattr(report, "render_pdf", lambda html, css: printed_html.append(html) or real(html, css))
    boss = login(app.test_client(), "organiser")
    response = boss.get(f"/organiser/fairs/{built.id}/tally.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    page = Page(printed_html[0])
    assert_charts_equal_tables(page, page.tables[:2], page.tables[3], CATEGORY_NAMES)


def test_the_dashboards_charts_draw_the_booth_tables_figures(app, organiser, built):
    boss = login(app.test_client(), "organiser")
    page = Page(boss.get(f"/organiser/fairs/{built.id}/dashboard").get_data(as_text=True))
    booths = page.charts["chart-booths"]
    for row in (r for table in page.tables[:2] for r in table[1:] if re.match(r"[A-Z]\d\d ", r[0])):
        assert drawn(booths, row[0].split()[0]) == printed(row), row
    assert drawn(page.charts["chart-categories"], "approvals") == (0, 3, 0, 3)


def test_a_scale_is_a_round_number_at_or_above_the_longest_bar():
    assert [nice_scale(n) for n in (0, 1, 5, 6, 10, 11, 20, 21, 50, 51, 101, 999)] == [
        5, 5, 5, 10, 10, 20, 20, 50, 50, 100, 200, 1000]
    chart = outcome_bars([{"code": "B01", "name": "x", "received": 7, "resolved": 3, "planned": 1, "open": 3}])
    assert chart.scale == 10 and [t for t, _ in chart.ticks] == [0, 2, 4, 6, 8, 10]
    (bar,) = chart.bars
    assert [(s.x, s.width) for s in bar.segments] == [(0, 30.0), (30.0, 10.0), (40.0, 30.0)]


def test_the_hall_screen_lists_the_latest_outcomes_with_no_ones_name(app, client, fair, monkeypatch):
    first = request_in(fair, Status.resolved, "B07", company_name="保密科技有限公司", credit_code=CODE_B,
                       contact_name="张三丰", mobile="13800001111", need="保密的需求原文")
    request_in(fair, Status.planned, "F01", category=Category.funding, due=LATER, company_name="另一家公司")
    request_in(fair, Status.waiting, "B01")
    undone = request_in(fair, Status.resolved, "B02")
    staff = db.session.scalar(sa.select(User).filter_by(booth_id=booth(fair, "B02").id))
    workflow.reopen(undone, staff, undone.version, reason="误操作")
    db.session.commit()
    text = client.get(f"/screen/{fair.screen_token}").get_data(as_text=True)
    latest = re.findall(r'<li><time>[^<]*</time> <span class="code">(\w+)</span>.*?<span class="what">([^<]*) · '
                        r'<b class="out-(\w+)">', text, re.S)
    assert latest == [("F01", "资金/融资", "planned"), ("B07", "土地", "resolved")]  # newest first; B02 undone
    for secret in ("保密科技有限公司", "另一家公司", "张三丰", "13800001111", CODE_B, "保密的需求原文",
                   first.ticket_no):
        assert secret not in text, secret
    # The ledger's overdue count: with items open on the ledger it is the colours' red (the same
    # items), shown once; nothing is overdue at the fair, so 0.
    assert "screen-overdue" not in text and re.search(r'id="screen-colour-red">0<', text)
    # With no colours to show, the count stands alone, in the alarm colour when something is overdue.
    monkeypatch.setattr("kiosk.organiser.live.colour_counts", lambda rules, fair_id: ColourCounts())
    assert re.search(r'screen-overdue"><span class="value">0</span><span class="label">逾期未销号',
                     client.get(f"/screen/{fair.screen_token}").get_data(as_text=True))
    monkeypatch.setattr("kiosk.organiser.live.overdue_count", lambda today, fair_id: 3)
    assert re.search(r'screen-overdue alert"><span class="value">3</span><span class="label">逾期未销号',
                     client.get(f"/screen/{fair.screen_token}").get_data(as_text=True))


def test_the_hall_screen_shows_each_zones_figures_and_a_bar_per_booth(app, client, built):
    text = client.get(f"/screen/{built.screen_token}").get_data(as_text=True)
    assert "要素保障部门专区" in text and "受理 7" in text and "拿出方案 4" in text  # B07 4, B01 3
    page = Page(text)
    bars = re.findall(r'<div class="screen-booth">.*?</svg>', text, re.S)
    assert len(bars) == 5
    b01 = next(bar for bar in bars if '"code">B01<' in bar)
    assert re.findall(r'class="seg seg-(\w+)"[^>]*data-value="(\d+)"', b01) == [("planned", "3")]
    assert page.charts == {}  # the screen's bars stand alone, one scale for every zone

