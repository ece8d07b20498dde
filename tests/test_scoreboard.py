"""The department scoreboard (大比拼) on a fair built by hand: every input counted, every score and
rank exact, weights honoured, and a published ranking unchanged by anything that happens later."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import current_app

from kiosk.core.database import unit_of_work
from kiosk.core.extensions import db
from kiosk.figures.periods import NoSuchPeriod, Period
from kiosk.ledger import moves
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.scoreboard import service
from kiosk.scoreboard.figures import scoreboard, weights_in_force
from kiosk.scoreboard.formula import Inputs, Scoreboard, scores
from kiosk.scoreboard.models import PublishedRanking
from kiosk.scoreboard.service import ScoreboardRefused
from kiosk.service_requests.models import Status
from kiosk.slips.models import SlipChannel
from kiosk.slips.service import give_slip
from tests.factories import answers, booth, department_staff, make_fair, request_in

JUNE = Period.parse("2026-06")
AS_OF = date(2026, 8, 1)
TODAY = date(2026, 11, 27)  # publishing asks for a period that has ended


def due(item, day):
    """A plan given with this due date (the factory's plan must be due after today, in real time)."""
    item.plan_due = item.current_due = day
    db.session.commit()
    return item


def closed_out(item, due_on, on):
    """A planned item closed out (销号) on a given day, against its original due date."""
    due(item, due_on)
    item.closed_out_on, item.closed_out_at = on, datetime(on.year, on.month, on.day, 2, 0, tzinfo=UTC)
    db.session.commit()
    return item


def close_on_its_day(fair, organiser):
    close_fair(fair, organiser)
    fair.closed_at = datetime(2026, 6, 13, 9, 30)  # 17:30 in Tai'an: the fair closed on its day
    db.session.commit()


@pytest.fixture
def june(fair, organiser):
    """B07 took seven requests (and one withdrawn), B01 two, F01 and F02 one each; B02 none. Each
    unit with a request is ranked (a minimum of one): these tests are about the scores and ranks;
    the minimum has tests of its own."""
    current_app.config["SCOREBOARD_MIN_COUNTED"] = 1
    for rating in (5, 4):
        request_in(fair, Status.resolved, "B07", slip=answers(rating))
    closed_out(request_in(fair, Status.closed_out, "B07"), date(2026, 7, 1), on=date(2026, 6, 30))
    closed_out(request_in(fair, Status.closed_out, "B07", slip=answers(2)), date(2026, 7, 1), on=date(2026, 7, 5))
    due(request_in(fair, Status.planned, "B07"), date(2026, 7, 15))   # open, overdue on 1 August
    due(request_in(fair, Status.done, "B07"), date(2026, 9, 30))      # done, not confirmed, not due yet
    request_in(fair, Status.waiting, "B07")                                # no outcome when the fair closed
    request_in(fair, Status.withdrawn, "B07", slip=None)
    request_in(fair, Status.resolved, "B01", slip=answers(5))
    request_in(fair, Status.resolved, "B01")
    request_in(fair, Status.resolved, "F01", slip=answers(3))
    due(request_in(fair, Status.planned, "F02", slip=answers(1)), date(2026, 9, 30))
    db.session.commit()
    close_on_its_day(fair, organiser)
    department = {code: booth(fair, code).department for code in ("B07", "B01", "B02", "F01", "F02")}
    service.enter_points(department["B07"], date(2026, 6, 1), Decimal("90"), "按时完成专班交办的3项任务", organiser)
    service.enter_points(department["B01"], date(2026, 6, 1), Decimal("70"), "1项任务逾期", organiser)
    db.session.commit()
    return department


def row(board, department):
    return board.row_of(department.id)


def test_every_input_is_counted_by_its_definition(june):
    board = scoreboard(JUNE, as_of=AS_OF)
    b07 = row(board, june["B07"])
    assert b07.inputs == Inputs(received=7, withdrawn=1, replied=6, resolved=2, planned=4, closed_out=2,
                                closed_on_time=1, open_overdue=1, ratings=(1, 1, 0, 1, 0),
                                efficiency=({"month": "2026-06", "points": "90.00",
                                             "note": "按时完成专班交办的3项任务"},))
    assert (b07.reply_rate, b07.completion_rate, b07.closeout_rate) == (6 / 7, 4 / 7, 1 / 3)


def test_scores_and_ranks_are_exact(june):
    board = scoreboard(JUNE, as_of=AS_OF)
    b07, b01, b02, f01, f02 = (row(board, june[code]) for code in ("B07", "B01", "B02", "F01", "F02"))
    # effect 100 × (6/7 + 4/7 + 1/3) / 3; service (100 + 75 + 25) / 3; efficiency 90
    assert (b07.effect, b07.service, b07.efficiency) == (Decimal("58.73"), Decimal("66.67"), Decimal("90.00"))
    assert b07.total == Decimal("68.16")  # (40 × 58.73 + 40 × 66.67 + 20 × 90) / 100
    assert (b01.effect, b01.service, b01.efficiency, b01.total) == (
        Decimal("100.00"), Decimal("100.00"), Decimal("70.00"), Decimal("94.00"))
    # No points entered: ranked on what it has, (40 × 100 + 40 × 50) / 80
    assert (f01.effect, f01.service, f01.efficiency, f01.total) == (
        Decimal("100.00"), Decimal("50.00"), None, Decimal("75.00"))
    assert (f02.effect, f02.service, f02.total) == (Decimal("50.00"), Decimal("0.00"), Decimal("25.00"))
    # Nothing received: listed, not ranked
    assert (b02.inputs.received, b02.total, b02.rank) == (0, None, None)
    # Departments and banks are ranked each among their own kind
    assert [(r.department_id, r.rank) for r in board.of_kind("department")] == [
        (june["B01"].id, 1), (june["B07"].id, 2), (june["B02"].id, None)]
    assert [(r.department_id, r.rank) for r in board.of_kind("bank")] == [(june["F01"].id, 1), (june["F02"].id, 2)]


def test_the_same_fair_makes_the_quarter_half_year_and_year(june):
    june_board = scoreboard(JUNE, as_of=AS_OF)
    for key in ("2026-Q2", "2026-H1", "2026"):
        board = scoreboard(Period.parse(key), as_of=AS_OF)
        assert [(r.department_id, r.total, r.rank) for r in board.rows] == [
            (r.department_id, r.total, r.rank) for r in june_board.rows], key
    assert scoreboard(Period.parse("2026-07"), as_of=AS_OF).rows == ()


def test_changed_weights_are_honoured_and_a_published_ranking_never_changes(june, organiser):
    published = service.publish_ranking(JUNE, organiser, today=AS_OF)
    db.session.commit()
    assert published.weights == (40, 40, 20)
    before = Scoreboard.from_json(published.snapshot)

    service.set_weights(60, 20, 20, organiser)
    service.enter_points(june["B07"], date(2026, 6, 1), Decimal("10"), "改为10分", organiser)
    item = request_in(make_fair(name="另一场", prefix="x"), Status.resolved, "B07")  # another fair, same day
    db.session.commit()

    # (60 × 58.73 + 20 × 66.67 + 20 × 10) / 100: the new weights and points, in the live board
    assert row(scoreboard(JUNE, as_of=AS_OF), june["B07"]).total == Decimal("50.57")
    db.session.expire_all()
    frozen = db.session.get(PublishedRanking, published.id)
    assert Scoreboard.from_json(frozen.snapshot) == before
    assert row(before, june["B07"]).total == Decimal("68.16") and frozen.weights == (40, 40, 20)
    assert item.id  # (the other fair's request exists, and changed nothing published)


def test_a_correction_is_a_new_revision_with_its_reason(june, organiser):
    first = service.publish_ranking(JUNE, organiser, today=AS_OF)
    with pytest.raises(ScoreboardRefused) as refused:
        service.publish_ranking(JUNE, organiser, today=AS_OF)
    assert refused.value.code == "reason_needed"
    second = service.publish_ranking(JUNE, organiser, today=AS_OF, reason="补录效率分")
    db.session.commit()
    assert (first.revision, second.revision, second.note) == (1, 2, "补录效率分")
    with pytest.raises(ScoreboardRefused) as refused:
        service.publish_ranking(Period.parse("2026-11"), organiser, today=TODAY)
    assert refused.value.code == "future"


def test_the_change_since_the_period_before(june, organiser):
    service.publish_ranking(JUNE, organiser, today=AS_OF)
    july = make_fair(name="七月大集", prefix="j")
    july.date = date(2026, 7, 10)
    db.session.commit()
    for _ in range(3):
        request_in(july, Status.resolved, "B07", slip=answers(5))
    request_in(july, Status.waiting, "B01")
    db.session.commit()
    board = scoreboard(Period.parse("2026-07"), as_of=AS_OF)
    assert board.previous_source == "published"
    # make_fair names departments after the fair: the July fair's are its own, ranked fresh
    assert all(r.previous_rank is None for r in board.rows)

    # The same departments at a second fair in July: B07 climbs from 2nd to 1st
    same = make_fair(name="测试要素保障大集", prefix="s")  # same name: the June fair's departments
    same.date = date(2026, 7, 20)
    db.session.commit()
    for _ in range(2):
        request_in(same, Status.resolved, "B07", slip=answers(5))
    request_in(same, Status.waiting, "B01")
    db.session.commit()
    board = scoreboard(Period.parse("2026-07"), as_of=AS_OF)
    b07, b01 = row(board, june["B07"]), row(board, june["B01"])
    assert (b07.rank, b07.previous_rank, b07.rank_change) == (1, 2, 1)
    assert b07.total_change == b07.total - Decimal("68.16")
    assert (b01.previous_rank, b01.rank_change) == (1, b01.previous_rank - b01.rank)


def test_an_outcome_recorded_after_the_fair_day_is_not_a_reply_on_time(fair, organiser):
    """A fair left open past its day: each outcome's time decides, from the trail."""
    on_the_day = request_in(fair, Status.resolved, "B07")
    request_in(fair, Status.resolved, "B07")  # recorded now, months after 13 June
    for event in on_the_day.events:
        event.created_at = datetime(2026, 6, 13, 3, 0)
    db.session.commit()
    board = scoreboard(JUNE, as_of=AS_OF)
    assert (row(board, booth(fair, "B07").department).inputs.replied,
            row(board, booth(fair, "B07").department).inputs.received) == (1, 2)


def test_a_transferred_request_counts_where_it_was_handled(fair, organiser):
    request_in(fair, Status.resolved, "B07", transferred_to="B01")
    close_on_its_day(fair, organiser)
    board = scoreboard(JUNE, as_of=AS_OF)
    assert row(board, booth(fair, "B01").department).inputs.received == 1
    assert row(board, booth(fair, "B07").department).inputs.received == 0


def test_scores_from_inputs_alone():
    nothing = Inputs()
    assert scores(nothing, (40, 40, 20)) == {"effect": None, "service": None, "efficiency": None, "total": None}
    # 2 of 3 replied, 1 of 3 completed, nothing due yet: effect 100 × (2/3 + 1/3) / 2 = 50
    some = Inputs(received=3, replied=2, resolved=1, ratings=(0, 0, 1, 0, 0))
    assert scores(some, (40, 40, 20)) == {"effect": Decimal("50.00"), "service": Decimal("50.00"),
                                           "efficiency": None, "total": Decimal("50.00")}
    # Half up: 100 × 1/8 = 12.5 exactly; 100 × (1/3 + 0) / 2 = 16.666… → 16.67
    assert scores(Inputs(received=3, replied=1), (100, 0, 0))["effect"] == Decimal("16.67")


def test_periods():
    assert [Period.parse(k).key for k in ("2026-06", "2026-Q2", "2026-H1", "2026")] == [
        "2026-06", "2026-Q2", "2026-H1", "2026"]
    assert (Period.parse("2026-Q2").start, Period.parse("2026-Q2").end) == (date(2026, 4, 1), date(2026, 6, 30))
    assert Period.parse("2026-01").previous.key == "2025-12" and Period.parse("2026-H1").previous.key == "2025-H2"
    assert Period.parse("2026").months[-1] == date(2026, 12, 1)
    for bad in ("2026-13", "2026-Q5", "26-01", "2026-H3", ""):
        with pytest.raises(NoSuchPeriod):
            Period.parse(bad)


def test_weights_must_add_up_to_100(app, organiser):
    with pytest.raises(ScoreboardRefused) as refused:
        service.set_weights(50, 40, 20, organiser)
    assert refused.value.code == "weights_sum"
    with pytest.raises(ScoreboardRefused):
        service.set_weights(120, -10, -10, organiser)
    with unit_of_work():
        service.set_weights(50, 30, 20, organiser)
    assert weights_in_force() == (50, 30, 20)


def test_the_ledger_judges_on_time_by_the_original_due_date_and_overdue_by_the_current_one(fair, organiser):
    """An extension moves when an item falls overdue, never what on time means; done (办结) is not
    closed out (销号) until an organiser confirms it."""
    extended = due(request_in(fair, Status.planned, "B07"), date(2026, 7, 1))
    moves.extend(extended, organiser, extended.version, new_due=date(2026, 8, 15), reason="待省厅批复",
                 today=date(2026, 6, 20))
    late = due(request_in(fair, Status.planned, "B07"), date(2026, 7, 1))
    moves.extend(late, organiser, late.version, new_due=date(2026, 8, 15), reason="待省厅批复", today=date(2026, 6, 20))
    moves.finish(late, department_staff(late.booth.department), late.version, result="已供地", evidence="出让合同")
    moves.confirm(late, organiser, late.version, now=datetime(2026, 7, 20, 3, 0, tzinfo=UTC))
    done = due(request_in(fair, Status.done, "B07"), date(2026, 7, 1))
    db.session.commit()
    close_on_its_day(fair, organiser)
    department = booth(fair, "B07").department

    before_extended_due = row(scoreboard(JUNE, as_of=date(2026, 8, 1)), department).inputs
    # closed out on 20 July, inside the extension but after the original 1 July: late
    assert (before_extended_due.closed_out, before_extended_due.closed_on_time) == (1, 0)
    # the extended item is not overdue before 15 August; the done one, past 1 July, is
    assert before_extended_due.open_overdue == 1
    assert before_extended_due.resolved + before_extended_due.closed_out == 1  # done is not completed
    assert row(scoreboard(JUNE, as_of=date(2026, 8, 16)), department).inputs.open_overdue == 2
    assert done.status is Status.done


def test_one_rating_per_matter_the_close_out_confirmation_replaces_the_slip(fair, organiser):
    confirmed = request_in(fair, Status.closed_out, "B07", slip=answers(2))   # the plan rated 不满意 at the fair
    moves.company_verdict(confirmed, accepted=True, rating=5, words=None)       # the result rated 非常满意
    disputed = request_in(fair, Status.closed_out, "B07", slip=answers(5))
    moves.company_verdict(disputed, accepted=False, rating=1, words="地块仍未交付")
    request_in(fair, Status.resolved, "B07", slip=answers(4))
    db.session.commit()
    close_on_its_day(fair, organiser)
    inputs = row(scoreboard(JUNE, as_of=AS_OF), booth(fair, "B07").department).inputs
    assert (inputs.ratings, inputs.confirmation_ratings) == ((1, 1, 0, 0, 1), 2)
    # the disputed item went back to its department: no longer closed out
    assert (inputs.closed_out, inputs.planned) == (1, 2)


def test_each_request_keeps_its_one_rating_whichever_comes_first(fair, organiser):
    """The scoreboard counts ServiceRequest.rating, kept on every slip and verdict: a slip given after
    the company rated the close-out does not replace the close-out's rating."""
    rated_late = request_in(fair, Status.closed_out, "B07")
    moves.company_verdict(rated_late, accepted=True, rating=4, words=None)
    give_slip(rated_late, answers(1), SlipChannel.phone)
    slipped = request_in(fair, Status.resolved, "B07", slip=answers(3))
    db.session.commit()
    db.session.expire_all()
    assert (rated_late.rating, rated_late.rated_on_closeout) == (4, True)
    assert (slipped.rating, slipped.rated_on_closeout) == (3, False)


def test_a_unit_with_fewer_requests_than_the_minimum_is_listed_unranked_with_its_reason(fair, organiser):
    """One request resolved on the spot and rated 非常满意 scores 100.00: below the minimum (3 unless
    set) it is listed with its figures, but not ranked above a unit that handled many."""
    for rating in (5, 4, 2):
        request_in(fair, Status.resolved, "B07", slip=answers(rating))
    request_in(fair, Status.withdrawn, "B01", slip=None)       # withdrawn: not counted
    request_in(fair, Status.resolved, "B01", slip=answers(5))  # the one that counts
    close_on_its_day(fair, organiser)
    b07, b01, b02 = (booth(fair, code).department for code in ("B07", "B01", "B02"))

    board = scoreboard(JUNE, as_of=AS_OF)
    assert board.min_counted == 3
    assert (row(board, b01).total, row(board, b01).rank) == (Decimal("100.00"), None)
    assert (row(board, b07).rank, row(board, b07).inputs.received) == (1, 3)
    assert [board.unranked_reason(row(board, d)) for d in (b07, b01, b02)] == [None, "too_few", "none_received"]
    assert [r.department_id for r in board.of_kind("department")] == [b07.id, b01.id, b02.id]
    # the minimum travels with the board, as a published ranking freezes it
    assert Scoreboard.from_json(board.as_json()) == board

    # A setting: at 1, the single request ranks first again
    current_app.config["SCOREBOARD_MIN_COUNTED"] = 1
    board = scoreboard(JUNE, as_of=AS_OF)
    assert (board.min_counted, row(board, b01).rank, row(board, b07).rank) == (1, 1, 2)


def test_a_published_ranking_keeps_the_minimum_it_was_published_with(fair, organiser):
    request_in(fair, Status.resolved, "B01", slip=answers(5))
    close_on_its_day(fair, organiser)
    published = service.publish_ranking(JUNE, organiser, today=AS_OF)
    db.session.commit()
    current_app.config["SCOREBOARD_MIN_COUNTED"] = 1
    frozen = Scoreboard.from_json(db.session.get(PublishedRanking, published.id).snapshot)
    assert (frozen.min_counted, row(frozen, booth(fair, "B01").department).rank) == (3, None)
    assert row(scoreboard(JUNE, as_of=AS_OF), booth(fair, "B01").department).rank == 1
