"""Three-colour supervision (三色督办): each open ledger item's colour on a day, at the boundaries of
every rule, and the Python rule and its SQL form agreeing on a hand-built set."""
import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from kiosk import create_app
from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.ledger import moves
from kiosk.service_requests.models import ServiceRequest, Status
from kiosk.supervision.colours import (
    BOUND,
    SHOWN,
    ColourRules,
    behind,
    behind_mask_sql,
    behind_sql,
    colour_condition,
    colour_counts,
    colour_of,
    colour_sql,
    latest_late_day,
    reasons_of,
)
from kiosk.supervision.models import Behind, Colour
from tests.factories import booth, department_staff, make_fair, request_in
from tests.helpers import fresh

#: a Monday with nothing special around it
MONDAY = date(2025, 6, 16)


def closed_on(fair, day: date):
    """The fair's close time that day, at 17:00 where it is (09:00 UTC, as the close stores it): what
    the colours read. (Its status stays open, so that the tests can still file requests at it.)"""
    fair.closed_at = datetime.combine(day, time(9, 0))
    db.session.commit()


def item_at(fair, *, due: date, status=Status.planned, **columns) -> ServiceRequest:
    """A planned item (brought to `status`), due that day, acknowledged, with a progress note on
    the due day's eve unless told otherwise, then the columns given."""
    item = request_in(fair, status)
    values = {"plan_due": due, "current_due": due, "acknowledged_at": datetime(2025, 1, 1, tzinfo=UTC),
              "last_progress_on": due - timedelta(days=1), **columns}
    for name, value in values.items():
        setattr(item, name, value)
    db.session.commit()
    return item


def colour(item, today: date) -> Colour | None:
    return colour_of(fresh(item.id), ColourRules.on(today))


@pytest.fixture
def closed(app, fair):
    closed_on(fair, MONDAY - timedelta(days=3))
    return fair


def test_blue_is_due_within_the_setting_red_is_past_due(app, closed):
    today = MONDAY
    assert app.config["SUPERVISION_DUE_SOON_DAYS"] == 7
    days = {n: item_at(closed, due=today + timedelta(days=n), last_progress_on=today) for n in (-1, 0, 6, 7, 8)}
    assert {n: colour(item, today) for n, item in days.items()} == {
        -1: Colour.red, 0: Colour.blue, 6: Colour.blue, 7: Colour.blue, 8: Colour.normal}


def test_yellow_after_the_quiet_days_counted_from_the_latest_progress_note(app, closed):
    today, due = MONDAY, MONDAY + timedelta(days=60)
    assert app.config["SUPERVISION_QUIET_DAYS"] == 14
    notes = {n: item_at(closed, due=due, last_progress_on=today - timedelta(days=n)) for n in (13, 14, 15)}
    assert {n: colour(item, today) for n, item in notes.items()} == {
        13: Colour.normal, 14: Colour.yellow, 15: Colour.yellow}
    assert behind(fresh(notes[14].id), ColourRules.on(today)) == (Behind.quiet,)


def test_without_a_progress_note_the_quiet_days_count_from_the_day_it_reached_the_ledger(app, fair):
    today, due = MONDAY, MONDAY + timedelta(days=60)
    handed = {n: item_at(fair, due=due, last_progress_on=None, handed_over_on=today - timedelta(days=n))
              for n in (13, 14)}
    planned_at_fair = item_at(fair, due=due, last_progress_on=None)
    # the fair still open: the clock has not started for what was planned at it
    assert colour(planned_at_fair, today) is Colour.normal
    assert {n: colour(item, today) for n, item in handed.items()} == {13: Colour.normal, 14: Colour.yellow}
    closed_on(fair, today - timedelta(days=13))
    assert colour(planned_at_fair, today) is Colour.normal
    closed_on(fair, today - timedelta(days=14))
    assert colour(planned_at_fair, today) is Colour.yellow


def test_the_fairs_close_day_is_the_day_where_the_fair_is(app, fair):
    """Closed at 23:30 where the fair is (15:30 UTC), the close day is that day, not the next."""
    today = MONDAY
    item = item_at(fair, due=today + timedelta(days=60), last_progress_on=None)
    fair.closed_at = datetime.combine(today - timedelta(days=14), time(15, 30))
    db.session.commit()
    assert colour(item, today) is Colour.yellow
    fair.closed_at = datetime.combine(today - timedelta(days=14), time(16, 30))  # 00:30 the day after
    db.session.commit()
    assert colour(item, today) is Colour.normal


def test_not_acknowledged_within_three_working_days_across_a_weekend(app, fair):
    """Handed over on a Thursday: Friday, Monday and Tuesday are its three working days."""
    thursday = date(2025, 6, 12)
    item = item_at(fair, due=thursday + timedelta(days=60), acknowledged_at=None, handed_over_on=thursday,
                   last_progress_on=thursday)
    assert app.config["ACKNOWLEDGE_WORKING_DAYS"] == 3
    seen = {day: colour(item, day) for day in (date(2025, 6, 14), date(2025, 6, 17), date(2025, 6, 18))}
    assert seen == {date(2025, 6, 14): Colour.normal, date(2025, 6, 17): Colour.normal,
                    date(2025, 6, 18): Colour.yellow}
    assert behind(fresh(item.id), ColourRules.on(date(2025, 6, 18))) == (Behind.unacknowledged,)
    item.acknowledged_at = datetime(2025, 6, 18, 1, tzinfo=UTC)
    db.session.commit()
    assert colour(item, date(2025, 6, 18)) is Colour.normal


def test_not_acknowledged_across_the_national_day_holiday_and_its_working_saturday(app, fair):
    """Handed over on 30 September 2025: 1-8 October are holidays, the 9th, 10th and Saturday the
    11th (worked in their place) its three working days."""
    handed = date(2025, 9, 30)
    item = item_at(fair, due=handed + timedelta(days=60), acknowledged_at=None, handed_over_on=handed,
                   last_progress_on=date(2025, 10, 11))
    assert colour(item, date(2025, 10, 8)) is Colour.normal
    assert colour(item, date(2025, 10, 11)) is Colour.normal
    assert colour(item, date(2025, 10, 12)) is Colour.yellow
    # the SQL form's bound: handed over on a holiday, the deadline is the same Saturday
    assert latest_late_day(date(2025, 10, 12), 3) == date(2025, 10, 8)
    assert latest_late_day(date(2025, 10, 11), 3) == date(2025, 9, 29)


def test_a_pending_extension_is_yellow_and_overdue_is_red_whatever_else(app, closed):
    today = MONDAY
    pending = item_at(closed, due=today + timedelta(days=3), extension_asked_on=today - timedelta(days=1))
    late_and_pending = item_at(closed, due=today - timedelta(days=1), extension_asked_on=today)
    assert colour(pending, today) is Colour.yellow
    assert behind(fresh(pending.id), ColourRules.on(today)) == (Behind.extension_pending,)
    assert colour(late_and_pending, today) is Colour.red


def test_an_item_done_waits_on_the_organisers_and_is_not_quiet_nor_unacknowledged(app, closed):
    today = MONDAY
    done = item_at(closed, due=today + timedelta(days=30), status=Status.done, last_progress_on=None,
                   acknowledged_at=None)
    assert colour(done, today) is Colour.normal
    done.extension_asked_on = today
    db.session.commit()
    assert colour(done, today) is Colour.yellow


def test_a_parked_item_has_no_colour_until_its_review_day(app, closed):
    today = MONDAY
    parked = item_at(closed, due=today - timedelta(days=10), parked_until=today + timedelta(days=1))
    assert colour(parked, today) is Colour.parked
    parked.parked_until = today  # its review day: back, and overdue
    db.session.commit()
    assert colour(parked, today) is Colour.red


def test_items_not_open_on_the_ledger_have_no_colour(app, closed):
    today = MONDAY
    closed_out = item_at(closed, due=today - timedelta(days=10), status=Status.closed_out)
    resolved = request_in(closed, Status.resolved)
    assert colour(closed_out, today) is None and colour(resolved, today) is None
    rules = ColourRules.on(today)
    found = dict(db.session.execute(sa.select(ServiceRequest.id, colour_sql(rules))).all())
    assert found[closed_out.id] is None and found[resolved.id] is None
    assert colour_counts(rules).open == 0


def test_a_progress_note_on_the_ledger_keeps_its_day(app, fair, organiser):
    item = request_in(fair, Status.planned)
    assert item.last_progress_on is None
    moves.progress(item, department_staff(item.booth.department), item.version, text="已完成踏勘")
    db.session.commit()
    assert fresh(item.id).last_progress_on == fair_today()


# --- Python and SQL agree ---------------------------------------------------------------------------

def test_the_sql_form_agrees_with_the_rule_for_one_item_on_a_hand_built_set(app, organiser):
    """Every combination that matters, on days around a weekend and the National Day holiday: the
    colour read by SQL, each colour's filter, the counts and the reasons all say what colour_of says."""
    rng = random.Random(24)
    first, second = make_fair(name="一号大集"), make_fair(name="二号大集", prefix="s-")
    closed_on(first, date(2025, 9, 26))  # the second stays open
    base = date(2025, 9, 30)
    offsets = (-20, -15, -14, -13, -8, -3, -1, 0, 1, 3, 7, 8, 14, 30)
    states = (Status.planned, Status.planned, Status.planned, Status.done, Status.closed_out, Status.resolved)
    items = []
    for n in range(72):
        fair = (first, second)[n % 2]
        day = base + timedelta(days=rng.choice(offsets))
        item = request_in(fair, rng.choice(states), at=rng.choice(["B01", "B07", "F01"]))
        item.plan_due = item.current_due = None if n % 23 == 5 else day
        item.handed_over_on = rng.choice([None, None, base + timedelta(days=rng.choice(offsets))])
        item.last_progress_on = rng.choice([None, base + timedelta(days=rng.choice(offsets))])
        item.acknowledged_at = rng.choice([None, datetime(2025, 9, 1, tzinfo=UTC)])
        item.extension_asked_on = rng.choice([None, None, None, base])
        item.parked_until = rng.choice([None, None, None, base + timedelta(days=rng.choice(offsets))])
        items.append(item)
    db.session.commit()
    days = [base + timedelta(days=n) for n in (-3, 0, 1, 6, 8, 11, 12, 13, 16, 30)]
    seen = set()
    for today in days:
        rules = ColourRules.on(today)
        db.session.expire_all()
        loaded = {i.id: i for i in db.session.scalars(sa.select(ServiceRequest))}
        expected = {i: colour_of(item, rules) for i, item in loaded.items()}
        seen.update(expected.values())
        read = dict(db.session.execute(sa.select(ServiceRequest.id, colour_sql(rules))).all())
        assert read == expected, today
        # the same, from a statement built once with the days as parameters (the ledger's rows)
        bound = db.session.execute(sa.select(ServiceRequest.id, colour_sql(BOUND), behind_mask_sql(BOUND)),
                                   rules.params()).all()
        assert {i: c for i, c, _ in bound} == expected, today
        assert {i: reasons_of(mask) for i, _, mask in bound} == {i: behind(item, rules) for i, item in loaded.items()}
        for each in SHOWN:
            filtered = set(db.session.scalars(sa.select(ServiceRequest.id).where(colour_condition(each, rules))))
            assert filtered == {i for i, c in expected.items() if c is each}, (today, each)
        counts = colour_counts(rules)
        assert [counts[each] for each in SHOWN] == [list(expected.values()).count(each) for each in SHOWN], today
        assert colour_counts(rules, fair_id=first.id).open == sum(
            1 for i, c in expected.items() if c is not None and loaded[i].fair_id == first.id)
        department = booth(first, "B07").department_id
        assert colour_counts(rules, department_id=department).open == sum(
            1 for i, c in expected.items() if c is not None and loaded[i].booth.department_id == department)
        for reason, condition in behind_sql(rules).items():
            matched = set(db.session.scalars(sa.select(ServiceRequest.id).where(condition)))
            assert matched == {i for i, item in loaded.items() if reason in behind(item, rules)}, (today, reason)
    assert seen >= {*SHOWN, None}, "the set reaches every colour"


def test_the_migration_gives_items_with_progress_notes_their_latest_notes_day(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "t", "TESTING": True})
    with app.app_context():
        upgrade()
        fair = make_fair()
        noted, quiet = request_in(fair, Status.planned), request_in(fair, Status.planned)
        staff = department_staff(noted.booth.department)
        for text in ("踏勘", "编制方案"):
            moves.progress(noted, staff, noted.version, text=text)
        db.session.commit()
        # the notes on 1 February and (the latest) 1 March at 23:30 UTC: 2 March where the fair is (UTC+8)
        first, latest = db.session.scalars(sa.text(
            "SELECT id FROM request_event WHERE kind = 'progress' ORDER BY id")).all()
        for event_id, at in ((first, datetime(2026, 2, 1, 10)), (latest, datetime(2026, 3, 1, 23, 30))):
            db.session.execute(sa.text("UPDATE request_event SET created_at = :at WHERE id = :id"),
                               {"at": at, "id": event_id})
        db.session.commit()
        ids = noted.id, quiet.id
        db.session.remove()
        downgrade(revision="0031")
        upgrade()
        got = dict(db.session.execute(sa.select(ServiceRequest.id, ServiceRequest.last_progress_on)).all())
        assert got == {ids[0]: date(2026, 3, 2), ids[1]: None}
        db.session.remove()
        db.engine.dispose()


def test_every_colour_has_its_word_and_every_rule_its_definition(app):
    rules = ColourRules.on(MONDAY)
    with app.test_request_context():
        definitions = {each: str(text) for each, text in rules.definitions().items()}
        labels = [str(c.label) for c in SHOWN]
        names = {c: str(c.colour_name) for c in SHOWN}
    assert set(definitions) == set(SHOWN)
    assert "7天" in definitions[Colour.blue] and "14天" in definitions[Colour.yellow]
    assert "3个工作日" in definitions[Colour.yellow]
    assert labels == ["逾期", "滞后", "临期", "正常", "挂账"]
    assert names == {Colour.red: "红色", Colour.yellow: "黄色", Colour.blue: "蓝色", Colour.normal: "",
                     Colour.parked: ""}
