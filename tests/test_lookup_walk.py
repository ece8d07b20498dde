"""The lookup by ticket number and mobile digits, against someone who knows a company's mobile and
walks the fair's ticket numbers with its last 4 digits (B01-001, B02-001 ... F10-001, B01-002 ...):
that walk found F08-002 on its 48th try in 0.3 s while misses were counted per ticket and per fair
only. Ticket numbers are public (the hall screen calls them), so misses are counted per digits too."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, DepartmentKind
from kiosk.intake.models import LookupMiss
from tests.factories import request_in
from tests.helpers import csrf_token

CODES = [f"B{n:02d}" for n in range(1, 16)] + [f"F{n:02d}" for n in range(1, 11)]
#: the company walked for: its mobile is known, its ticket is not
TARGET, MOBILE = "F08-002", "13953815678"


def lookup(client, fair, ticket, last4):
    return client.post(f"/f/{fair.id}/find", data={"csrf_token": csrf_token(client, f"/f/{fair.id}/find"),
                                                   "ticket": ticket, "last4": last4})


@pytest.fixture
def hall(app, fair):
    """A fair of 25 booths, B01-B15 and F01-F10, each with three requests from companies whose
    mobiles end otherwise, but for F08-002: the target's."""
    zones = {zone.name[:2]: zone for zone in fair.zones}
    have = {b.code for b in fair.booths}
    for code in CODES:
        if code not in have:
            bank = code.startswith("F")
            department = Department(name=f"走查单位{code}",
                                    kind=DepartmentKind.bank if bank else DepartmentKind.department)
            db.session.add(Booth(fair=fair, zone=zones["金融" if bank else "要素"], department=department, code=code))
    db.session.commit()
    made = {}
    for n in range(1, 4):
        for i, code in enumerate(CODES):
            ticket = f"{code}-{n:03d}"
            made[ticket] = request_in(fair, at=code, mobile=MOBILE if ticket == TARGET else f"1391234{i:02d}{n:02d}")
            assert made[ticket].ticket_no == ticket
    return made


def later(by: timedelta):
    """Time passes: every miss kept is older by this much. (Computed here: SQLite has no interval
    arithmetic, and at - timedelta there gives a number, which reads as older than any time.)"""
    for miss in db.session.scalars(sa.select(LookupMiss)):
        miss.at -= by
    db.session.commit()


def walk():
    """The ticket numbers in the walk's order: every booth's first, then every booth's second..."""
    return [f"{code}-{n:03d}" for n in range(1, 4) for code in CODES]


def test_walking_the_fairs_ticket_numbers_with_one_mobiles_digits_never_finds_the_ticket(app, hall, fair):
    assert walk().index(TARGET) == 47  # the 48th try, as it was found
    answers = [lookup(app.test_client(), fair, ticket, MOBILE[-4:]).status_code for ticket in walk()]
    assert 303 not in answers
    # Five misses, then a pause: the walk covered five tickets, not a booth.
    assert answers[:5] == [404] * 5 and set(answers[5:]) == {429}
    # An hour later (when a ticket's own count is over) the digits are still held back; a day later,
    # five more tickets: some ten days to reach the 48th, where it took 0.3 s.
    later(timedelta(hours=1, minutes=1))
    assert lookup(app.test_client(), fair, walk()[5], MOBILE[-4:]).status_code == 429
    later(timedelta(days=1))
    assert [lookup(app.test_client(), fair, ticket, MOBILE[-4:]).status_code for ticket in walk()[5:11]] == [
        404] * 5 + [429]


def test_the_company_typing_its_own_ticket_and_digits_gets_in_at_once(app, hall, fair):
    # A walk with another mobile's digits holds nobody else back...
    for ticket in walk()[:12]:
        lookup(app.test_client(), fair, ticket, "0000")
    # ...and a company that mistypes its ticket number a few times still gets in, on any phone.
    phone = app.test_client()
    for wrong in ("F08-020", "F03-002", "F80-002"):
        assert lookup(phone, fair, wrong, "5678").status_code == 404
    found = lookup(phone, fair, "f08-2", "5678")
    assert found.status_code == 303 and found.headers["Location"] == f"/t/{hall[TARGET].token}"
    # Another company of the fair: at once, with its own.
    other = hall["B03-002"]
    found = lookup(app.test_client(), fair, "B03-002", other.contact_mobile[-4:])
    assert found.headers["Location"] == f"/t/{other.token}"


def test_what_it_costs_a_walk_with_a_companys_digits_holds_its_lookup_back_for_a_day(app, hall, fair):
    for ticket in walk()[:5]:
        lookup(app.test_client(), fair, ticket, MOBILE[-4:])
    paused = lookup(app.test_client(), fair, TARGET, MOBILE[-4:])
    assert paused.status_code == 429
    assert "查询次数过多，请稍后再试，或到摊位请工作人员帮助查询" in paused.get_data(as_text=True)
    # Its tracking link still works, and a day later so does the lookup.
    assert app.test_client().get(f"/t/{hall[TARGET].token}").status_code == 200
    later(timedelta(days=1, minutes=1))
    assert lookup(app.test_client(), fair, TARGET, MOBILE[-4:]).status_code == 303


def test_the_digits_are_counted_per_fair(app, hall, fair):
    from tests.factories import make_fair
    other_fair = make_fair(name="另一场大集", prefix="x")
    theirs = request_in(other_fair, at="B07", mobile=MOBILE)
    for ticket in walk()[:5]:
        lookup(app.test_client(), fair, ticket, MOBILE[-4:])
    assert lookup(app.test_client(), fair, walk()[5], MOBILE[-4:]).status_code == 429
    assert lookup(app.test_client(), other_fair, "B07-001", MOBILE[-4:]).headers["Location"] == f"/t/{theirs.token}"


def test_a_hit_never_takes_back_the_digits_misses(app, hall, fair):
    """Else a guesser would file a request with a mobile ending in the company's digits and clear
    the count with its own ticket between walks."""
    own = request_in(fair, at="B01", mobile="13800005678")
    for ticket in walk()[:4]:
        assert lookup(app.test_client(), fair, ticket, "5678").status_code == 404
    assert lookup(app.test_client(), fair, own.ticket_no, "5678").status_code == 303
    assert lookup(app.test_client(), fair, walk()[4], "5678").status_code == 404
    assert lookup(app.test_client(), fair, walk()[5], "5678").status_code == 429
