"""A request handed over at its fair's close (会后办理: planned, with handed_over_on) reads 会后办理
wherever a request's state is shown, never "已拿出解决方案" (no plan was given at the fair): the
booth's tablet (its row and its tabs' counts), the ledger's list, 一企一档, the requests' XLSX (the
API's status_notes: tests/test_close_open_requests.py). Its stored status stays planned, and a plan
given at the fair still reads as one."""
import io
import re

import pytest
from openpyxl import load_workbook

from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.fairs.models import Fair
from kiosk.ledger import rounds as rules
from kiosk.ledger.models import Mark
from kiosk.ledger.rounds import quarter_of
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests.models import ServiceRequest, Status
from tests.factories import CODE_A, booth, request_in
from tests.helpers import login

PLANNED, HANDED_OVER = "已拿出解决方案", "会后办理"


@pytest.fixture
def closed(fair):
    """B07: a plan given at the fair, and a request still waiting at the close, handed over then."""
    planned = request_in(fair, Status.planned, "B07")
    waiting = request_in(fair, Status.waiting, "B07")
    close_fair(db.session.get(Fair, fair.id), None)
    db.session.commit()
    handed = db.session.get(ServiceRequest, waiting.id)
    assert handed.status is Status.planned and handed.handed_over_on is not None  # stored as it was
    return planned, handed


def _status_cell(html: str, item_id: int) -> str:
    row = re.search(rf'<tr id="item-{item_id}".*?</tr>', html, re.S).group(0)
    return re.search(r'<span class="badge status-([\w]+)">([^<]+)</span>', row).groups()


def test_the_booth_tablet_counts_a_handed_over_request_under_its_own_tab_not_as_a_plan(app, fair, closed):
    tablet = login(app.test_client(), "b07")
    page = tablet.get(f"/staff/booths/{booth(fair, 'B07').id}").get_data(as_text=True)
    tabs = {key: (label, int(n)) for label, key, n in
            re.findall(r'>\s*([^<>]+?) <span class="count" data-status="(\w+)">(\d+)</span>', page)}
    assert tabs["planned"] == ("已出方案", 1) and tabs["handed_over"] == (HANDED_OVER, 1)
    assert tabs["all"] == ("全部", 2)
    shown = tablet.get(f"/staff/booths/{booth(fair, 'B07').id}?status=planned").get_data(as_text=True)
    assert closed[0].ticket_no in shown and closed[1].ticket_no not in shown
    shown = tablet.get(f"/staff/booths/{booth(fair, 'B07').id}?status=handed_over").get_data(as_text=True)
    assert closed[1].ticket_no in shown and closed[0].ticket_no not in shown and HANDED_OVER in shown


def test_the_ledger_list_and_the_company_file_say_handed_over(app, fair, closed, organiser):
    planned, handed = closed
    boss = login(app.test_client(), "organiser")
    html = boss.get("/ledger?status=all").get_data(as_text=True)
    assert _status_cell(html, handed.id) == ("handed_over", HANDED_OVER)
    assert _status_cell(html, planned.id) == ("planned", PLANNED)
    company = boss.get(f"/ledger/companies/{CODE_A}").get_data(as_text=True)
    assert re.search(rf'{handed.ticket_no}.*?status-handed_over">{HANDED_OVER}<', company, re.S)
    # The list's kept row is keyed on the handover too: undone (a fair reopened), the row says the
    # plain status again, though nothing else of it changed.
    handed.handed_over_on = None
    db.session.commit()
    html = boss.get("/ledger?status=all").get_data(as_text=True)
    assert _status_cell(html, handed.id) == ("planned", PLANNED)


def test_the_requests_xlsx_says_handed_over(app, fair, closed, organiser):
    planned, handed = closed
    boss = login(app.test_client(), "organiser")
    sheet = load_workbook(io.BytesIO(boss.get(f"/organiser/fairs/{fair.id}/requests.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    ticket, status = rows[0].index("需求编号"), rows[0].index("状态")
    by_ticket = {row[ticket]: row[status] for row in rows[1:]}
    assert by_ticket[handed.ticket_no] == HANDED_OVER and by_ticket[planned.ticket_no] == PLANNED


def test_a_rounds_page_and_its_xlsx_say_handed_over(app, fair, closed, organiser):
    planned, handed = closed
    today = fair_today()
    round_ = rules.open_round(*quarter_of(today), organiser, today=today)
    db.session.commit()
    boss = login(app.test_client(), "organiser")
    page = boss.get(f"/ledger/rounds/{round_.id}").get_data(as_text=True)
    assert re.search(rf'{handed.ticket_no}.*?status-handed_over">{HANDED_OVER}<', page, re.S)
    rules.mark(round_, round_.version, [planned.id, handed.id], Mark.open, "推进中", organiser, today=today)
    rules.close_round(round_, round_.version, organiser, today=today)
    db.session.commit()
    rows = list(load_workbook(io.BytesIO(boss.get(f"/ledger/rounds/{round_.id}/xlsx").data))["事项"]
                .iter_rows(values_only=True))
    ticket, status = rows[0].index("需求编号"), rows[0].index("状态")
    by_ticket = {row[ticket]: row[status] for row in rows[1:]}
    assert by_ticket == {handed.ticket_no: HANDED_OVER, planned.ticket_no: PLANNED}
