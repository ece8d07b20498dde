"""Calling at the booth (叫号): call the next in line, call again, skip a company that is not there.

Each move writes its trail event (its to_booth: the booth that called, which the hall screen shows)
and keeps the copies in kiosk.service_requests.calls; who is next is kiosk.service_requests.line's.
Taking the called ticket up (开始办理) is workflow.take, as for any waiting request.

Two staff calling at one booth at once never call the same ticket: on PostgreSQL the next in line
is read FOR UPDATE SKIP LOCKED (the second call skips the row the first holds until it commits),
and the row's version guards the rest (a lost race is a conflict, never a double call).
"""
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth, FairStatus
from kiosk.service_requests.line import next_in_line
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest


class CallingError(Refused):
    MESSAGES = {
        "nobody_waiting": _l("当前没有排队等候的企业。"),
        "not_open": _l("大集未在进行中，不能叫号。"),
        "not_called": _l("这个号当前未被叫号。"),
        "conflict": _l("这条需求刚被其他人更新过，以下是最新状态。"),
        "busy": _l("刚才有其他工作人员同时叫号，请再点一次“叫下一位”。"),
    }


def _guarded(error_code: str):
    """A lost race at the flush (the row's version moved under us) is a refusal, not a double call."""
    def wrap(function):
        @wraps(function)
        def guarded(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except StaleDataError:
                db.session.rollback()
                raise CallingError(error_code) from None
        return guarded
    return wrap


@_guarded("busy")
def call_next(booth: Booth, actor, now: datetime | None = None) -> ServiceRequest:
    """Call the first in the booth's line (叫号); refused when the line is empty or the fair not open."""
    if booth.fair.status is not FairStatus.open:
        raise CallingError("not_open")
    now = now or utcnow()
    item = db.session.scalars(next_in_line(booth.id, now)).first()
    if item is None:
        raise CallingError("nobody_waiting")
    return _call(item, actor, booth, EventKind.called, now)


@_guarded("conflict")
def call_again(item: ServiceRequest, actor, version: int, now: datetime | None = None) -> ServiceRequest:
    """Call the same ticket again (再次叫号): one called, or one skipped once (held for the grace
    minutes, or back in line since): a call again after a skip counts as its one return."""
    now = now or utcnow()
    _begin(item, version)
    state = item.line_state_at(now)
    if not (state == "called" or (state in ("held", "in_line") and item.skipped_at is not None)):
        raise CallingError("not_called")
    return _call(item, actor, item.booth, EventKind.called_again, now)


@_guarded("conflict")
def skip(item: ServiceRequest, actor, version: int, now: datetime | None = None) -> ServiceRequest:
    """Not here (过号): the first time it is held aside for the grace minutes, then goes back to the
    end of the line by itself; the second time it is a no-show (未到场), out of the line, still open."""
    now = now or utcnow()
    _begin(item, version)
    if item.line_state_at(now) != "called":
        raise CallingError("not_called")
    item.called_at = None
    if item.skipped_at is None:
        item.skipped_at = now
        item.in_line_since = now + timedelta(minutes=current_app.config["SKIP_GRACE_MINUTES"])
        kind = EventKind.skipped
    else:
        item.no_show_at = now
        kind = EventKind.no_show
    return _record(item, actor, kind, item.booth, now)


def _begin(item: ServiceRequest, version: int) -> None:
    if item.version != version:
        raise CallingError("conflict")
    if item.fair.status is not FairStatus.open:
        raise CallingError("not_open")


def _call(item: ServiceRequest, actor, booth: Booth, kind: EventKind, now: datetime) -> ServiceRequest:
    item.called_at = now
    item.call_count = (item.call_count or 0) + 1
    return _record(item, actor, kind, booth, now)


def _record(item: ServiceRequest, actor, kind: EventKind, booth: Booth, now: datetime) -> ServiceRequest:
    item.events.append(RequestEvent(kind=kind, actor=actor, from_status=item.status, to_status=item.status,
                                    to_booth=booth, created_at=now))
    db.session.flush()
    return item
