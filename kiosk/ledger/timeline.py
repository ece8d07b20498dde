"""A request's trail as a timeline (全过程动态轨迹图): who did what and when, how long the item stayed
at each step, and each change of who leads it, so anyone can see where an item is stuck and why.

Staff and organisers see every step (a follow-up call is for organisers only); the company sees its
own subset (EventKind.shown_to_company). The stays are measured between the steps the viewer sees.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext

from kiosk.core.timeutil import utcnow
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest


@dataclass(frozen=True)
class Step:
    event: RequestEvent
    #: how long the item stayed at this step: until the next step shown, or until now for the last
    #: step of an item still open (None: the last step of an item with nothing more to happen)
    stayed: timedelta | None
    #: the one leading it before and after, when this step changed it (a transfer, a new
    #: responsible unit); else None
    lead_from: str | None
    lead_to: str | None
    #: what to print under the step: its detail (for a change of lead, only the reason), or None
    note: str | None

    @property
    def is_last(self) -> bool:
        return self.stayed is None


def timeline(item: ServiceRequest, *, company: bool = False, organiser: bool = False,
             now: datetime | None = None) -> list[Step]:
    events = [e for e in item.events if _shown(e.kind, company=company, organiser=organiser)]
    now = now or utcnow()
    still_moving = not item.status.is_withdrawn and not item.status.resolved_on_site and not (
        item.status.is_closed_out and item.verdict is not None and item.verdict.accepted)
    steps = []
    for n, event in enumerate(events):
        following = events[n + 1].created_at if n + 1 < len(events) else (now if still_moving else None)
        stayed = following - event.created_at if following is not None else None
        lead_from, lead_to = _lead_change(event)
        steps.append(Step(event, max(stayed, timedelta(0)) if stayed is not None else None, lead_from, lead_to,
                          _note(event, company=company)))
    return steps


def _note(event: RequestEvent, *, company: bool) -> str | None:
    if event.kind.detail_is_channel or not event.detail or (company and not event.kind.detail_for_company):
        return None
    if event.kind is EventKind.reassigned:
        return event.detail.partition("\n")[2] or None  # the first line is the change itself
    return event.detail


def _shown(kind: EventKind, *, company: bool, organiser: bool) -> bool:
    if company:
        return kind.shown_to_company
    return organiser or not kind.organisers_only


def _lead_change(event: RequestEvent) -> tuple[str | None, str | None]:
    if event.kind is EventKind.transferred and event.to_booth is not None:
        before = event.from_booth
        return (f"{before.code} {before.name}" if before else None), f"{event.to_booth.code} {event.to_booth.name}"
    if event.kind is EventKind.reassigned and event.detail:
        # The move wrote "before → after" on the detail's first line.
        first = event.detail.split("\n", 1)[0]
        before, _, after = first.partition(" → ")
        return before, after
    return None, None


def stay(stayed: timedelta) -> str:
    """How long an item stayed at a step, to the minute: 3天2小时, 2小时5分钟, 5分钟 (the `stay`
    template filter)."""
    days, hours, minutes = stay_parts(stayed)
    if days:
        return gettext("%(d)d天%(h)d小时", d=days, h=hours)
    if hours:
        return gettext("%(h)d小时%(m)d分钟", h=hours, m=minutes)
    return gettext("%(m)d分钟", m=minutes) if minutes else gettext("不到1分钟")


def stay_parts(stayed: timedelta) -> tuple[int, int, int]:
    """Days, hours and minutes of a stay."""
    minutes = int(stayed.total_seconds() // 60)
    return minutes // 1440, minutes % 1440 // 60, minutes % 60
