"""The departments' rankings (大比拼) as organisers published them: each with its period, weights,
the day its figures stood on, and every row frozen as it was (scores, rank, inputs). A correction is
a new revision; the earlier one is still served, marked superseded.

Only what was published: the scoreboard computed from today's figures is never served (it is not
final, and a department would read a rank it was never given). The rows name departments and banks
and carry counts, so there is nothing personal in them for either scope.
"""
import re

import sqlalchemy as sa
from flask import abort, request

from kiosk.api import bp
from kiosk.api.common import PAGE_PARAMETERS, BadQuery, answers, cached, iso, page_of, page_schema, parameter
from kiosk.core.extensions import db
from kiosk.figures.periods import NoSuchPeriod, Period
from kiosk.scoreboard.models import PublishedRanking

#: a period's key as the document has it: ASCII digits, nothing after (Period.parse alone would take
#: other scripts' digits and a trailing newline)
PERIOD = r"2[0-9]{3}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?"
_VERSION = sa.select(sa.func.count(PublishedRanking.id), sa.func.coalesce(sa.func.max(PublishedRanking.id), 0))


def version() -> str:
    """Published rankings are never changed, only added (a correction is a new revision)."""
    count, last = db.session.execute(_VERSION).one()
    return f"r{count}.{last}"


@bp.get("/rankings")
def rankings():
    def make():
        statement = sa.select(PublishedRanking).order_by(PublishedRanking.id)
        if (period := _period()) is not None:
            statement = statement.where(PublishedRanking.period == period)
        latest = _latest_revisions()
        return page_of(statement, lambda ranking: serialise(ranking, latest))
    return cached(make, version)


@bp.get("/rankings/<int:ranking_id>")
def ranking(ranking_id: int):
    def make():
        found = db.session.get(PublishedRanking, ranking_id)
        if found is None:
            abort(404)
        return serialise(found, _latest_revisions())
    return cached(make, version)


def _period() -> str | None:
    key = request.args.get("period")
    if key is None:
        return None
    try:
        if not re.fullmatch(PERIOD, key):
            raise NoSuchPeriod(key)
        return Period.parse(key).key
    except NoSuchPeriod:
        raise BadQuery("period", "a month (2026-06), quarter (2026-Q2), half (2026-H1) or year (2026)") from None


def _latest_revisions() -> dict[str, int]:
    return dict(db.session.execute(sa.select(PublishedRanking.period, sa.func.max(PublishedRanking.revision))
                                   .group_by(PublishedRanking.period)).all())


def serialise(ranking: PublishedRanking, latest: dict[str, int]) -> dict:
    frozen = ranking.snapshot
    return {
        "ranking_id": ranking.id,
        "period": ranking.period,
        "revision": ranking.revision,
        "superseded": ranking.revision < latest.get(ranking.period, ranking.revision),
        "correction_note": ranking.note,
        "published_datetime": iso(ranking.published_at),
        "as_of": ranking.as_of.isoformat(),
        "weights": dict(zip(("effect", "service", "efficiency"), ranking.weights, strict=True)),
        "previous_source": frozen.get("previous_source", ""),
        "fairs": [{"name": fair["name"], "date": fair["date"]} for fair in frozen.get("fairs", [])],
        "rows": [_row(row) for row in frozen["rows"]],
    }


_SCORES = ("effect", "service", "efficiency", "total", "previous_total")
_COUNTS = ("received", "withdrawn", "replied", "resolved", "planned", "closed_out", "closed_on_time",
           "open_overdue", "confirmation_ratings")


def _row(row: dict) -> dict:
    inputs = row["inputs"]
    return {
        "department_id": row["department_id"], "name": row["name"], "kind": row["kind"],
        "rank": row.get("rank"), "previous_rank": row.get("previous_rank"),
        **{key: row.get(key) for key in _SCORES},
        "inputs": {**{key: inputs.get(key, 0) for key in _COUNTS},
                   "ratings": list(inputs.get("ratings", [])),
                   "efficiency": [{"month": entry["month"], "points": str(entry["points"]),
                                   "note": entry.get("note") or ""} for entry in inputs.get("efficiency", [])]},
    }


_SCORE = {"type": "string", "nullable": True, "pattern": r"^-?\d+(\.\d+)?$",
          "description": "A decimal as a string (exact), e.g. \"87.25\"; null: not scored."}
_COUNT = {"type": "integer", "minimum": 0}
PATHS = {
    "/rankings": {"get": {
        "operationId": "listRankings", "tags": ["rankings"],
        "summary": "The published rankings, oldest first, every revision.",
        "description": "Only what organisers published, frozen: later close-outs, points or weights never "
                       "change a ranking. A correction is a new revision; the one it replaces stays, with "
                       "superseded true.",
        "parameters": [
            parameter("period", {"type": "string", "pattern": f"^{PERIOD}$"},
                      "Only this period's: 2026-06 (a month), 2026-Q2, 2026-H1 or 2026."),
            *PAGE_PARAMETERS],
        "responses": answers("RankingPage", "A page of published rankings.", bad_query_=True)}},
    "/rankings/{ranking_id}": {"get": {
        "operationId": "getRanking", "tags": ["rankings"], "summary": "One published ranking.",
        "parameters": [parameter("ranking_id", {"type": "integer", "minimum": 1}, "Its ranking_id.", where="path")],
        "responses": answers("Ranking", "The published ranking.", not_found=True)}},
}

SCHEMAS = {
    "Ranking": {
        "type": "object", "additionalProperties": False,
        "required": ["ranking_id", "period", "revision", "superseded", "correction_note", "published_datetime",
                     "as_of", "weights", "previous_source", "fairs", "rows"],
        "properties": {
            "ranking_id": {"type": "integer"},
            "period": {"type": "string", "example": "2026-H1"},
            "revision": {"type": "integer", "minimum": 1},
            "superseded": {"type": "boolean", "description": "A later revision of the same period replaces it."},
            "correction_note": {"type": "string", "nullable": True,
                                "description": "Why this revision replaces the one before (null for the first)."},
            "published_datetime": {"type": "string", "format": "date-time"},
            "as_of": {"type": "string", "format": "date", "description": "The day overdue items were judged on."},
            "weights": {"type": "object", "additionalProperties": False,
                        "required": ["effect", "service", "efficiency"],
                        "properties": {key: {"type": "integer"} for key in ("effect", "service", "efficiency")}},
            "previous_source": {"type": "string", "enum": ["", "published", "computed"],
                                "description": "Where previous_rank/previous_total come from."},
            "fairs": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["name", "date"],
                "properties": {"name": {"type": "string"}, "date": {"type": "string", "format": "date"}}}},
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/RankingRow"}},
        }},
    "RankingRow": {
        "type": "object", "additionalProperties": False,
        "required": ["department_id", "name", "kind", "rank", "previous_rank", *_SCORES, "inputs"],
        "properties": {
            "department_id": {"type": "integer"},
            "name": {"type": "string"},
            "kind": {"type": "string", "description": "department or bank: each ranked among its own kind."},
            "rank": {"type": "integer", "nullable": True, "description": "1 = first; null: nothing received."},
            "previous_rank": {"type": "integer", "nullable": True},
            **dict.fromkeys(_SCORES, _SCORE),
            "inputs": {
                "type": "object", "additionalProperties": False,
                "required": [*_COUNTS, "ratings", "efficiency"],
                "properties": {
                    **dict.fromkeys(_COUNTS, _COUNT),
                    "ratings": {"type": "array", "items": _COUNT, "minItems": 5, "maxItems": 5,
                                "description": "How many ratings at each level, 5 (非常满意) down to 1."},
                    "efficiency": {"type": "array", "items": {
                        "type": "object", "additionalProperties": False, "required": ["month", "points", "note"],
                        "properties": {"month": {"type": "string"}, "points": {"type": "string"},
                                       "note": {"type": "string"}}}}}},
        }},
    "RankingPage": page_schema("Ranking"),
}
