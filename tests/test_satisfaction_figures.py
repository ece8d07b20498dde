"""The one function behind every satisfaction figure, on a small fair built by hand."""
from datetime import date, timedelta

import pytest


from kiosk.figures.satisfaction import satisfaction
from kiosk.poll_reads import booth_figures, reading
from kiosk.service_requests import workflow
from kiosk.slips.models import SlipChannel
from kiosk.slips.service import SlipAnswers, give_slip
from tests.conftest import booth
from tests.test_workflow import new_request

DIMENSIONS = ["professionalism", "attitude", "efficiency", "problem_solving", "integrity"]


def rated(item, scores, overall, confirmed=True):
    give_slip(item, SlipAnswers(confirmed=confirmed, ratings={**dict(zip(DIMENSIONS, scores)), "overall": overall}),
              SlipChannel.phone)


@pytest.fixture
def constructed(fair, organiser):
    later = date.today() + timedelta(days=30)
    n = iter(range(100))

    def request(code, status):
        item = new_request(fair, code, next(n))
        if status in ("resolved", "planned", "withdrawn", "in_progress"):
            workflow.take(item, organiser, item.version)
        if status == "resolved":
            workflow.resolve(item, organiser, item.version, resolution="办结")
        if status == "planned":
            workflow.plan(item, organiser, item.version, plan_text="方案", unit="局", person="赵", due=later,
                          today=date.today())
        if status == "withdrawn":
            workflow.withdraw(item, organiser, item.version, reason="重复")
        return item

    rated(request("B07", "resolved"), [5, 5, 5, 5, 5], 5)
    rated(request("B07", "planned"), [3, 4, 2, 3, 5], 2)           # flagged: overall 不满意
    request("B07", "resolved")                                     # no slip yet
    request("B07", "waiting")
    request("B07", "withdrawn")
    rated(request("B01", "resolved"), [4, 4, 4, 4, 4], 4, confirmed=False)  # flagged: a "no"
    request("B01", "in_progress")
    rated(request("F01", "planned"), [5, 4, 3, 2, 1], 3)
    return fair


def test_booth_figures(constructed):
    figures = satisfaction(booth_id=booth(constructed, "B07").id)
    assert (figures.with_outcome, figures.slips, figures.satisfied, figures.flags_open) == (3, 2, 1, 1)
    assert figures.averages == {"professionalism": 4.0, "attitude": 4.5, "efficiency": 3.5,
                                "problem_solving": 4.0, "integrity": 5.0, "overall": 3.5}
    assert figures.collection_rate == pytest.approx(2 / 3)
    assert figures.satisfied_share == 0.5


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


def test_fair_figures(constructed):
    figures = satisfaction(fair_id=constructed.id)
    assert (figures.with_outcome, figures.slips, figures.satisfied, figures.flags_open) == (5, 4, 2, 2)
    assert figures.averages["overall"] == 3.5 and figures.averages["integrity"] == 3.75
    assert figures.satisfied_share == 0.5 and figures.collection_rate == 0.8


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
