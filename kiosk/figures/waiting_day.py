"""The day's waiting figures per booth (等候情况), for the closing tally, the dashboard and the
scoreboard, each with its definition (templates/waits/_macros.html, shown wherever they are):

- waited: how many requests' waits ended at the booth (called or taken up there);
- median wait: the median, over those, of the minutes from arriving in the booth's line (filed
  there, or transferred there) to the first call (叫号) or take-up (开始办理), whichever came first;
- longest wait: the longest of those;
- no-shows (未到场): requests skipped there a second time (kiosk.service_requests.calling).

A request that left the line without being called or taken up (withdrawn, transferred on, still
waiting at the close) has no wait that ended, and is counted in none of the first three. The stays
are kiosk.figures.visits', as the ticket page's wait estimate reads them.
"""
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from statistics import median

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department
from kiosk.figures.visits import Visit, minutes_between, trail_rows, visits
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status


@dataclass(frozen=True)
class WaitFigures:
    """One booth's (or a zone's, or the fair's) waiting figures; minutes rounded to whole ones."""
    waited: int
    median: int | None
    longest: int | None
    no_shows: int

    def as_dict(self) -> dict:
        return asdict(self)


NO_WAITS = WaitFigures(0, None, None, 0)


def figures_of(stays: Iterable[Visit]) -> WaitFigures:
    """The waiting figures of these stays (one booth's, a zone's, the fair's)."""
    stays = list(stays)
    waits = [stay.wait_minutes for stay in stays if stay.wait_minutes is not None]
    return WaitFigures(waited=len(waits), median=round(median(waits)) if waits else None,
                       longest=round(max(waits)) if waits else None,
                       no_shows=sum(1 for stay in stays if stay.no_show))


def by_booth(stays: Sequence[Visit]) -> dict[int, WaitFigures]:
    """Each booth's waiting figures, by booth id (booths with no stay are left out: NO_WAITS)."""
    grouped = defaultdict(list)
    for stay in stays:
        grouped[stay.booth_id].append(stay)
    return {booth_id: figures_of(its) for booth_id, its in grouped.items()}


def fair_stays(fair_id: int) -> list[Visit]:
    """Every stay of the fair's requests in its booths' lines."""
    return visits(trail_rows(fair_id=fair_id))


@dataclass(frozen=True)
class LongestWaiting:
    """The request waiting longest at one booth now."""
    booth_id: int
    booth_code: str
    booth_name: str
    ticket_no: str
    request_id: int
    #: when it arrived in the booth's line (filed, or transferred there), naive UTC
    since: datetime
    minutes: int


def not_yet_called_sql():
    """The SQL condition for a request whose wait has not ended: waiting, and not called (nor
    skipped, nor a no-show) since it arrived in its booth's line (a transfer clears those marks)."""
    return sa.and_(ServiceRequest.status == Status.waiting, ServiceRequest.called_at.is_(None),
                   ServiceRequest.skipped_at.is_(None), ServiceRequest.no_show_at.is_(None))


def arrived_sql():
    """When a request arrived in its booth's line, in SQL: its latest transfer's time, else its filing."""
    return sa.func.coalesce(
        sa.select(sa.func.max(RequestEvent.created_at))
        .where(RequestEvent.request_id == ServiceRequest.id, RequestEvent.kind == EventKind.transferred)
        .scalar_subquery(), ServiceRequest.created_at)


def longest_waiting_now(fair_id: int, now: datetime) -> list[LongestWaiting]:
    """Per booth with anyone whose wait has not ended (not_yet_called_sql), the one waiting longest
    since it arrived in the booth's line; the longest first."""
    rows = db.session.execute(
        sa.select(ServiceRequest.booth_id, Booth.code, Department.name, ServiceRequest.ticket_no, ServiceRequest.id,
                  arrived_sql().label("since"))
        .join(Booth, Booth.id == ServiceRequest.booth_id).join(Department, Department.id == Booth.department_id)
        .where(ServiceRequest.fair_id == fair_id, not_yet_called_sql())).all()
    first = {}
    for row in rows:
        if row.booth_id not in first or row.since < first[row.booth_id].since:
            first[row.booth_id] = row
    found = [LongestWaiting(row.booth_id, row.code, row.name, row.ticket_no, row.id, row.since,
                            round(minutes_between(row.since, now))) for row in first.values()]
    return sorted(found, key=lambda one: one.since)


def tally_waits(fair_id: int) -> dict:
    """The closing tally's waiting figures (JSON-ready, frozen with it at the close): each booth's,
    in code order, and the fair's."""
    stays = fair_stays(fair_id)
    per_booth = by_booth(stays)
    booths = db.session.execute(sa.select(Booth.id, Booth.code, Department.name).join(Department)
                                .where(Booth.fair_id == fair_id).order_by(Booth.code))
    return {"booths": [{"code": code, "name": name, **per_booth.get(booth_id, NO_WAITS).as_dict()}
                       for booth_id, code, name in booths],
            "totals": figures_of(stays).as_dict()}
