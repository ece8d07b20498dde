"""What organisers put into the scoreboard (weights, efficiency points) and what they publish
(rankings, disclosures), each published one frozen as it was."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Department
from kiosk.service_requests.models import ServiceRequest

#: what the scoreboard weighs when no organiser has set weights: effect 40, service 40, efficiency 20
DEFAULT_WEIGHTS = (40, 40, 20)


class ScoreWeights(db.Model):
    """The weights of the three scores, as an organiser set them. Rows are only added: the latest
    is in force, and each published ranking keeps its own copy."""
    __tablename__ = "score_weights"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: 比效果: the on-time reply, completion and on-time close-out rates
    effect: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    #: 比服务: the companies' ratings
    service: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    #: 比效率: the points organisers enter for the work they assign
    efficiency: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    set_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    set_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    set_by: so.Mapped["User | None"] = so.relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("effect >= 0 AND service >= 0 AND efficiency >= 0", name="weights_not_negative"),
        sa.CheckConstraint("effect + service + efficiency = 100", name="weights_sum_100"),
    )

    @property
    def as_tuple(self) -> tuple[int, int, int]:
        return self.effect, self.service, self.efficiency

    def __repr__(self):
        return f"<ScoreWeights {self.id} {self.effect}/{self.service}/{self.efficiency}>"


class EfficiencyPoints(db.Model):
    """比效率: an organiser's points (0..100) for how a department carried out the work the organising
    committee assigned it in one month, with a note saying what they are for."""
    __tablename__ = "efficiency_points"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    department_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("department.id"), index=True)
    #: the month, as its first day
    month: so.Mapped[date]
    #: 0..100, to two decimals
    points: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(5, 2))
    #: what the points are for (the tasks, how they went): shown beside them on the scoreboard
    note: so.Mapped[str] = so.mapped_column(sa.Text)
    entered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    entered_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    department: so.Mapped[Department] = so.relationship()
    entered_by: so.Mapped["User | None"] = so.relationship()  # noqa: F821

    __table_args__ = (
        sa.UniqueConstraint("department_id", "month"),
        sa.CheckConstraint("points >= 0 AND points <= 100", name="points_range"),
    )

    def __repr__(self):
        return f"<EfficiencyPoints {self.department_id} {self.month:%Y-%m} {self.points}>"


class PublishedRanking(db.Model):
    """A ranking as an organiser published it: its weights and every row, frozen, so that later
    close-outs, new points or new weights never change it. A correction is a new revision; the old
    one stays as it was."""
    __tablename__ = "published_ranking"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the period's key: 2026-06 (a month), 2026-Q2, 2026-H1, 2026 (kiosk.figures.periods)
    period: so.Mapped[str] = so.mapped_column(sa.String(10))
    #: 1 for the first publication of the period, 2 for its first correction, ...
    revision: so.Mapped[int] = so.mapped_column(default=1)
    effect_weight: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    service_weight: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    efficiency_weight: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    #: the day overdue items were judged on
    as_of: so.Mapped[date]
    published_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    published_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    #: why a revision replaces the one before (empty for a first publication)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: the scoreboard as it stood (kiosk.scoreboard.formula.Scoreboard.as_json)
    snapshot: so.Mapped[dict] = so.mapped_column(sa.JSON)

    published_by: so.Mapped["User | None"] = so.relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("period", "revision"),)

    @property
    def weights(self) -> tuple[int, int, int]:
        return self.effect_weight, self.service_weight, self.efficiency_weight

    def __repr__(self):
        return f"<PublishedRanking {self.id} {self.period} r{self.revision}>"


class Disclosure(db.Model):
    """The half-yearly public disclosure (半年公开), frozen as an organiser published it: before that
    nobody outside sees it; a correction is a new revision."""
    __tablename__ = "disclosure"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the half year: 2026-H1 or 2026-H2
    period: so.Mapped[str] = so.mapped_column(sa.String(10))
    revision: so.Mapped[int] = so.mapped_column(default=1)
    published_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    published_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    #: why a revision replaces the one before, printed on it (empty for a first publication)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: the figures as published (kiosk.scoreboard.disclosure.disclosure_figures): counts and names of
    #: departments and fairs only, never a company, a person, a phone number or a request's text
    snapshot: so.Mapped[dict] = so.mapped_column(sa.JSON)

    published_by: so.Mapped["User | None"] = so.relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("period", "revision"),)

    def __repr__(self):
        return f"<Disclosure {self.id} {self.period} r{self.revision}>"


# The scoreboard reads every request of a year (100,000 at province scale): this index holds every
# column it reads, in the order it groups them, so that its one pass reads the narrow index and never
# the requests' wide rows (their texts). Measured by bench/scoreboard.py: without it SQLite walked
# the booth index and fetched each row, 3.2 x a bare GROUP BY scan of the table.
sa.Index("ix_service_request_scoreboard", ServiceRequest.fair_id, ServiceRequest.booth_id, ServiceRequest.status,
         ServiceRequest.plan_due, ServiceRequest.current_due, ServiceRequest.closed_out_on, ServiceRequest.rating,
         ServiceRequest.rated_on_closeout,
         # a request open at its fair's close and handed over then is no reply on the fair day (0028):
         # counted in the same pass (a query of its own on a partial index cost the pass four times over)
         ServiceRequest.handed_over_on)
