"""The ledger's items (台账): every plan given at a fair (现场拿出解决方案), followed after the fair until an
organiser closes it out (销号). The Open311 fields as the requests have them, with expected_datetime
the due date as it stands now and original_expected_datetime the plan's (as the requests have them),
and the ledger's own: the original and current due dates as days, each extension asked for or made
(its new date, reason and status: pending, approved, refused; the one waiting also on its own, with
whether it would be a second or later one), the state (planned / done / closed_out), when it was
done and closed out, whether it is overdue today where the fair is, and the company's verdict on
the close-out (一事一评).

The current due date is the stored copy (current_due) that the ledger's list, its overdue filter
and the scoreboard read, so that an item's fields and the filters agree: an extension moves it only
once an organiser approves it.

Personal data only for a token with the personal scope, as for requests: the company, its contact
and mobile, what was asked, and the staff's texts (the plan, its result and evidence), which quote it.
An extension's reason is public: the brief lists it with the ledger's fields, and the company's
tracking page shows it. An organiser's reason for refusing one is the staff's (the company never sees
it, and it may quote the company): personal scope only. The company's words on its verdict are
personal (its own text, like what it asked); whether it confirmed or disputed, its rating and when
are public.
"""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

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
from kiosk.api.resources.requests import HANDED_OVER_ON, QUALIFIED, status_notes
from kiosk.core.extensions import db
from kiosk.core.formtools import MAX_ID
from kiosk.core.timeutil import fair_today
from kiosk.fairs.models import Booth
from kiosk.ledger.models import Extension, ExtensionStatus
from kiosk.service_requests.models import (
    Category,
    ServiceRequest,
    Status,
    awaiting_closeout_sql,
    overdue_on_sql,
)
from kiosk.versions import all_fairs_version, ledger_and_setup_versions

CATEGORIES = [c.value for c in Category]
#: the states an item on the ledger can be in: a plan was given at the fair
ON_LEDGER = [status for status in Status if status.has_plan]
STATES = [status.value for status in ON_LEDGER]


def version() -> str:
    """What a ledger item shows: its request (the booths' queues), its department's ledger (moved
    by extensions, renames...), and the day, since overdue is judged on it."""
    ledger, setup = ledger_and_setup_versions()
    return f"{ledger}.{'.'.join(map(str, setup))}.{all_fairs_version()}.{fair_today().isoformat()}"


@bp.get("/ledger-items")
def ledger_items():
    def make():
        statement = (sa.select(ServiceRequest).where(ServiceRequest.status.in_(ON_LEDGER))
                     .order_by(ServiceRequest.id).options(*_loaded()))
        if (fair := integer("fair", None, 1, MAX_ID)) is not None:
            statement = statement.where(ServiceRequest.fair_id == fair)
        if (department := integer("department", None, 1, MAX_ID)) is not None:
            statement = statement.where(ServiceRequest.booth_id.in_(
                sa.select(Booth.id).where(Booth.department_id == department)))
        if (status := choice("status", ["open", "closed"])) is not None:
            open_ = awaiting_closeout_sql()
            statement = statement.where(open_ if status == "open" else sa.not_(open_))
        if (overdue := choice("overdue", ["true", "false"])) is not None:
            late = overdue_on_sql(fair_today())
            statement = statement.where(late if overdue == "true" else sa.not_(late))
        if (since := instant("modified_since")) is not None:
            # As for requests: the updated_at index finds the few, "+ 0" keeps it from serving the order
            statement = statement.where(ServiceRequest.updated_at >= since).order_by(None).order_by(
                ServiceRequest.id + 0)
        personal = sees_personal_data()
        today = fair_today()
        return page_of(statement, lambda item: serialise(item, personal, today))
    return cached(make, version)


@bp.get("/ledger-items/<int:item_id>")
def ledger_item(item_id: int):
    def make():
        item = db.get_or_404(ServiceRequest, item_id, options=_loaded())
        if not item.status.has_plan:
            # a request with no plan is not on the ledger (it is under /requests)
            abort(404)
        return serialise(item, sees_personal_data(), fair_today())
    return cached(make, version)


def _loaded() -> list:
    return [so.joinedload(ServiceRequest.booth).joinedload(Booth.department), so.joinedload(ServiceRequest.company),
            so.selectinload(ServiceRequest.extension_requests), so.joinedload(ServiceRequest.verdict),
            so.joinedload(ServiceRequest.fair)]


def serialise(item: ServiceRequest, personal: bool, today) -> dict:
    status = item.status
    department = item.booth.department
    verdict = item.verdict
    shown = {
        "service_request_id": str(item.id),
        "fair_id": item.fair_id,
        "ticket_no": item.ticket_no,
        "qualified_no": item.qualified_no,
        "acknowledged_datetime": iso(item.acknowledged_at),
        "status": "closed" if status.finished else "open",
        "state": status.value,
        "status_notes": status_notes(item),
        "service_code": item.category.value,
        "service_name": str(item.category.label),
        "agency_responsible": department.name,
        "department_id": department.id,
        "booth_code": item.booth.code,
        "handed_over_on": item.handed_over_on.isoformat() if item.handed_over_on else None,
        "responsible_unit": item.plan_unit,
        "requested_datetime": iso(item.created_at),
        "updated_datetime": iso(item.updated_at),
        **due_dates(item.plan_due, item.current_due),
        "original_due": item.plan_due.isoformat() if item.plan_due else None,
        "current_due": item.current_due.isoformat() if item.current_due else None,
        "extension_count": item.extension_count,
        "extensions": [_extension(extension, personal) for extension in item.extension_requests],
        "pending_extension": None if (asked := item.pending_extension) is None else _extension(asked, personal),
        "done_datetime": iso(item.done_at),
        "closed_out_datetime": iso(item.closed_out_at) if status.is_closed_out else None,
        "closed_out_on_time": item.closed_out_on_time,
        # as the overdue filter (overdue_on_sql) judges it: a parked item (挂账) is not overdue
        "overdue": (status.awaits_closeout and item.current_due is not None and item.current_due < today
                    and not item.parked_on(today)),
        "parked_until": item.parked_until.isoformat() if item.parked_on(today) else None,
        "company_verdict": None if verdict is None else {
            "verdict": "accepted" if verdict.accepted else "disputed", "rating": verdict.rating,
            "verdict_datetime": iso(verdict.at), **({"words": verdict.words} if personal else {})},
    }
    if personal:
        shown.update({
            "company_name": item.company_name, "credit_code": item.company.credit_code,
            "contact_name": item.contact_name, "contact_mobile": item.contact_mobile,
            "description": item.need, "plan": item.plan_text, "responsible_person": item.plan_person,
            "closeout_result": item.closeout_result, "closeout_evidence": item.closeout_evidence,
        })
    return shown


def _extension(extension: Extension, personal: bool) -> dict:
    status = extension.status
    return {"status": status.value, "new_due": extension.new_due.isoformat(), "reason": extension.reason,
            "asked_datetime": iso(extension.at), "decided_datetime": iso(extension.decided_at),
            "extended_datetime": iso(extension.decided_at) if status.is_approved else None,
            "ordinal": extension.ordinal, "second_or_later": extension.is_repeat,
            **({"refusal_reason": extension.refusal_reason} if personal else {})}


_TEXT = {"type": "string", "nullable": True}
_STAMP = {"type": "string", "format": "date-time"}
_DAY = {"type": "string", "format": "date"}
PERSONAL = {
    "company_name": {"type": "string"},
    "credit_code": {"type": "string", "description": "统一社会信用代码."},
    "contact_name": {"type": "string"},
    "contact_mobile": {"type": "string"},
    "description": {"type": "string", "description": "What the company asked for, in its words."},
    "plan": {**_TEXT, "description": "The plan given at the fair."},
    "responsible_person": _TEXT,
    "closeout_result": {**_TEXT, "description": "What the department did after the fair (done, closed out)."},
    "closeout_evidence": {**_TEXT, "description": "What shows it was done: a document number, an approval..."},
}

_EXTENSION = {
    "type": "object", "additionalProperties": False,
    "required": ["status", "new_due", "reason", "asked_datetime", "decided_datetime", "extended_datetime",
                 "ordinal", "second_or_later"],
    "properties": {
        "status": {"type": "string", "enum": [s.value for s in ExtensionStatus],
                   "description": "pending: asked for by the department, waiting for an organiser; approved: the "
                                  "due date moved (an organiser's own extension is approved as it is made); "
                                  "refused: by an organiser, with a reason."},
        "new_due": {**_DAY, "description": "The due date asked for (or given)."},
        "reason": {"type": "string", "description": "Why more time is needed."},
        "asked_datetime": {**_STAMP, "description": "When it was asked for (or made)."},
        "decided_datetime": {**_STAMP, "nullable": True, "description": "When an organiser decided it."},
        "extended_datetime": {**_STAMP, "nullable": True,
                              "description": "When the due date moved: approved ones only."},
        "ordinal": {"type": "integer", "minimum": 1, "nullable": True,
                    "description": "Which extension of the item it is (an approved one), or would be if approved now "
                                   "(a pending one); null for a refused one."},
        "second_or_later": {"type": "boolean",
                            "description": "A second or later extension of the item (ordinal 2 or more): flagged, as "
                                           "supervision asks more of it."},
        "refusal_reason": {**_TEXT, "description": "The organiser's reason for refusing it. Personal scope only."}}}

_ID = parameter("item_id", {"type": "integer", "minimum": 1}, "Its service_request_id.", where="path")
PATHS = {
    "/ledger-items": {"get": {
        "operationId": "listLedgerItems", "tags": ["ledger"],
        "summary": "The ledger's items (plans given at a fair), oldest first, filtered.",
        "description": "Follow changes as for requests: modified_since set to the largest updated_datetime "
                       "seen. An extension, a result, a close-out or a dispute moves updated_datetime. "
                       "Personal fields only for a token with the personal scope.",
        "parameters": [
            parameter("fair", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "Only this fair's items."),
            parameter("department", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                      "Only this department's (or bank's) items, from every fair."),
            parameter("status", {"type": "string", "enum": ["open", "closed"]},
                      "open: planned or done and awaiting close-out; closed: closed out."),
            parameter("overdue", {"type": "string", "enum": ["true", "false"]},
                      "Only items past their current due date and not closed out (today, where the fair is), "
                      "or only the others."),
            parameter("modified_since", {"type": "string", "format": "date-time"},
                      "Only items changed at or after this time: an RFC 3339 date-time, its time "
                      "included (2026-06-13T09:30:00+08:00; a date alone is a 400; without a zone, the kiosk's)."),
            *PAGE_PARAMETERS],
        "responses": answers("LedgerItemPage", "A page of ledger items.", bad_query_=True)}},
    "/ledger-items/{item_id}": {"get": {
        "operationId": "getLedgerItem", "tags": ["ledger"],
        "summary": "One ledger item (404 for a request with no plan: it is not on the ledger).",
        "parameters": [_ID],
        "responses": answers("LedgerItem", "The ledger item.", not_found=True)}},
}

SCHEMAS = {
    "LedgerItem": {
        "type": "object", "additionalProperties": False,
        "required": ["service_request_id", "fair_id", "ticket_no", "qualified_no", "acknowledged_datetime",
                     "status", "state", "status_notes",
                     "service_code", "service_name", "agency_responsible", "department_id", "booth_code",
                     "handed_over_on",
                     "responsible_unit", "requested_datetime", "updated_datetime", *DUE_DATES,
                     "original_due", "current_due", "extension_count", "extensions", "pending_extension",
                     "done_datetime",
                     "closed_out_datetime", "closed_out_on_time", "overdue", "parked_until", "company_verdict"],
        "properties": {
            "service_request_id": {"type": "string", "example": "1024"},
            "fair_id": {"type": "integer"},
            "ticket_no": {"type": "string", "example": "B07-012", "description": "Unique within its fair."},
            "qualified_no": {"type": "string", "example": "20260613-F3-B07-012",
                             "description": QUALIFIED},
            "acknowledged_datetime": {**_STAMP, "nullable": True,
                                      "description": "When the department acknowledged the item handed to it "
                                                     "(签收; null: not yet). Items of fairs closed before receipts "
                                                     "were kept carry the time of that upgrade."},
            "status": {"type": "string", "enum": ["open", "closed"], "description": "closed: closed out (销号)."},
            "state": {"type": "string", "enum": STATES,
                      "description": "planned: being carried out; done: the department asks for close-out; "
                                     "closed_out: an organiser confirmed it."},
            "status_notes": {"type": "string", "description": "The state in words."},
            "service_code": {"type": "string", "enum": CATEGORIES},
            "service_name": {"type": "string"},
            "agency_responsible": {"type": "string", "description": "The department or bank responsible."},
            "department_id": {"type": "integer"},
            "booth_code": {"type": "string"},
            "handed_over_on": HANDED_OVER_ON,
            "responsible_unit": {**_TEXT, "description": "The unit the plan names."},
            "requested_datetime": _STAMP,
            "updated_datetime": _STAMP,
            **DUE_DATES,
            "original_due": {**_DAY, "nullable": True,
                             "description": "original_expected_datetime's day: the plan's due date; on time is "
                                            "judged on it."},
            "current_due": {**_DAY, "nullable": True,
                            "description": "expected_datetime's day: the due date after the approved extensions, "
                                           "if any (one asked for moves it only once approved)."},
            "extension_count": {"type": "integer", "minimum": 0,
                                "description": "How many extensions were approved (asked for and refused ones "
                                               "are not counted)."},
            "extensions": {"type": "array", "items": _EXTENSION,
                           "description": "Every extension asked for by the department or made by an organiser, "
                                          "oldest first, with its status: only approved ones moved the due date."},
            "pending_extension": {**_EXTENSION, "nullable": True,
                                  "description": "The extension asked for and waiting for an organiser's decision "
                                                 "(one at a time; null: none)."},
            "done_datetime": {**_STAMP, "nullable": True,
                              "description": "When the department recorded it done (办结)."},
            "closed_out_datetime": {**_STAMP, "nullable": True, "description": "When it was closed out (销号)."},
            "closed_out_on_time": {"type": "boolean", "nullable": True,
                                   "description": "Closed out by the original due date (null: not closed out)."},
            "overdue": {"type": "boolean",
                        "description": "Past its current due date and not closed out, today where the fair is "
                                       "(a parked item is not)."},
            "parked_until": {**_DAY, "nullable": True,
                             "description": "挂账: parked with an organiser's approval until this review day, when "
                                            "it is back (null: not parked today). Counted apart: never overdue, "
                                            "never done."},
            "company_verdict": {
                "type": "object", "nullable": True, "additionalProperties": False,
                "required": ["verdict", "rating", "verdict_datetime"],
                "description": "The company's word on the close-out (一事一评), given once by its tracking link "
                               "(null: not given). A dispute sent the item back to the department, no longer "
                               "closed out; the verdict stays.",
                "properties": {
                    "verdict": {"type": "string", "enum": ["accepted", "disputed"],
                                "description": "accepted: it confirms the result; disputed: it does not."},
                    "rating": {"type": "integer", "minimum": 1, "maximum": 5,
                               "description": "On the 好差评 scale: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, "
                                              "1 非常不满意."},
                    "words": {**_TEXT, "description": "What the company said (always, for a dispute). "
                                                      "Personal scope only."},
                    "verdict_datetime": _STAMP}},
            **PERSONAL,
        }},
    "LedgerItemPage": page_schema("LedgerItem"),
}
