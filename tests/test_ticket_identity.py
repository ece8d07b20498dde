"""Numbers that identify: a ticket number (B07-001) repeats at every fair, so wherever requests of
several fairs are listed together (the ledger, the follow-up calls, a company's file, a round and
its PDF and XLSX, the exports, the API) each one says which fair it is from, and exports and the
API carry a number unique across fairs (ServiceRequest.qualified_no)."""
import csv
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from kiosk.core.extensions import db
from kiosk.ledger import rounds
from kiosk.ledger.models import Mark
from kiosk.service_requests.models import Status
from kiosk.service_requests.numbers import qualified_no
from tests.factories import CODE_A, answers, department_staff, make_fair, request_in
from tests.helpers import login, pdf_text
from tests.test_api import get, token

DUE = date.today() + timedelta(days=20)


@pytest.fixture
def twins(app, organiser):
    """B07-001 twice: planned at two fairs held on the same day (the same departments at both),
    each with a bad slip to follow up, for the same company."""
    first, second = make_fair(), make_fair(prefix="x")
    first.name, second.name = "春季要素保障大集", "秋季要素保障大集"
    db.session.commit()
    items = [request_in(fair, Status.planned, "B07", due=DUE, slip=answers(1, confirmed=False),
                        need=f"{fair.name}的用地需求") for fair in (first, second)]
    assert items[0].ticket_no == items[1].ticket_no == "B07-001"
    assert items[0].fair.date == items[1].fair.date
    return items


def row(page: str, prefix: str, item) -> str:
    return re.search(rf'<tr id="{prefix}{item.id}"[^>]*>(.*?)</tr>', page, re.S).group(1)


def test_the_qualified_number_is_unique_and_readable(twins):
    first, second = twins
    assert first.qualified_no == f"20260613-F{first.fair_id}-B07-001"
    assert first.qualified_no != second.qualified_no
    # The fair's day alone would not do: both fairs were held on it.
    assert qualified_no(date(2026, 6, 13), 3, "B07-001") != qualified_no(date(2026, 6, 13), 4, "B07-001")
    assert " " not in first.qualified_no and "/" not in first.qualified_no


def test_the_ledger_tells_the_two_apart_for_organisers_and_departments(app, twins, organiser):
    staff = department_staff(twins[0].booth.department)
    db.session.commit()
    for who in (organiser.username, staff.username):
        page = login(app.test_client(), who).get("/ledger").get_data(as_text=True)
        shown = [row(page, "item-", item) for item in twins]
        for item, mine, theirs in ((twins[0], shown[0], shown[1]), (twins[1], shown[1], shown[0])):
            assert item.fair.name in mine and item.fair.name not in theirs
            assert "2026-06-13" in mine and f'title="{item.qualified_no}"' in mine


def test_the_follow_up_calls_tell_the_two_apart(app, twins, organiser):
    page = login(app.test_client(), organiser.username).get("/followups").get_data(as_text=True)
    cells = re.findall(r'<td class="ticket-cell">(.*?)</td>', page, re.S)
    assert len(cells) == 2
    for item in twins:
        (mine,) = [cell for cell in cells if item.qualified_no in cell]
        assert "B07-001" in mine and item.fair.name in mine and "2026-06-13" in mine


def test_a_companys_file_tells_the_two_apart(app, twins, organiser):
    page = login(app.test_client(), organiser.username).get(f"/ledger/companies/{CODE_A}").get_data(as_text=True)
    for item, other in (twins, twins[::-1]):
        mine = row(page, "request-", item)
        assert item.fair.name in mine and other.fair.name not in mine and item.qualified_no in mine


def test_each_fairs_export_carries_the_qualified_number(app, twins, organiser):
    boss = login(app.test_client(), organiser.username)
    numbers = []
    for item in twins:
        text = boss.get(f"/organiser/fairs/{item.fair_id}/requests.csv").get_data().decode("utf-8-sig")
        (line,) = list(csv.DictReader(io.StringIO(text)))
        assert line["需求编号"] == "B07-001" and line["大集需求编号"] == item.qualified_no
        numbers.append(line["大集需求编号"])
        sheet = load_workbook(io.BytesIO(boss.get(f"/organiser/fairs/{item.fair_id}/requests.xlsx").data)).active
        header, values = list(sheet.iter_rows(values_only=True))
        assert dict(zip(header, values, strict=True))["大集需求编号"] == item.qualified_no
    assert len(set(numbers)) == 2


def test_a_round_its_pdf_and_its_xlsx_tell_the_two_apart(app, twins, organiser):
    round_ = rounds.open_round(2026, 2, organiser, today=date(2026, 7, 2))
    db.session.commit()
    boss = login(app.test_client(), organiser.username)
    page = boss.get(f"/ledger/rounds/{round_.id}").get_data(as_text=True)
    for item, other in (twins, twins[::-1]):
        mine = row(page, "line-", item)
        assert item.fair.name in mine and other.fair.name not in mine and "2026-06-13" in mine
    rounds.mark(round_, round_.version, [item.id for item in twins], Mark.open, "推进中", organiser,
                today=date(2026, 7, 2))
    rounds.close_round(round_, round_.version, organiser, today=date(2026, 7, 2))
    db.session.commit()
    frozen = boss.get(f"/ledger/rounds/{round_.id}").get_data(as_text=True)
    assert all(item.fair.name in frozen for item in twins)
    text = re.sub(r"\s+", "", pdf_text(boss.get(f"/ledger/rounds/{round_.id}/pdf").data))
    assert all(f"B07-0012026-06-13{item.fair.name}" in text for item in twins)
    sheet = load_workbook(io.BytesIO(boss.get(f"/ledger/rounds/{round_.id}/xlsx").data))["事项"]
    header, *lines = list(sheet.iter_rows(values_only=True))
    by_number = {dict(zip(header, line, strict=True))["大集需求编号"]: dict(zip(header, line, strict=True))
                 for line in lines}
    assert set(by_number) == {item.qualified_no for item in twins}
    assert all(by_number[item.qualified_no]["大集"] == item.fair.name for item in twins)


def test_the_api_gives_each_its_qualified_number(app, client, twins):
    secret = token()
    listed = get(client, "/api/v1/requests", secret).json["results"]
    assert sorted(r["qualified_no"] for r in listed) == sorted(item.qualified_no for item in twins)
    assert [r["ticket_no"] for r in listed] == ["B07-001", "B07-001"]
    for item in twins:
        one = get(client, f"/api/v1/ledger-items/{item.id}", secret).json
        assert one["qualified_no"] == item.qualified_no and one["acknowledged_datetime"] is None
    documented = get(client, "/api/v1/openapi.json", secret).json["components"]["schemas"]
    assert "qualified_no" in documented["Request"]["required"]
    assert "qualified_no" in documented["LedgerItem"]["required"]
