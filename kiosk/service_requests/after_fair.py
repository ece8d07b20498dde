"""The columns a request gains after its fair, for supervision (督办): mixed into ServiceRequest so
that SQL filters and counts by them on the request's own row. Each is a copy kept by the moves
that change it (kiosk.ledger, kiosk.supervision); the record is the trail and the rows those moves
add (extensions, parkings, notices' items)."""
import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext as _l

from kiosk.core.timeutil import AwareDateTime
from kiosk.fairs.models import enum_column


class ParkCause(enum.Enum):
    """Why an item cannot be finished now (挂账): the common-bottleneck analysis groups by it."""
    department = "department"
    policy = "policy"
    higher_level = "higher_level"
    legacy = "legacy"
    company = "company"
    other = "other"

    @property
    def label(self):
        return PARK_CAUSE_LABELS[self]


PARK_CAUSE_LABELS = {
    ParkCause.department: _l("部门自身原因"),
    ParkCause.policy: _l("政策或机制原因"),
    ParkCause.higher_level: _l("需上级协调解决"),
    ParkCause.legacy: _l("历史遗留问题"),
    ParkCause.company: _l("企业自身原因"),
    ParkCause.other: _l("其他原因"),
}


class EndReason(enum.Enum):
    """Why an organiser's close ended a request still open at it rather than hand it over (its
    status is then withdrawn: no tally counts it; this says why, and the tally lists them apart)."""
    #: 企业未返回: the company left the booth and did not come back
    no_return = "no_return"
    #: 重复提交: the same need filed twice
    duplicate = "duplicate"
    #: 企业撤回: the company said it no longer needs it
    company_withdrew = "company_withdrew"

    @property
    def label(self):
        return END_REASON_LABELS[self]


END_REASON_LABELS = {
    EndReason.no_return: _l("企业未返回"),
    EndReason.duplicate: _l("重复提交"),
    EndReason.company_withdrew: _l("企业撤回"),
}

#: what pages say of a request the close handed over or ended, in place of its status
AFTER_CLOSE_LABELS = {"handed_over": _l("会后办理"), "ended": _l("闭幕时结束")}


class AfterFairColumns:
    """Columns (and the ceiling on due dates): a relationship here would need declared_attr; put those
    on ServiceRequest."""
    #: 会后办理: the day an organiser's close handed this request, still open at the close, to its
    #: booth's department (kiosk.organiser.fair_lifecycle); None for plans given at the fair
    handed_over_on: so.Mapped[date | None]
    #: the day a department asked for an extension still waiting for an organiser's decision (the
    #: request is the Extension row); None when none is pending
    extension_asked_on: so.Mapped[date | None]
    #: 挂账: parked until this review day (an approved Parking); None when not parked. Parked on a
    #: day means parked_until > day: on its review day the item is back
    parked_until: so.Mapped[date | None]
    #: the approved parking's cause, kept with parked_until
    park_cause: so.Mapped[ParkCause | None] = enum_column(ParkCause, nullable=True)
    #: 签收: when the department acknowledged the item on the ledger; None until then
    acknowledged_at: so.Mapped[datetime | None] = so.mapped_column(AwareDateTime)
    #: the day of the latest progress note (办理进展), for supervision's "no progress for N days"
    last_progress_on: so.Mapped[date | None]
    #: why the close ended this request, still open at it (kiosk.organiser.fair_lifecycle); None for
    #: every other request, withdrawn at the booth or not
    end_reason: so.Mapped[EndReason | None] = enum_column(EndReason, nullable=True)
    #: 异议: the company disputed the close-out (its CloseOutVerdict, one per item, not accepted), set
    #: in the flush that writes the verdict (service_requests/analysis_copies.py); nothing takes a
    #: verdict back. The bottleneck analysis reads it on its index instead of joining the verdicts
    #: (bench/analysis.py). A server default only: an insert made through older tables (the
    #: migrations' tests) names no column it does not know
    disputed: so.Mapped[bool] = so.mapped_column(server_default=sa.false())

    @property
    def was_handed_over(self) -> bool:
        """会后办理: open at its fair's close and handed to its department then, with a reply deadline
        (plan_due), not given a plan at the fair: no figure counts it as one."""
        return self.handed_over_on is not None

    @property
    def ended_at_close(self) -> bool:
        """Open at its fair's close and ended then, with a reason (end_reason)."""
        return self.end_reason is not None

    @property
    def takes_slip(self) -> bool:
        """A fair-day satisfaction slip rates an outcome given at the fair: not one handed over at the
        close, which had none (its one rating comes with the close-out's verdict, 一事一评)."""
        return self.status.has_outcome and self.handed_over_on is None  # (status: ServiceRequest's)

    @property
    def after_close_state(self) -> str | None:
        """"handed_over" while a request the close handed over waits for its result (planned), "ended"
        for one the close ended, else None: pages say these in place of the status (a plan given, a
        withdrawal), which would misstate what happened at the close."""
        if self.end_reason is not None:
            return "ended"
        status = self.status  # (ServiceRequest's)
        return "handed_over" if self.handed_over_on is not None and status.awaits_closeout and not status.is_done \
            else None

    @property
    def shown_status(self) -> str:
        """The state's key as a page shows it (its badge's class): after_close_state, else the status's."""
        return self.after_close_state or self.status.value

    @property
    def shown_status_label(self):
        """The state in words as a page shows it: after_close_state's, else the status's."""
        state = self.after_close_state
        return AFTER_CLOSE_LABELS[state] if state else self.status.label

    @property
    def due_ceiling(self) -> date | None:
        """The latest due date this item may ever have (extensions, a round's mark): the ceiling
        past its original due date. (A property, not a column: it is plan_due's, and the setting's.)"""
        plan_due = self.plan_due  # (ServiceRequest's)
        return None if plan_due is None else due_ceiling(plan_due)


def due_ceiling(original: date) -> date:
    """The latest due date allowed from that one: EXTENSION_CEILING_DAYS past it. Extensions
    (asked, approved, an organiser's own, a round's mark) never go past an item's original due
    date's; a plan given at the fair never past the fair day's."""
    return original + timedelta(days=current_app.config["EXTENSION_CEILING_DAYS"])


