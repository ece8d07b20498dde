"""Fairs: what each was (name, day, hall, state), and its zones and booths."""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for

from kiosk.api import bp
from kiosk.api.common import PAGE_PARAMETERS, answers, cached, choice, iso, page_of, page_schema, parameter
from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Fair, FairStatus, Zone

STATES = [s.value for s in FairStatus]


@bp.get("/fairs")
def fairs():
    def make():
        statement = sa.select(Fair).order_by(Fair.date.desc(), Fair.id.desc()).options(*_loaded())
        if (status := choice("status", STATES)) is not None:
            statement = statement.where(Fair.status == FairStatus(status))
        return page_of(statement, serialise)
    return cached(make)


@bp.get("/fairs/<int:fair_id>")
def fair(fair_id: int):
    return cached(lambda: serialise(db.get_or_404(Fair, fair_id, options=_loaded())))


def _loaded() -> list:
    """What a serialised one reads (options built when asked: at import the mappers are not all there)."""
    return [so.selectinload(Fair.zones).selectinload(Zone.booths).joinedload(Booth.department)]


def serialise(fair: Fair) -> dict:
    return {
        "id": fair.id, "name": fair.name, "date": fair.date.isoformat(), "venue": fair.venue,
        "status": fair.status.value, "closed_datetime": iso(fair.closed_at) if fair.is_closed else None,
        "zones": [{"name": zone.name, "booths": [
            {"code": booth.code, "name": booth.name, "kind": booth.department.kind.value,
             "takes_requests": not booth.hidden} for booth in zone.booths]} for zone in fair.zones],
        "tally_url": url_for("api.tally", fair_id=fair.id, _external=True),
        "requests_url": url_for("api.requests", fair=fair.id, _external=True),
    }


FAIR_ID = parameter("fair_id", {"type": "integer", "minimum": 1}, "The fair's id.", where="path")

PATHS = {
    "/fairs": {"get": {
        "operationId": "listFairs", "tags": ["fairs"], "summary": "Every fair, the latest day first.",
        "parameters": [parameter("status", {"type": "string", "enum": STATES}, "Only fairs in this state."),
                       *PAGE_PARAMETERS],
        "responses": answers("FairPage", "A page of fairs.", bad_query_=True)}},
    "/fairs/{fair_id}": {"get": {
        "operationId": "getFair", "tags": ["fairs"], "summary": "One fair, with its zones and booths.",
        "parameters": [FAIR_ID],
        "responses": answers("Fair", "The fair.", not_found=True)}},
}

SCHEMAS = {
    "Fair": {"type": "object", "additionalProperties": False,
             "required": ["id", "name", "date", "venue", "status", "closed_datetime", "zones", "tally_url",
                          "requests_url"],
             "properties": {
                 "id": {"type": "integer"},
                 "name": {"type": "string", "example": "2026年泰安市要素保障大集"},
                 "date": {"type": "string", "format": "date", "description": "The day of the fair."},
                 "venue": {"type": "string"},
                 "status": {"type": "string", "enum": STATES,
                            "description": "draft: being set up; open: taking requests; "
                                           "closed: over, its tally frozen."},
                 "closed_datetime": {"type": "string", "format": "date-time", "nullable": True},
                 "zones": {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                                      "required": ["name", "booths"], "properties": {
                     "name": {"type": "string"},
                     "booths": {"type": "array", "items": {"$ref": "#/components/schemas/Booth"}}}}},
                 "tally_url": {"type": "string", "format": "uri"},
                 "requests_url": {"type": "string", "format": "uri"}}},
    "Booth": {"type": "object", "additionalProperties": False, "required": ["code", "name", "kind", "takes_requests"],
              "properties": {
                  "code": {"type": "string", "example": "B07"},
                  "name": {"type": "string", "description": "The department's or bank's name."},
                  "kind": {"type": "string", "enum": ["department", "bank"]},
                  "takes_requests": {"type": "boolean",
                                     "description": "false: hidden, takes no new requests, keeps those it had."}}},
    "FairPage": page_schema("Fair"),
}
