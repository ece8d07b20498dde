"""The satisfaction figures, computed in one place for the queue, the dashboard, the tally and the
scoreboard: slips collected against requests with an outcome, the average of each dimension, the
share satisfied and the share of bad ratings, and the follow-up flags still open. Shares are
fractions (0..1): pages show them through the `percent` filter (kiosk.core.rendering.percent).

The shares read the overall rating as the national 好差评 scale does: satisfied is 非常满意, 满意 or
基本满意 (5, 4, 3); a bad rating (差评) is 不满意 or 非常不满意 (2, 1). Every page and PDF that shows
them states this (tally/_body.html's footnote)."""
from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Fair
from kiosk.service_requests.models import ServiceRequest, Status
from kiosk.slips.models import DIMENSIONS, SatisfactionSlip

#: satisfied: 基本满意 (3), 满意 (4) or 非常满意 (5), as the 好差评 scale reads it
SATISFIED_AT = 3
#: a bad rating (差评): 不满意 (2) or 非常不满意 (1)
BAD_AT = 2
#: the states with an outcome (resolved, planned, closed out), in the enum's order
_OUTCOME = tuple(status for status in Status if status.has_outcome)
_RATED = (*DIMENSIONS, "overall")


@dataclass(frozen=True)
class Satisfaction:
    with_outcome: int
    slips: int
    #: average rating per dimension and overall, 1..5, None without slips
    averages: dict[str, float | None]
    satisfied: int
    flags_open: int
    #: slips whose overall rating is bad (BAD_AT or below)
    bad: int = 0

    @property
    def collection_rate(self) -> float | None:
        return self.slips / self.with_outcome if self.with_outcome else None

    @property
    def satisfied_share(self) -> float | None:
        """非常满意 + 满意 + 基本满意, of the slips collected."""
        return self.satisfied / self.slips if self.slips else None

    @property
    def bad_share(self) -> float | None:
        """不满意 + 非常不满意 (差评), of the slips collected."""
        return self.bad / self.slips if self.slips else None


def satisfaction(*, booth_id: int | None = None, zone_id: int | None = None, fair_id: int | None = None,
                 department_id: int | None = None, since: date | None = None, until: date | None = None
                 ) -> Satisfaction:
    """Figures for a booth, a zone, a fair, or a department over fairs held from since to until.

    A request counts where its lead booth is now (after any transfer).
    """
    return _figures(booth_id=booth_id, zone_id=zone_id, fair_id=fair_id, department_id=department_id,
                    since=since, until=until)[None]


def satisfaction_by_booth(fair_id: int) -> dict[int, Satisfaction]:
    """The same figures for every booth of a fair at once (booths without requests are absent)."""
    return _figures(fair_id=fair_id, per_booth=True)


#: what each scope argument filters on
_SCOPES = {
    "booth_id": lambda p: ServiceRequest.booth_id == p,
    "zone_id": lambda p: Booth.zone_id == p,
    "fair_id": lambda p: ServiceRequest.fair_id == p,
    "department_id": lambda p: Booth.department_id == p,
    "since": lambda p: Fair.date >= p,
    "until": lambda p: Fair.date <= p,
}


def _figures(per_booth=False, **scope) -> dict:
    given = {name: value for name, value in scope.items() if value is not None}
    rows = db.session.connection().execute(satisfaction_statement(frozenset(given), per_booth), given)
    return {row.key: satisfaction_from_row(row) for row in rows}


def satisfaction_from_row(row) -> Satisfaction:
    """From a row of satisfaction_statement's columns, by their names (an SQLAlchemy row, or the
    named row kiosk.poll_reads makes of the driver's)."""
    return Satisfaction(with_outcome=row.with_outcome, slips=row.slips, satisfied=row.satisfied,
                        flags_open=row.flags_open, bad=row.bad,
                        averages={name: None if (value := getattr(row, name)) is None else round(float(value), 2)
                                  for name in _RATED})


@cache
def satisfaction_statement(filters: frozenset, per_booth: bool):
    """One statement per combination of filters, built once (the booth queue asks on every change)."""
    # Spelled out rather than IN (...): a list of values is expanded anew at every execution (half
    # the cost of the booth's query), and a DriverStatement cannot hold one.
    # (an outcome given at the fair: a request handed over at its close had none, and takes no slip)
    has_outcome = sa.and_(sa.or_(*(ServiceRequest.status == status for status in _OUTCOME)),
                          ServiceRequest.handed_over_on.is_(None))
    rated = sa.and_(has_outcome, SatisfactionSlip.id.is_not(None))
    columns = [
        sa.func.count(sa.case((has_outcome, 1))).label("with_outcome"),
        sa.func.count(sa.case((rated, 1))).label("slips"),
        sa.func.count(sa.case((sa.and_(rated, SatisfactionSlip.overall >= SATISFIED_AT), 1))).label("satisfied"),
        sa.func.count(sa.case((sa.and_(rated, SatisfactionSlip.overall <= BAD_AT), 1))).label("bad"),
        sa.func.count(sa.case((sa.and_(SatisfactionSlip.needs_followup,
                                       SatisfactionSlip.followup_closed_at.is_(None)), 1))).label("flags_open"),
        *(sa.func.avg(sa.case((rated, getattr(SatisfactionSlip, name)))).label(name) for name in _RATED),
    ]
    key = ServiceRequest.booth_id if per_booth else sa.null()
    query = sa.select(key.label("key"), *columns).select_from(ServiceRequest)
    # Booth and Fair only when a filter asks for them: the queue's booth figures need neither.
    if filters & {"zone_id", "department_id"}:
        query = query.join(Booth, ServiceRequest.booth_id == Booth.id)
    if filters & {"since", "until"}:
        query = query.join(Fair, ServiceRequest.fair_id == Fair.id)
    query = (query.outerjoin(SatisfactionSlip, SatisfactionSlip.request_id == ServiceRequest.id)
             .where(sa.true(), *(_SCOPES[name](sa.bindparam(name)) for name in sorted(filters))))
    return query.group_by(ServiceRequest.booth_id) if per_booth else query
