"""Rules derived from what is stored, named on the models and enums, so that templates and figures
ask the rule rather than compare states; and the one format of every percentage."""
from datetime import date, timedelta

import pytest

from kiosk.core.rendering import percent
from kiosk.core.timeutil import fair_today
from kiosk.fairs.models import Fair, FairStatus
from kiosk.figures.tally import BUCKETS
from kiosk.ledger.models import Extension, ExtensionStatus
from kiosk.service_requests.models import Channel, EventKind, ServiceRequest, Status

DUE = date(2026, 9, 30)


def planned(status=Status.planned, due=DUE) -> ServiceRequest:
    return ServiceRequest(status=status, plan_due=due)


def test_a_plan_not_closed_out_is_overdue_from_the_day_after_its_due_date():
    item = planned()
    assert not item.overdue_on(DUE - timedelta(days=1))
    assert not item.overdue_on(DUE)  # the due day itself is still in time
    assert item.overdue_on(DUE + timedelta(days=1))


def test_an_extension_moves_the_day_a_plan_falls_overdue_and_never_its_original_due_date():
    item = planned()
    item.extension_requests.append(Extension(new_due=DUE + timedelta(days=60), reason="等待审批",
                                             status=ExtensionStatus.pending))
    # Asked for and not yet approved, it moves nothing: the item is overdue from its original date.
    assert item.overdue_on(DUE + timedelta(days=1)) and item.extension_count == 0 and item.due_now == DUE
    item.extension_requests[-1].status = ExtensionStatus.refused
    item.extension_requests.append(Extension(new_due=DUE + timedelta(days=30), reason="等待审批",
                                             status=ExtensionStatus.approved))
    assert not item.overdue_on(DUE + timedelta(days=1))
    assert item.overdue_on(DUE + timedelta(days=31))
    assert (item.plan_due, item.due_now, item.extension_count) == (DUE, DUE + timedelta(days=30), 1)


@pytest.mark.parametrize("status", [Status.planned, Status.done])
def test_a_plan_done_but_not_yet_closed_out_can_still_fall_overdue(status):
    assert planned(status).overdue_on(DUE + timedelta(days=1))


@pytest.mark.parametrize("status", [s for s in Status if s not in (Status.planned, Status.done)])
def test_only_a_plan_still_open_on_the_ledger_can_be_overdue(status):
    assert not planned(status).overdue_on(DUE + timedelta(days=365))


def test_a_plan_without_a_due_date_is_never_overdue():
    assert not planned(due=None).overdue_on(DUE)


def test_overdue_today_is_judged_by_the_fairs_calendar(app):
    with app.app_context():
        assert planned(due=fair_today() - timedelta(days=1)).is_overdue
        assert not planned(due=fair_today()).is_overdue


def test_the_company_sees_its_trail_without_staff_notes_or_follow_up_calls():
    # (An extension asked for or refused is the staff's: the company sees one once it is approved.)
    assert {kind for kind in EventKind if not kind.shown_to_company} == {
        EventKind.note, EventKind.followup, EventKind.sent_back, EventKind.reconciled, EventKind.extension_asked,
        EventKind.extension_refused, EventKind.park_asked, EventKind.park_refused, EventKind.supervised,
        EventKind.supervision_replied, EventKind.dispatched, EventKind.acknowledged}
    assert EventKind.extended.shown_to_company
    assert all(not kind.shown_to_company for kind in EventKind if kind.organisers_only)


def test_a_transfer_moves_the_lead_and_a_joint_handling_adds_a_booth():
    assert {kind for kind in EventKind if kind.moves_lead} == {EventKind.transferred}
    assert {kind for kind in EventKind if kind.adds_booth} == {EventKind.joined}
    assert {kind for kind in EventKind if kind.names_booth} == {EventKind.transferred, EventKind.joined}
    assert {kind for kind in EventKind if kind.detail_is_channel} == {EventKind.slip}


def test_every_state_gets_exactly_one_of_the_tracking_pages_messages():
    for status in Status:
        said = [status.awaits_staff, status.in_hand, status.resolved_on_site, status.has_plan, status.is_withdrawn]
        assert said.count(True) == 1, status


def test_a_plan_given_at_the_fair_counts_as_planned_in_the_tally_whether_closed_out_or_not():
    assert {s for s in Status if s.has_plan} == set(BUCKETS["planned"])
    assert {s for s in Status if s.awaits_closeout} == {Status.planned, Status.done}
    assert {s for s in Status if s.is_closed_out} == {Status.closed_out}
    assert {s for s in Status if s.is_done} == {Status.done}  # 办结 and 销号: never one figure


def test_every_channel_and_fair_state_has_a_label_and_a_draft_fair_says_so(app):
    with app.test_request_context():
        assert [str(c.label) for c in Channel] == ["企业扫码提交", "工作人员代登记"]
        assert all(str(s.label) for s in FairStatus)
    assert Fair(status=FairStatus.draft).is_draft and not Fair(status=FairStatus.open).is_draft


@pytest.mark.parametrize("share, shown", [
    (None, "—"), (0, "0%"), (0.0, "0%"), (1, "100%"), (1.0, "100%"), (0.5, "50%"), (2 / 3, "66.7%"),
    (1 / 3, "33.3%"), (0.1235, "12.4%"), (0.0005, "0.1%"), (0.00049, "0%"), (0.9995, "100%"),
])
def test_a_percentage_reads_to_a_tenth_rounded_half_up_without_a_trailing_zero(share, shown):
    assert percent(share) == shown
