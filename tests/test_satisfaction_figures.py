"""The one function behind every satisfaction figure, on a small fair built by hand."""
from datetime import date

import pytest

from kiosk.figures.satisfaction import satisfaction
from kiosk.poll_reads import booth_figures, reading
from kiosk.service_requests.models import Status
from tests.factories import answers, booth, request_in


@pytest.fixture
def constructed(fair):
    request_in(fair, Status.resolved, "B07", slip=answers(5))
    request_in(fair, Status.planned, "B07", slip=answers(2, [3, 4, 2, 3, 5]))   # flagged: overall 不满意
    request_in(fair, Status.resolved, "B07")                                    # no slip yet
    request_in(fair, Status.waiting, "B07")
    request_in(fair, Status.withdrawn, "B07")
    request_in(fair, Status.resolved, "B01", slip=answers(4, confirmed=False))  # flagged: a "no"
    request_in(fair, Status.in_progress, "B01")
    request_in(fair, Status.planned, "F01", slip=answers(3, [5, 4, 3, 2, 1]))
    return fair


def test_booth_figures(constructed):
    figures = satisfaction(booth_id=booth(constructed, "B07").id)
    assert (figures.with_outcome, figures.slips, figures.satisfied, figures.flags_open) == (3, 2, 1, 1)
    assert figures.averages == {"professionalism": 4.0, "attitude": 4.5, "efficiency": 3.5,
                                "problem_solving": 4.0, "integrity": 5.0, "overall": 3.5}
    assert figures.collection_rate == pytest.approx(2 / 3)
    assert figures.satisfied_share == 0.5 and figures.bad_share == 0.5


def test_the_booth_queue_reads_the_same_figures_through_the_driver(constructed):
    for code in ("B07", "B01", "F01", "B02"):
        with reading() as read:
            assert booth_figures(read, booth(constructed, code).id) == satisfaction(
                booth_id=booth(constructed, code).id)


def test_zone_figures(constructed):
    zone = booth(constructed, "B07").zone
    figures = satisfaction(zone_id=zone.id)
    assert (figures.with_outcome, figures.slips, figures.satisfied, figures.flags_open) == (4, 3, 2, 2)
    assert figures.averages["overall"] == 3.67 and figures.averages["efficiency"] == 3.67


def test_fair_figures_read_the_scale_as_haochaping_does(constructed):
    figures = satisfaction(fair_id=constructed.id)
    assert (figures.with_outcome, figures.slips, figures.satisfied, figures.flags_open) == (5, 4, 3, 2)
    assert figures.averages["overall"] == 3.5 and figures.averages["integrity"] == 3.75
    # Overall ratings 5, 2, 4, 3: satisfied is 非常满意 + 满意 + 基本满意 (5, 4, 3); bad is 不满意 and
    # 非常不满意 (2, 1); the two need not add up to all slips (none is left here).
    assert figures.satisfied_share == 0.75 and figures.bad_share == 0.25 and figures.collection_rate == 0.8


def test_department_over_a_period(constructed):
    department_id = booth(constructed, "B07").department_id
    in_period = satisfaction(department_id=department_id, since=date(2026, 6, 1), until=date(2026, 6, 30))
    assert (in_period.with_outcome, in_period.slips) == (3, 2)
    after = satisfaction(department_id=department_id, since=date(2026, 7, 1))
    assert (after.with_outcome, after.slips, after.averages["overall"]) == (0, 0, None)
    assert after.collection_rate is None and after.satisfied_share is None


def test_a_booth_without_slips(constructed):
    figures = satisfaction(booth_id=booth(constructed, "F02").id)
    assert (figures.with_outcome, figures.slips, figures.flags_open) == (0, 0, 0)
    assert figures.averages["overall"] is None
