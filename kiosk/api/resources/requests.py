"""Requests, in the fields of Open311 GeoReport v2 (service_request_id, status open/closed,
status_notes, service_name, agency_responsible, requested/updated/expected_datetime), with the
kiosk's own beside them (the fair, the ticket, the detailed state, the original due date).

expected_datetime is the due date as it stands now (after extensions), as the ledger's items give it:
the stored copy (current_due) the ledger sorts and counts by, so no extension is read here.

Personal data only for a token with the personal scope: the company's name and credit code (a sole
trader's carries its owner's name), the contact and mobile, what was asked (Open311's
description), the staff's texts about it (which quote it), the responsible person and the amount.
"""
import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.api import bp, sees_personal_data
from kiosk.api.common import (
    DUE_DATES,
    PAGE_PARAMETERS,
    answers,
    cached,
    choice,
    due_dates,
    instant,
    integer,
    iso,
    page_of,
    page_schema,
    parameter,
)
from kiosk.core.extensions import db
from kiosk.core.formtools import MAX_ID
from kiosk.fairs.models import Booth
from kiosk.service_requests.after_fair import EndReason
from kiosk.service_requests.models import Category, ServiceRequest, Status

DETAILED = [s.value for s in Status]
CATEGORIES = [c.value for c in Category]
#: the states Open311 calls closed: nothing more will be done (a state the ledger adds is open until
#: it says otherwise)
CLOSED = [status for status in Status if status.finished]


@bp.get("/requests")
def requests():
    def make():
        statement = sa.select(ServiceRequest).order_by(ServiceRequest.id).options(*_loaded())
        if (fair := integer("fair", None, 1, MAX_ID)) is not None:
            statement = statement.where(ServiceRequest.fair_id == fair)
        if (status := choice("status", ["open", "closed"])) is not None:
            closed = ServiceRequest.status.in_(CLOSED)
            statement = statement.where(closed if status == "closed" else sa.not_(closed))
        if (code := choice("service_code", CATEGORIES)) is not None:
            statement = statement.where(ServiceRequest.category == Category(code))
        if (since := instant("modified_since")) is not None:
            # A sync asks for the few changed since its last: found by the updated_at index, then
            # sorted. Ordered by the bare id, SQLite walks the whole table in id order instead
            # (three times slower at 100,000 requests: bench/RESULTS.md); "+ 0" keeps the order
            # and leaves the index to the condition.
            statement = statement.where(ServiceRequest.updated_at >= since).order_by(None).order_by(
                ServiceRequest.id + 0)
        personal = sees_personal_data()
        return page_of(statement, lambda item: serialise(item, personal))
    return cached(make)


@bp.get("/requests/<int:request_id>")
def request_(request_id: int):
    return cached(lambda: serialise(db.get_or_404(ServiceRequest, request_id, options=_loaded()),
                                    sees_personal_data()))


def _loaded() -> list:
    """What a serialised one reads (options built when asked: at import the mappers are not all there)."""
    return [so.joinedload(ServiceRequest.booth).joinedload(Booth.department), so.joinedload(ServiceRequest.company),
            so.joinedload(ServiceRequest.fair)]


#: 会后办理, as /requests and /ledger-items give it
HANDED_OVER_ON = {
    "type": "string", "format": "date", "nullable": True,
    "description": "会后办理: the day its fair's close handed it, still waiting or in progress then, to its lead "
                   "booth's department, with a reply deadline (original_expected_datetime; no plan was given at the "
                   "fair). It is then planned, on the ledger (/ledger-items). null for every other request."}


def status_notes(item: ServiceRequest) -> str:
    """The state in words: a request handed over or ended at its fair's close is said to be so."""
    return str(item.shown_status_label)


def serialise(item: ServiceRequest, personal: bool) -> dict:
    status = item.status
    shown = {
        "service_request_id": str(item.id),
        "fair_id": item.fair_id,
        "ticket_no": item.ticket_no,
        "qualified_no": item.qualified_no,
        "status": "closed" if status.finished else "open",
        "detailed_status": status.value,
        "status_notes": status_notes(item),
        "service_code": item.category.value,
        "service_name": str(item.category.label),
        "agency_responsible": item.booth.name,
        "booth_code": item.booth.code,
        "handed_over_on": item.handed_over_on.isoformat() if item.handed_over_on else None,
        "end_reason": item.end_reason.value if item.end_reason else None,
        "responsible_unit": item.plan_unit if status.has_plan else None,
        "requested_datetime": iso(item.created_at),
        "updated_datetime": iso(item.updated_at),
        **(due_dates(item.plan_due, item.current_due) if status.has_plan else due_dates(None, None)),
    }
    if personal:
        shown.update({
            "company_name": item.company_name, "credit_code": item.company.credit_code,
            "contact_name": item.contact_name, "contact_mobile": item.contact_mobile,
            "description": item.need, "project_name": item.project_name,
            "amount_wan": None if item.amount_wan is None else str(item.amount_wan),
            "resolution": item.resolution, "plan": item.plan_text, "responsible_person": item.plan_person,
            "closeout_result": item.closeout_result,
        })
    return shown


_TEXT = {"type": "string", "nullable": True}
PERSONAL = {
    "company_name": {"type": "string", "description": "As the company's form gave it."},
    "credit_code": {"type": "string", "description": "统一社会信用代码."},
    "contact_name": {"type": "string"},
    "contact_mobile": {"type": "string"},
    "description": {"type": "string", "description": "What the company asked for, in its words."},
    "project_name": _TEXT,
    "amount_wan": {**_TEXT, "description": "For funding: the amount asked, in 万元 (a decimal)."},
    "resolution": {**_TEXT, "description": "What was done on site (resolved)."},
    "plan": {**_TEXT, "description": "The plan given (planned)."},
    "responsible_person": _TEXT,
    "closeout_result": {**_TEXT, "description": "What was done after the fair (closed out)."},
}

PATHS = {
    "/requests": {"get": {
        "operationId": "listRequests", "tags": ["requests"],
        "summary": "Requests, oldest first, filtered.",
        "description": "To follow changes, keep the largest updated_datetime seen and ask with modified_since "
                       "set to it: what changed at or after that moment comes back (the last one again, "
                       "harmlessly). A booth's new code or its department's new name changes each of its "
                       "requests. Personal fields only for a token with the personal scope.",
        "parameters": [
            parameter("fair", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "Only this fair's requests."),
            parameter("status", {"type": "string", "enum": ["open", "closed"]}, "Open311's status."),
            parameter("service_code", {"type": "string", "enum": CATEGORIES}, "Only this category."),
            parameter("modified_since", {"type": "string", "format": "date-time"},
                      "Only requests changed at or after this time: an RFC 3339 date-time, its time "
                      "included (2026-06-13T09:30:00+08:00; a date alone is a 400; without a zone, the kiosk's)."),
            *PAGE_PARAMETERS],
        "responses": answers("RequestPage", "A page of requests.", bad_query_=True)}},
    "/requests/{request_id}": {"get": {
        "operationId": "getRequest", "tags": ["requests"], "summary": "One request.",
        "parameters": [parameter("request_id", {"type": "integer", "minimum": 1}, "Its service_request_id.",
                                 where="path")],
        "responses": answers("Request", "The request.", not_found=True)}},
}

_STAMP = {"type": "string", "format": "date-time"}
#: what qualified_no is, in the document (the ledger's items say the same)
QUALIFIED = ("The ticket with its fair, unique across fairs (a ticket_no repeats: each fair numbers its booths' "
             "tickets from 001 again): the fair's day, F and the fair's id, then the ticket.")
SCHEMAS = {
    "Request": {
        "type": "object", "additionalProperties": False,
        "required": ["service_request_id", "fair_id", "ticket_no", "qualified_no", "status", "detailed_status",
                     "status_notes",
                     "service_code", "service_name", "agency_responsible", "booth_code", "handed_over_on",
                     "end_reason", "responsible_unit",
                     "requested_datetime", "updated_datetime", *DUE_DATES],
        "properties": {
            "service_request_id": {"type": "string", "example": "1024"},
            "fair_id": {"type": "integer"},
            "ticket_no": {"type": "string", "example": "B07-012", "description": "Unique within its fair."},
            "qualified_no": {"type": "string", "example": "20260613-F3-B07-012", "description": QUALIFIED},
            "status": {"type": "string", "enum": ["open", "closed"],
                       "description": "closed: resolved on site, closed out after its plan, or withdrawn."},
            "detailed_status": {"type": "string", "enum": DETAILED},
            "status_notes": {"type": "string", "description": "The state in words."},
            "service_code": {"type": "string", "enum": CATEGORIES},
            "service_name": {"type": "string", "example": "土地"},
            "agency_responsible": {"type": "string", "description": "The lead booth's department or bank."},
            "booth_code": {"type": "string"},
            "handed_over_on": HANDED_OVER_ON,
            "end_reason": {"type": "string", "enum": [r.value for r in EndReason], "nullable": True,
                           "description": "Why its fair's close ended it, still open then (it is then withdrawn): "
                                          "no_return (the company did not come back), duplicate (filed twice), "
                                          "company_withdrew (the company no longer needs it); null otherwise."},
            "responsible_unit": {**_TEXT, "description": "The unit the plan names (planned, closed out)."},
            "requested_datetime": _STAMP,
            "updated_datetime": _STAMP,
            **DUE_DATES,
            **PERSONAL,
        }},
    "RequestPage": page_schema("Request"),
}
