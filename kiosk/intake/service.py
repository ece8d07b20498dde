"""Filing a request: one transaction that is safe to repeat."""
import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from kiosk.changes import queue_moved
from kiosk.companies.models import Company
from kiosk.core.database import in_transaction
from kiosk.core.driver import DriverStatement, InTransaction, driver_writes
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth, Department, Fair, FairStatus
from kiosk.intake.limits import SUBMIT_WINDOW, SUBMITS_PER_DEVICE
from kiosk.service_requests.models import Category, Channel, EventKind, RequestEvent, ServiceRequest, Status


class FairNotOpen(Exception):
    """The fair stopped taking requests between the form and the submit."""


class BoothNotOffered(Exception):
    """The booth is not one the fair's form offers: another fair's, unknown, or hidden meanwhile."""


class TooManySubmissions(Exception):
    """The phone has filed its share for now (intake.limits.SUBMITS_PER_DEVICE)."""


@dataclass
class Intake:
    """What the form says, already validated and normalised."""
    booth_id: int
    company_name: str
    credit_code: str
    contact_name: str
    mobile: str
    category: Category
    need: str
    project_name: str | None = None
    amount_wan: Decimal | None = None
    submission_key: str | None = None
    #: the phone's browser session (intake.limits.device_id); none for staff entries
    device: str | None = None


def stored_key(intake: Intake) -> str | None:
    """The form's key with a digest of what it says: the same form sent twice is one request, but a
    form the browser brought back (Back button) with its old key and a new need is a new one."""
    if not intake.submission_key:
        return None
    content = f"{intake.booth_id}|{intake.credit_code}|{intake.category.value}|{intake.need}"
    return f"{intake.submission_key[:40]}:{hashlib.sha256(content.encode()).hexdigest()[:16]}"


class Filed(NamedTuple):
    """What the company is told: its request's id, ticket number and tracking token; and, for a
    request filed just now (not one this key filed before), what its ticket page shows besides what
    the form said: its booth's code and name, its fair's name, and when it was filed."""
    id: int
    ticket_no: str
    token: str
    booth_code: str | None = None
    booth_name: str | None = None
    fair_id: int | None = None
    fair_name: str | None = None
    filed_at: datetime | None = None


def submit_request(intake: Intake, channel: Channel = Channel.phone, actor=None, fair_id: int | None = None,
                   on_its_own: bool = False) -> Filed:
    """Save the request; the same submission_key returns the request saved before.

    fair_id: the fair whose form was sent, which must offer the booth (its own, not hidden), else
    BoothNotOffered. An intake with a device (a phone's) may file SUBMITS_PER_DEVICE requests per
    SUBMIT_WINDOW, else TooManySubmissions; a repeat of one already filed is always answered.
    on_its_own: the caller writes nothing else, before or after (a phone's submission): the
    filing is then committed on its own (_on_the_driver). Otherwise it is committed with whatever
    the session holds.

    The first minutes of a fair bring hundreds of these at once, so everything is checked and
    written by the database in one go, past the ORM (whose bookkeeping cost twice the statements):
    on PostgreSQL one statement, which is one round trip where the request has used the database
    for nothing else (a phone's submission); on SQLite, whose round trips are calls within the
    process, the same steps one statement at a time.
    """
    key, now = stored_key(intake), utcnow()
    values = {
        "key": key, "booth_id": intake.booth_id, "form_fair_id": fair_id, "device": intake.device,
        "since": now - SUBMIT_WINDOW, "limit": SUBMITS_PER_DEVICE, "now": now,
        "credit_code": intake.credit_code, "company_name": intake.company_name, "channel": channel,
        "category": intake.category, "need": intake.need, "project_name": intake.project_name or None,
        "amount_wan": intake.amount_wan if intake.category is Category.funding else None,
        "contact_name": intake.contact_name, "contact_mobile": intake.mobile, "status": Status.waiting,
        "kind": EventKind.submitted, "actor_id": actor.id if actor is not None else None}

    def attempt() -> dict:
        # A new token each attempt: a COMMIT that raised may have landed with the one before.
        return {**values, "token": secrets.token_urlsafe(18)}

    file = _file_in_one_statement if db.engine.dialect.name == "postgresql" else _file_step_by_step
    if on_its_own and _session_untouched():
        return _retrying(lambda: _on_the_driver(file, attempt()))
    # (A walk-in entered by booth staff: committed with what else the request writes.)
    return in_transaction(lambda: file(InTransaction(db.session.connection()), attempt()))


def _session_untouched() -> bool:
    """Whether the request's session has used the database for nothing yet: the filing may then
    take a connection of its own (on SQLite a second writer beside an open transaction would wait
    for it, and that transaction waits for the filing)."""
    if not db.session.registry.has():  # (none made yet: a phone's submission makes none at all)
        return True
    session = db.session()  # the request's own Session (scoped_session does not proxy in_transaction)
    return not (session.in_transaction() or session.new or session.dirty or session.deleted)


def _on_the_driver(file, values: dict) -> Filed:
    """The filing on a connection of its own, on the database driver (kiosk.core.driver): around a small
    statement SQLAlchemy's execution costs more than the statement, and hundreds come at once.
    On PostgreSQL the one statement commits itself, with no BEGIN and COMMIT around it (each a
    round trip); on SQLite the steps are committed together."""
    with driver_writes() as statements:
        return file(statements, values)


def _retrying(file, attempts: int = 4) -> Filed:
    """file() again after a lost race or a busy database (in_transaction's retries, for a filing
    on a connection of its own: a company first filed by a concurrent request, the same form sent
    twice at once, SQLite's other writers). Not after a connection lost: the statement may have
    landed, and the phone's retry finds it by its key."""
    for attempt in range(1, attempts + 1):
        try:
            return file()
        except (sa.exc.IntegrityError, sa.exc.OperationalError) as error:
            if attempt == attempts or error.connection_invalidated:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _file_in_one_statement(statements, values: dict) -> Filed:
    rows = {outcome: row for outcome, *row in statements.all(_FILE, **values)}
    if "filed" in rows:
        return Filed(*rows["filed"], filed_at=values["now"])
    if "earlier" in rows:
        return Filed(*rows["earlier"][:3])
    raise {"not_offered": BoothNotOffered, "too_many": TooManySubmissions}.get(rows["refused"][2], FairNotOpen)()


def _file_step_by_step(statements, values: dict) -> Filed:
    """_FILE's steps in the same order, each a statement. (Rows as the driver gives them: a
    boolean may be 0/1, an enum its stored string.)"""
    if values["key"] and (earlier := statements.one(_STEPS.earlier, **values)) is not None:
        return Filed(*earlier)
    booth = statements.one(_STEPS.booth, **values)
    if booth is None:
        raise BoothNotOffered()
    _, code, name, fair_id, hidden, fair_status, fair_name = booth
    offered_by = values["form_fair_id"]
    if offered_by is not None and (fair_id != offered_by or hidden):
        raise BoothNotOffered()
    if values["device"] and statements.scalar(_STEPS.recent, **values) >= values["limit"]:
        raise TooManySubmissions()
    if fair_status != FairStatus.open.value:
        raise FairNotOpen()
    company_id = statements.scalar(_STEPS.company, **values)
    if company_id is None:
        company_id = statements.scalar(_STEPS.insert_company, **values)
    sequence = statements.scalar(_STEPS.next_sequence, **values)
    ticket_no = f"{code}-{sequence:03d}"
    request_id = statements.scalar(_STEPS.insert_request, **{
        **values, "fair_id": fair_id, "company_id": company_id, "ticket_no": ticket_no})
    statements.run(_STEPS.insert_event, **{**values, "request_id": request_id})
    return Filed(request_id, ticket_no, values["token"], code, name, fair_id, fair_name, values["now"])


# The statements, built once (they run for every submission). Written against the tables, so that
# the ORM takes no part in running them; typed parameters, so that PostgreSQL knows a NULL's type.
# (No parameter is named after a column of the booth table that the UPDATEs do not set: Core would
# set that column from it.)
_requests, _events, _companies, _booths, _fairs, _departments = (
    ServiceRequest.__table__, RequestEvent.__table__, Company.__table__, Booth.__table__, Fair.__table__,
    Department.__table__)


def _param(name: str, column: sa.Column) -> sa.BindParameter:
    return sa.bindparam(name, type_=column.type)


#: the columns a filing writes, and where each value comes from (a parameter unless named here)
_REQUEST_VALUES = {
    "company_name": "company_name", "token": "token", "submission_key": "key", "channel": "channel",
    "device": "device", "category": "category", "need": "need", "project_name": "project_name",
    "amount_wan": "amount_wan", "contact_name": "contact_name", "contact_mobile": "contact_mobile",
    "status": "status", "created_at": "now", "updated_at": "now"}
_EVENT_VALUES = {"created_at": "now", "actor_id": "actor_id", "kind": "kind", "to_status": "status"}

_EARLIER = sa.select(_requests.c.id, _requests.c.ticket_no, _requests.c.token).where(
    _requests.c.submission_key == sa.bindparam("key"))
_RECENT = sa.select(sa.func.count()).select_from(_requests).where(
    _requests.c.device == _param("device", _requests.c.device),
    _requests.c.created_at >= _param("since", _requests.c.created_at))
_BOOTH = (sa.select(_booths.c.id, _booths.c.code, _departments.c.name, _booths.c.fair_id, _booths.c.hidden,
                    _fairs.c.status.label("fair_status"), _fairs.c.name.label("fair_name"))
          .join(_fairs).join(_departments).where(_booths.c.id == sa.bindparam("booth_id")))
_COMPANY = sa.select(_companies.c.id).where(_companies.c.credit_code == sa.bindparam("credit_code"))
#: the company of its first request's name: a later filing never renames it (credit codes are
#: public, so anyone could); the request keeps its own name, and organisers resolve differences
_INSERT_COMPANY = sa.insert(_companies).values(
    credit_code=_param("credit_code", _companies.c.credit_code), name=_param("company_name", _companies.c.name),
    created_at=_param("now", _companies.c.created_at)).returning(_companies.c.id)
#: takes the booth's next ticket number and moves its queue (past the ORM, so kiosk.changes cannot
#: see it); the UPDATE locks the row until COMMIT
_NEXT_SEQUENCE = (sa.update(_booths).where(_booths.c.id == sa.bindparam("booth_id"))
                  .values(last_seq=_booths.c.last_seq + 1, **queue_moved(_booths))
                  .returning(_booths.c.last_seq))
_INSERT_REQUEST = sa.insert(_requests).values(
    fair_id=sa.bindparam("fair_id"), booth_id=sa.bindparam("booth_id"), company_id=sa.bindparam("company_id"),
    ticket_no=sa.bindparam("ticket_no"), version=1,
    **{column: _param(name, _requests.c[column]) for column, name in _REQUEST_VALUES.items()}
).returning(_requests.c.id)
_INSERT_EVENT = sa.insert(_events).values(
    request_id=sa.bindparam("request_id"), to_booth_id=sa.bindparam("booth_id"),
    **{column: _param(name, _events.c[column]) for column, name in _EVENT_VALUES.items()})


def _one_statement() -> sa.Select:
    """The filing on PostgreSQL, as one statement of data-modifying CTEs (they share one snapshot):

    earlier   the request this key filed before, if any: then nothing else is written;
    taken     the booth's next ticket number, and its queue moved, only while the fair is open, the
              fair's form offers the booth, the phone is within its limit and the key is new; its
              row lock serialises the booth's filings until COMMIT (a waiting UPDATE reads the row
              anew, so no two get one number);
    company   made with this request's name if the credit code is new; ON CONFLICT DO NOTHING, and
              the existing id otherwise (a company first filed by a concurrent transaction is not in
              the snapshot: the NOT NULL on company_id fails and in_transaction tries again);
    request, event   the request and the first line of its trail.

    It answers one row per outcome: "filed" (id, ticket, token, and the booth's code and name, the
    fair's id and name, for the ticket's page), "earlier" (id, ticket, token), and "refused" with the
    reason that would apply, in _file_step_by_step's order.
    """
    recent = _RECENT.scalar_subquery()
    earlier = _EARLIER.cte("earlier")
    fair_id = sa.bindparam("form_fair_id", type_=sa.Integer)
    offered = sa.or_(fair_id.is_(None), sa.and_(_booths.c.fair_id == fair_id, _booths.c.hidden.is_(False)))
    taken = (sa.update(_booths)
             .where(_booths.c.id == sa.bindparam("booth_id"), _booths.c.fair_id == _fairs.c.id,
                    _booths.c.department_id == _departments.c.id,
                    _fairs.c.status == FairStatus.open, offered, recent < sa.bindparam("limit"),
                    ~sa.exists(earlier.select()))
             .values(last_seq=_booths.c.last_seq + 1, **queue_moved(_booths))
             .returning(_booths.c.id, _booths.c.code, _departments.c.name, _booths.c.fair_id, _booths.c.last_seq,
                        _fairs.c.name.label("fair_name"))
             .cte("taken"))
    new_company = (postgresql.insert(_companies)
                   .from_select(["credit_code", "name", "created_at"], sa.select(
                       _param("credit_code", _companies.c.credit_code), _param("company_name", _companies.c.name),
                       _param("now", _companies.c.created_at)).select_from(taken))
                   .on_conflict_do_nothing(index_elements=["credit_code"])
                   .returning(_companies.c.id).cte("new_company"))
    company_id = sa.func.coalesce(sa.select(new_company.c.id).scalar_subquery(), _COMPANY.scalar_subquery())
    sequence = sa.cast(taken.c.last_seq, sa.Text)
    ticket_no = taken.c.code + "-" + sa.case((taken.c.last_seq < 1000, sa.func.lpad(sequence, 3, "0")),
                                              else_=sequence)  # as f"{n:03d}"
    request = (sa.insert(_requests)
               .from_select(["fair_id", "booth_id", "company_id", "ticket_no", "version", *_REQUEST_VALUES],
                            sa.select(taken.c.fair_id, taken.c.id, company_id, ticket_no, sa.literal(1),
                                      *(_param(name, _requests.c[column]) for column, name in _REQUEST_VALUES.items())
                                      ).select_from(taken), include_defaults=False)
               .returning(_requests.c.id, _requests.c.ticket_no, _requests.c.token, _requests.c.booth_id)
               .cte("request"))
    event = (sa.insert(_events)
             .from_select(["request_id", "to_booth_id", *_EVENT_VALUES],
                          sa.select(request.c.id, request.c.booth_id,
                                    *(_param(name, _events.c[column]) for column, name in _EVENT_VALUES.items())
                                    ).select_from(request), include_defaults=False)
             .cte("event"))
    booth = sa.select(_booths.c.fair_id, _booths.c.hidden).where(_booths.c.id == sa.bindparam("booth_id")).subquery()
    reason = sa.case(
        (~sa.exists(sa.select(booth.c.fair_id).where(
            sa.or_(fair_id.is_(None), sa.and_(booth.c.fair_id == fair_id, booth.c.hidden.is_(False))))), "not_offered"),
        (sa.and_(_param("device", _requests.c.device).is_not(None), recent >= sa.bindparam("limit")), "too_many"),
        else_="closed")
    text, nothing = sa.Text, (sa.null(), sa.null(), sa.null(), sa.null())
    return sa.union_all(
        sa.select(sa.literal("filed", text), request.c.id, request.c.ticket_no, request.c.token,
                  taken.c.code, taken.c.name, taken.c.fair_id, taken.c.fair_name).select_from(request).join(taken, sa.true()),
        sa.select(sa.literal("earlier", text), earlier.c.id, earlier.c.ticket_no, earlier.c.token, *nothing),
        sa.select(sa.literal("refused", text), sa.null(), sa.null(), reason, *nothing),
    ).add_cte(event)


#: what runs: compiled once per database, run on the driver's cursor (or as the driver would, in
#: the session's transaction: InTransaction)
_FILE = DriverStatement(_one_statement())
_STEPS = SimpleNamespace(**{name: DriverStatement(statement) for name, statement in {
    "earlier": _EARLIER, "booth": _BOOTH, "recent": _RECENT, "company": _COMPANY, "insert_company": _INSERT_COMPANY,
    "next_sequence": _NEXT_SEQUENCE, "insert_request": _INSERT_REQUEST, "insert_event": _INSERT_EVENT}.items()})
