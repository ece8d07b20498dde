"""A fair's tally: frozen as it stood when the fair closed (what was printed), or live while it is
open. Translated from the snapshot's own shape into the API's, field by field, so that a snapshot
frozen by an older version of the kiosk still answers in today's shape, and a change to the
snapshot never changes the API unannounced.

One field is live in a frozen tally too: each planned item's expected_datetime, its due date as it
stands now (after extensions), named and valued as /requests and /ledger-items give it; the printed
due date is its original (due_date, original_expected_datetime)."""
from datetime import date, datetime

import sqlalchemy as sa

from kiosk.api import bp, sees_personal_data
from kiosk.api.common import DUE_DATES, answers, cached, end_of, iso
from kiosk.api.resources.fairs import FAIR_ID
from kiosk.core.extensions import db
from kiosk.fairs.models import Fair
from kiosk.figures.tally import tally_of
from kiosk.service_requests.models import Category, ServiceRequest

COUNTS = ("received", "resolved", "planned", "handed_over", "open", "withdrawn", "ended")


@bp.get("/fairs/<int:fair_id>/tally")
def tally(fair_id: int):
    fair = db.get_or_404(Fair, fair_id)
    return cached(lambda: serialise(fair.id, *tally_of(fair)))


def serialise(fair_id: int, tally: dict, frozen: bool) -> dict:
    personal = sees_personal_data()
    items = tally.get("planned_items", [])
    current = _current_dues(fair_id) if items else {}
    return {
        "fair_id": fair_id, "frozen": frozen,
        "taken_datetime": iso(datetime.fromisoformat(tally["taken_at"])),
        "totals": _row(tally["totals"]),
        "zones": [{"name": zone["name"], "totals": _row(zone["totals"]),
                   "booths": [{"code": b.get("code", ""), "name": b.get("name", ""), **_row(b)}
                              for b in zone["booths"]],
                   "funding_requests": zone.get("funding_requests", 0),
                   "funding_wan": str(zone.get("funding_wan", "0"))} for zone in tally["zones"]],
        "categories": [{"service_code": row["code"], "service_name": _category_name(row["code"]),
                        **{k: row.get(k, 0) for k in COUNTS}} for row in tally["categories"]],
        "planned_items": [_item(item, personal, current) for item in items],
    }


def _row(row: dict) -> dict:
    return {**{k: row.get(k, 0) for k in COUNTS}, "slips": row.get("slips", 0),
            "with_outcome": row.get("with_outcome", 0), "satisfied_share": row.get("satisfied_share")}


def _category_name(code: str) -> str:
    try:
        return str(Category(code).label)
    except ValueError:  # a category retired since the snapshot was frozen
        return code


def _current_dues(fair_id: int) -> dict[str, date]:
    """The fair's planned requests' due dates as they stand now, by ticket (unique in a fair)."""
    return dict(db.session.execute(sa.select(ServiceRequest.ticket_no, ServiceRequest.current_due).where(
        ServiceRequest.fair_id == fair_id, ServiceRequest.current_due.is_not(None))).all())


def _item(item: dict, personal: bool, current: dict[str, date]) -> dict:
    printed = item.get("due") or None
    shown = {"ticket_no": item.get("ticket", ""), "booth_code": item.get("booth", ""),
             "responsible_unit": item.get("unit") or "", "due_date": printed,
             "expected_datetime": end_of(current.get(item.get("ticket", ""))),
             "original_expected_datetime": end_of(date.fromisoformat(printed)) if printed else None}
    if personal:
        shown.update(company_name=item.get("company", ""), description=item.get("need", ""),
                     plan=item.get("plan") or "", responsible_person=item.get("person") or "")
    return shown


_COUNT = {"type": "integer", "minimum": 0}
_ROW = {"received": {**_COUNT, "description": "resolved + planned + handed_over + open; withdrawn and ended not "
                                               "counted."},
        "resolved": {**_COUNT, "description": "Resolved on site (现场办结)."},
        "planned": {**_COUNT, "description": "A plan given at the fair (现场拿出解决方案), closed out since or not."},
        "handed_over": {**_COUNT, "description": "Still open when the fair closed and handed then to the booth's "
                                                 "department (会后办理), with a reply deadline; no plan given at the "
                                                 "fair. 0 in a tally frozen before the kiosk handed any over."},
        "open": {**_COUNT, "description": "Waiting or in progress (none once the fair has closed)."},
        "withdrawn": {**_COUNT, "description": "Duplicates and mistakes, counted by no other figure."},
        "ended": {**_COUNT, "description": "Still open when the fair closed and ended then with the organiser's "
                                           "reason (the company did not come back, a duplicate, withdrawn by the "
                                           "company): counted by no other figure."}}
_SATISFACTION = {
    "slips": {**_COUNT, "description": "Satisfaction slips collected."},
    "with_outcome": {**_COUNT, "description": "Requests given an outcome (which a slip can rate)."},
    "satisfied_share": {"type": "number", "minimum": 0, "maximum": 1, "nullable": True,
                        "description": "Slips rated 基本满意 or better ÷ slips; null without slips."}}


def _object(properties: dict, required=None) -> dict:
    return {"type": "object", "additionalProperties": False, "required": required or list(properties),
            "properties": properties}


PATHS = {
    "/fairs/{fair_id}/tally": {"get": {
        "operationId": "getTally", "tags": ["tallies"],
        "summary": "The fair's closing tally: frozen when it closed, live while it is open.",
        "description": "planned_items carry company_name, description, plan and responsible_person only for a "
                       "token with the personal scope.",
        "parameters": [FAIR_ID],
        "responses": answers("Tally", "The tally.", not_found=True)}},
}

SCHEMAS = {
    "TallyRow": _object({**_ROW, **_SATISFACTION}),
    "Tally": _object({
        "fair_id": {"type": "integer"},
        "frozen": {"type": "boolean", "description": "true: as it stood when the fair closed; false: live."},
        "taken_datetime": {"type": "string", "format": "date-time"},
        "totals": {"$ref": "#/components/schemas/TallyRow"},
        "zones": {"type": "array", "items": _object({
            "name": {"type": "string"},
            "totals": {"$ref": "#/components/schemas/TallyRow"},
            "booths": {"type": "array", "items": _object({"code": {"type": "string"}, "name": {"type": "string"},
                                                          **_ROW, **_SATISFACTION})},
            "funding_requests": {**_COUNT, "description": "Funding requests, withdrawn left out."},
            "funding_wan": {"type": "string", "description": "Their amounts, summed, in 万元 (a decimal)."}})},
        "categories": {"type": "array", "items": _object({
            "service_code": {"type": "string"}, "service_name": {"type": "string"}, **_ROW})},
        "planned_items": {"type": "array", "items": _object({
            "ticket_no": {"type": "string"}, "booth_code": {"type": "string"},
            "responsible_unit": {"type": "string"},
            "due_date": {"type": "string", "format": "date", "nullable": True,
                         "description": "The due date as printed: the plan's, original_expected_datetime's day."},
            "expected_datetime": {**DUE_DATES["expected_datetime"],
                                  "description": "Live even in a frozen tally: the due date as it stands now, "
                                                 "after any extensions, as /requests and /ledger-items give it "
                                                 "(null: no plan now, the outcome reopened since)."},
            "original_expected_datetime": DUE_DATES["original_expected_datetime"],
            "company_name": {"type": "string", "description": "Personal scope only."},
            "description": {"type": "string", "description": "The need as filed. Personal scope only."},
            "plan": {"type": "string", "description": "Personal scope only."},
            "responsible_person": {"type": "string", "description": "Personal scope only."},
        }, required=["ticket_no", "booth_code", "responsible_unit", "due_date", *DUE_DATES])}}),
}
