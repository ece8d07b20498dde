"""The scoreboard's rules: organisers set the weights, enter efficiency points and publish rankings
and disclosures. Each function flushes; the request's end commits (kiosk.core.database)."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.fairs.models import Department
from kiosk.figures.periods import Period
from kiosk.scoreboard.disclosure import disclosure_figures
from kiosk.scoreboard.figures import scoreboard
from kiosk.scoreboard.formula import Scoreboard
from kiosk.scoreboard.models import Disclosure, EfficiencyPoints, PublishedRanking, ScoreWeights

MESSAGES = {
    "weights_sum": _l("三项权重之和须为100。"),
    "weights_range": _l("每项权重须为0到100之间的整数。"),
    "points_range": _l("效率分须在0到100之间，最多两位小数。"),
    "note_needed": _l("请写明这项效率分的依据。"),
    "future": _l("这一期尚未结束，不能发布。"),
    "not_half": _l("公开按半年进行，请选择上半年或下半年。"),
    "reason_needed": _l("更正已发布的内容，须写明更正原因。"),
    "nothing": _l("这一期没有举办大集，没有可发布的内容。"),
    "nothing_received": _l("这半年的大集没有受理任何需求，没有可公开的内容。"),
}


class ScoreboardRefused(Refused):
    MESSAGES = MESSAGES


def set_weights(effect: int, service: int, efficiency: int, actor) -> ScoreWeights:
    """New weights for every ranking computed from now on; published rankings keep theirs."""
    if any(not isinstance(w, int) or not 0 <= w <= 100 for w in (effect, service, efficiency)):
        raise ScoreboardRefused("weights_range")
    if effect + service + efficiency != 100:
        raise ScoreboardRefused("weights_sum")
    weights = ScoreWeights(effect=effect, service=service, efficiency=efficiency, set_by=actor)
    db.session.add(weights)
    db.session.flush()
    return weights


def enter_points(department: Department, month: date, points: Decimal | None, note: str, actor
                 ) -> EfficiencyPoints | None:
    """A department's efficiency points for a month, with the note that says what they are for; a
    second entry for the same month replaces the first; no points (None) takes the entry away.
    Published rankings keep the points they were published with."""
    month = month.replace(day=1)
    entry = db.session.scalar(sa.select(EfficiencyPoints).filter_by(department_id=department.id, month=month))
    if points is None:
        if entry is not None:
            db.session.delete(entry)
            db.session.flush()
        return None
    if not Decimal(0) <= points <= Decimal(100) or points != points.quantize(Decimal("0.01")):
        raise ScoreboardRefused("points_range")
    if not note:
        raise ScoreboardRefused("note_needed")
    if entry is None:
        entry = EfficiencyPoints(department=department, month=month)
        db.session.add(entry)
    entry.points, entry.note, entry.entered_by = points, note, actor
    db.session.flush()
    return entry


def _check_period(period: Period, today: date, reason: str | None, earlier) -> None:
    if period.end >= today:
        raise ScoreboardRefused("future")
    if earlier is not None and not reason:
        raise ScoreboardRefused("reason_needed")


def publish_ranking(period: Period, actor, *, today: date, reason: str | None = None) -> PublishedRanking:
    """Freeze the period's ranking as it stands today, with the weights in force: from now on it is
    what departments are shown for that period, whatever changes later. Publishing again is a
    correction (a new revision, with its reason); the earlier one stays as it was."""
    earlier = _latest(PublishedRanking, period)
    _check_period(period, today, reason, earlier)
    board = scoreboard(period, as_of=today)
    if not board.fairs:
        raise ScoreboardRefused("nothing")
    ranking = PublishedRanking(
        period=period.key, revision=earlier.revision + 1 if earlier else 1, as_of=today, published_by=actor,
        effect_weight=board.weights[0], service_weight=board.weights[1], efficiency_weight=board.weights[2],
        note=reason or None, snapshot=board.as_json())
    db.session.add(ranking)
    db.session.flush()
    return ranking


def frozen_board(ranking: PublishedRanking) -> Scoreboard:
    return Scoreboard.from_json(ranking.snapshot)


def publish_disclosure(period: Period, actor, *, today: date, reason: str | None = None) -> Disclosure:
    """Make the half year's figures public, frozen as they stand today. Until this, the public
    page answers 404; a correction is a new revision that says why."""
    if period.kind != "half":
        raise ScoreboardRefused("not_half")
    earlier = _latest(Disclosure, period)
    _check_period(period, today, reason, earlier)
    figures = disclosure_figures(period, as_of=today)
    if not figures["fairs"]:
        raise ScoreboardRefused("nothing")
    if not figures["totals"]["received"]:
        raise ScoreboardRefused("nothing_received")
    disclosure = Disclosure(period=period.key, revision=earlier.revision + 1 if earlier else 1,
                            published_by=actor, note=reason or None, snapshot=figures)
    db.session.add(disclosure)
    db.session.flush()
    return disclosure


def _latest(model, period: Period):
    return db.session.scalars(sa.select(model).where(model.period == period.key)
                              .order_by(model.revision.desc()).limit(1)).first()
