"""The wait estimate (kiosk.figures.waits) over stays read from trails (kiosk.figures.visits), with
no database: trails written by hand, as a booth's day would make them."""
from datetime import datetime, timedelta

from kiosk.figures.visits import CLOSED, OUTCOME, TRANSFERRED, TrailRow, visits
from kiosk.figures.waits import (
    ABOUT,
    BLENDED,
    BOOTH,
    FALLBACK,
    NOTHING,
    OVER,
    SOON,
    UNKNOWN,
    booth_pace,
    estimate,
    rounded,
)
from kiosk.service_requests.models import EventKind

NINE = datetime(2026, 6, 13, 1, 0)  # 09:00 in Shanghai, stored as naive UTC
B07, B02 = 7, 2
FALLBACK_MINUTES = 8


def at(minutes: float) -> datetime:
    return NINE + timedelta(minutes=minutes)


def trail(request_id: int, events, booth=B07, filed=0) -> list[TrailRow]:
    """A request's trail: events as (kind, minute, from_booth, to_booth) or (kind, minute)."""
    rows = []
    for kind, minute, *booths in events:
        from_booth, to_booth = booths or (None, None)
        rows.append(TrailRow(request_id, booth, at(filed), kind, at(minute), from_booth, to_booth))
    return rows


def served(request_id: int, taken: float, done: float, booth=B07, filed=0, outcome=EventKind.resolved):
    return trail(request_id, [(EventKind.taken, taken), (outcome, done)], booth=booth, filed=filed)


def one_at_a_time(durations, start=0, first_id=1):
    """A booth where one person works the requests one after another, each taking so many minutes."""
    rows, clock = [], start
    for offset, minutes in enumerate(durations):
        rows += served(first_id + offset, clock, clock + minutes)
        clock += minutes
    return rows


def test_before_any_outcome_the_booth_is_estimated_at_the_fallback_per_request():
    pace = booth_pace(visits(trail(1, [(EventKind.taken, 2)])), B07, FALLBACK_MINUTES)
    assert (pace.basis, pace.samples, pace.minutes_each) == (FALLBACK, 0, 8)
    wait = estimate(2, pace, FALLBACK_MINUTES)
    # 2 ahead and half of the one in hand: 20 minutes
    assert (wait.shown, wait.minutes) == (ABOUT, 20)


def test_one_quick_outcome_does_not_promise_the_hall_a_minute_wait():
    pace = booth_pace(visits(served(1, 0, 1)), B07, FALLBACK_MINUTES)
    # the one outcome (1 minute) and two fallbacks (8): the median is the fallback's
    assert (pace.basis, pace.samples, pace.work_minutes) == (BLENDED, 1, 8)
    pace = booth_pace(visits(served(1, 0, 1) + served(2, 1, 3)), B07, FALLBACK_MINUTES)
    assert (pace.basis, pace.work_minutes) == (BLENDED, 2)


def test_with_no_fallback_and_no_outcome_the_wait_is_not_estimated():
    pace = booth_pace([], B07, 0)
    assert pace.basis == NOTHING
    assert estimate(3, pace, 0).shown == UNKNOWN
    # with no fallback, its one outcome is all it goes by, said as the booth's own pace
    pace = booth_pace(visits(served(1, 0, 12)), B07, 0)
    assert (pace.basis, pace.work_minutes) == (BOOTH, 12)


def test_a_slow_stretch_then_a_fast_one_the_estimate_follows_the_recent_pace():
    slow = one_at_a_time([20] * 8)
    fast = one_at_a_time([4] * 7, start=160, first_id=20)
    stays = visits(slow)
    assert booth_pace(stays, B07, FALLBACK_MINUTES).work_minutes == 20
    assert estimate(3, booth_pace(stays, B07, FALLBACK_MINUTES), 8).minutes == 70
    # three fast ones in: the window (the last 7) still holds four slow ones
    stays = visits(slow + one_at_a_time([4] * 3, start=160, first_id=20))
    assert booth_pace(stays, B07, FALLBACK_MINUTES).work_minutes == 20
    # the fast stretch has filled the window: the slow morning no longer counts
    stays = visits(slow + fast)
    pace = booth_pace(stays, B07, FALLBACK_MINUTES)
    assert (pace.basis, pace.work_minutes, pace.parallel) == (BOOTH, 4, 1)
    assert (estimate(3, pace, 8).shown, estimate(3, pace, 8).minutes) == (ABOUT, 15)


def test_two_staff_working_side_by_side_halve_the_wait():
    rows = []
    for n in range(6):  # two at a time, each 20 minutes
        rows += served(2 * n + 1, 20 * n, 20 * n + 20) + served(2 * n + 2, 20 * n + 1, 20 * n + 21)
    pace = booth_pace(visits(rows), B07, FALLBACK_MINUTES)
    assert (pace.work_minutes, pace.parallel, pace.minutes_each) == (20, 2, 10)
    assert estimate(4, pace, 8).minutes == 45


def test_a_request_in_hand_is_no_outcome_yet_but_counts_as_staff_at_work():
    rows = one_at_a_time([10] * 3) + trail(9, [(EventKind.taken, 30)])
    stays = visits(rows)
    assert [stay.in_hand for stay in stays] == [False, False, False, True]
    assert booth_pace(stays, B07, FALLBACK_MINUTES).samples == 3


def test_a_transfer_counts_as_the_sending_booths_work_and_arrives_as_new_at_the_other():
    rows = trail(1, [(EventKind.taken, 5), (EventKind.transferred, 17, B02, B07), (EventKind.taken, 40),
                     (EventKind.planned, 52)], booth=B07)
    sent, received = visits(rows)
    assert (sent.booth_id, sent.arrived, sent.taken, sent.end) == (B02, at(0), at(5), TRANSFERRED)
    assert sent.work_minutes == 12
    assert (received.booth_id, received.arrived, received.end) == (B07, at(17), OUTCOME)
    assert received.wait_minutes == 23
    assert booth_pace(visits(rows), B02, 0).samples == 1
    assert booth_pace(visits(rows), B07, 0).work_minutes == 12


def test_a_request_transferred_before_anyone_took_it_times_nobodys_work():
    rows = trail(1, [(EventKind.transferred, 3, B02, B07)])
    sent, received = visits(rows)
    assert sent.work_minutes is None and received.end is None
    assert booth_pace(visits(rows), B02, 0).basis == NOTHING


def test_a_reopened_request_and_the_close_count_in_no_pace():
    rows = served(1, 0, 10) + trail(1, [(EventKind.reopened, 12), (EventKind.resolved, 13)])
    rows += trail(2, [(EventKind.taken, 5), (EventKind.handed_over, 300)])
    stays = visits(sorted(rows, key=lambda row: (row.request_id, row.at)))
    assert [(stay.end, stay.work_minutes) for stay in stays] == [(OUTCOME, 10), (OUTCOME, None), (CLOSED, None)]
    assert booth_pace(stays, B07, 0).work_minutes == 10


def test_waits_are_said_rounded_never_to_the_minute():
    assert rounded(3.2) == (SOON, 5)
    assert rounded(13) == (ABOUT, 15)
    assert rounded(61) == (ABOUT, 60)
    assert rounded(97) == (ABOUT, 100)
    assert rounded(500) == (OVER, 180)


def test_the_estimate_tag_moves_only_with_what_the_page_shows():
    slow = booth_pace(visits(one_at_a_time([10, 11, 12])), B07, 8)
    slower = booth_pace(visits(one_at_a_time([10, 12, 12])), B07, 8)
    assert estimate(2, slow, 8).tag == estimate(2, slower, 8).tag  # 27.5 and 30: both about 30
    assert estimate(2, slow, 8).tag != estimate(1, slow, 8).tag


def test_a_call_ends_the_wait_and_the_work_is_timed_from_the_take_up():
    rows = trail(1, [(EventKind.called, 10), (EventKind.called_again, 12), (EventKind.taken, 14),
                     (EventKind.resolved, 24)])
    rows += trail(2, [(EventKind.called, 30), (EventKind.resolved, 36)], filed=5)
    first, second = visits(rows)
    assert (first.wait_minutes, first.work_minutes) == (10, 10)
    # given its outcome straight after its call: its work is timed from the call
    assert (second.wait_minutes, second.work_minutes) == (25, 6)


def test_a_company_skipped_twice_is_a_no_show_of_the_booth_it_waited_at():
    rows = trail(1, [(EventKind.called, 10), (EventKind.skipped, 12), (EventKind.called_again, 15),
                     (EventKind.no_show, 17)])
    (stay,) = visits(rows)
    assert (stay.no_show, stay.end, stay.wait_minutes, stay.work_minutes) == (True, None, 10, None)
