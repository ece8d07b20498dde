"""What a poller shows has changed: recorded here, once, for every write.

Pollers (the booth queue, the tracking page, the dashboard, the hall screen) answer 304 while the
versions they read stand still, so every write that changes what one of them shows must move one.
Rather than each service remembering to say so, a flush listener looks at what the flush writes:

- a booth's `queue_version` moves with any change to a request in its queue (the request's row, its
  trail, joint booths, slip or follow-up calls) or to one it transferred away (its 已转出 tab shows
  how that stands), with a change to the booth or its department, and when its fair opens or closes.
  The booth queue polls it; the dashboard and the hall screen poll the sum over the fair;
- a fair's `setup_version` moves with any change to the fair, its zones, its booths or their
  departments: what the dashboard, the hall screen and the tracking page show besides requests;
- a request's own `version` (SQLAlchemy's counter, which also guards against lost updates) moves
  with any change to it or to its trail, slip or joint booths: the tracking page polls it;
- a reconciliation round's own `version` moves with any of its marks (RoundItem): its page polls it;
- a department's `ledger_version` moves with any change to one of its ledger items (a plan given,
  and everything after: extensions, close-out, the company's verdict), from any fair, and with any
  change to a fair it has a booth at (the rows name the fair, booth and department), and with a
  change to the department itself, at a booth or not (the organisers' ledger filter names it): the
  ledger pages poll it, or the sum over departments, and key the copies each app server keeps by it.

The pollers read the versions through kiosk.versions. The read-only API (kiosk.api) tags its answers
with all_fairs_version(): the sum of the same versions over every fair. Its requests also show
their booth's code and department's name, so a new code or
name moves `updated_at` of every request at that booth (relabelled): a client that follows the API
with modified_since hears of it.

Filing writes past the ORM, for speed: it moves its booth's queue with `queue_moved()` in the same
UPDATE that takes the ticket number.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy import event

from kiosk.core.timeutil import now_aware, utcnow
from kiosk.fairs.models import Booth, Department, Fair, Zone
from kiosk.ledger.evidence_models import EvidenceFile
from kiosk.ledger.models import CloseOutVerdict, Extension, ReconciliationRound, RoundItem
from kiosk.service_requests.models import RequestEvent, ServiceRequest
from kiosk.slips.models import FollowUpCall, SatisfactionSlip
from kiosk.supervision.models import SupervisionNotice, SupervisionNoticeItem
from kiosk.supervision.parking_models import Parking


def queue_moved(booths: sa.Table) -> dict:
    """The values that move a booth's queue, for a statement written against the booth table."""
    return {"queue_version": booths.c.queue_version + 1}


@dataclass
class _Moved:
    booths: set[int] = field(default_factory=set)
    fairs: set[int] = field(default_factory=set)
    departments: set[int] = field(default_factory=set)
    #: departments whose ledger shows a request that changed
    ledgers: set[int] = field(default_factory=set)
    requests: dict[int, ServiceRequest] = field(default_factory=dict)  # by id(), as objects may be new
    #: booths, and departments, whose requests show another code or name than before
    relabelled_booths: set[int] = field(default_factory=set)
    relabelled_departments: set[int] = field(default_factory=set)


@event.listens_for(so.Session, "before_flush")
def _note(session: so.Session, _context, _instances) -> None:
    moved = session.info.setdefault("moved", _Moved())
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    for obj in (*session.new, *changed, *session.deleted):
        if (note := _NOTES.get(type(obj))) is not None:
            note(obj, moved, session)
    for item in moved.requests.values():
        _note_request(item, moved, session)


@event.listens_for(so.Session, "after_flush")
def _move(session: so.Session, _context) -> None:
    moved = session.info.pop("moved", None)
    if moved is None:
        return
    connection = session.connection()
    if moved.departments:
        of_departments = sa.select(Booth.id, Booth.fair_id).where(Booth.department_id.in_(moved.departments))
        for booth_id, fair_id in connection.execute(of_departments):
            moved.booths.add(booth_id)
            moved.fairs.add(fair_id)
    if moved.relabelled_booths or moved.relabelled_departments:
        _relabel(session, connection, moved)
    moved.booths.discard(None)
    moved.fairs.discard(None)
    moved.ledgers.discard(None)
    departments = Department.__table__
    if moved.fairs:
        # The ledger's rows name the fair, the booth and its department: a change to any of them
        # moves the ledger of every department at that fair.
        moved.ledgers.update(connection.execute(
            sa.select(Booth.department_id).where(Booth.fair_id.in_(moved.fairs)).distinct()).scalars())
    if moved.ledgers:
        connection.execute(sa.update(departments).where(departments.c.id.in_(moved.ledgers))
                           .values(ledger_version=departments.c.ledger_version + 1))
    if not (moved.booths or moved.fairs):
        return
    if moved.booths:
        connection.execute(sa.update(Booth.__table__).where(Booth.__table__.c.id.in_(moved.booths))
                           .values(**queue_moved(Booth.__table__)))
    if moved.fairs:
        fairs = Fair.__table__
        connection.execute(sa.update(fairs).where(fairs.c.id.in_(moved.fairs))
                           .values(setup_version=fairs.c.setup_version + 1))
    # Objects already loaded would go on showing the old versions.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Booth) and obj.id in moved.booths:
            session.expire(obj, ["queue_version"])
        elif isinstance(obj, Fair) and obj.id in moved.fairs:
            session.expire(obj, ["setup_version"])


def _relabel(session: so.Session, connection, moved: _Moved) -> None:
    """Every request at a relabelled booth, or at a booth of a renamed department, is changed as
    the API shows it: its updated_at moves (in one UPDATE; a department has thousands)."""
    requests = ServiceRequest.__table__
    at = requests.c.booth_id.in_(moved.relabelled_booths) | requests.c.booth_id.in_(
        sa.select(Booth.id).where(Booth.department_id.in_(moved.relabelled_departments)))
    connection.execute(sa.update(requests).where(at).values(updated_at=utcnow()))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, ServiceRequest):
            session.expire(obj, ["updated_at"])


@event.listens_for(so.Session, "after_soft_rollback")
def _forget(session: so.Session, _previous) -> None:
    session.info.pop("moved", None)


def _note_request(item: ServiceRequest, moved: _Moved, session: so.Session) -> None:
    """Every queue that shows the request, before and after this flush, and its own version."""
    state = so.attributes.instance_state(item)
    if not state.deleted and item not in session.deleted:
        booth = item.booth
        moved.booths.add(booth.id if booth is not None else item.booth_id)
        moved.booths.update(b.id for b in item.joint_booths)
    for name in ("booth", "joint_booths"):
        moved.booths.update(b.id for b in state.attrs[name].history.deleted if b is not None)
    if state.has_identity:  # the booths it was transferred from (a new request has no transfers yet)
        moved.booths.update(e.from_booth_id for e in item.events if e.kind.moves_lead and e.from_booth_id)
    moved.booths.update(b for b in state.attrs.booth_id.history.deleted if b is not None)
    if state.has_identity and item not in session.deleted:
        # An UPDATE of the row moves its version, even when only its trail or slip grew.
        item.updated_at = utcnow()
    statuses = [item.status, *state.attrs.status.history.deleted]
    if any(s is not None and s.has_plan for s in statuses):
        # On the ledger, or just off it (a reopened plan): its department's ledger pages.
        booths = [item.booth, *(b for b in state.attrs.booth.history.deleted if b is not None)]
        moved.ledgers.update(b.department_id for b in booths if b is not None)


def _request(item, moved, _session):
    moved.requests[id(item)] = item


def _part_of_request(request_of):
    """A note for a row that belongs to a request (a trail event, a slip, a call): the request moves."""
    def note(obj, moved, session):
        if (item := request_of(obj, session)) is not None:
            moved.requests[id(item)] = item
    return note


def _event_request(event_: RequestEvent, session) -> ServiceRequest | None:
    return event_.request or session.get(ServiceRequest, event_.request_id)


def _slip_request(slip: SatisfactionSlip, session) -> ServiceRequest | None:
    return slip.request or session.get(ServiceRequest, slip.request_id)


def _call_request(call: FollowUpCall, session) -> ServiceRequest | None:
    slip = call.slip or session.get(SatisfactionSlip, call.slip_id)
    return None if slip is None else _slip_request(slip, session)


def _round_item(entry: RoundItem, _moved, session) -> None:
    """A mark moves its round's version (its page's ETag, and the guard against two organisers
    marking at once), by an UPDATE of the round's row in this flush."""
    round_ = entry.round or session.get(ReconciliationRound, entry.round_id)
    if round_ is not None and round_ not in session.new:
        round_.updated_at = now_aware()


def _booth(booth, moved, _session):
    if booth.id is not None:
        moved.booths.add(booth.id)
        attrs = so.attributes.instance_state(booth).attrs
        if attrs.code.history.has_changes() or attrs.department_id.history.has_changes() \
                or attrs.department.history.has_changes():
            moved.relabelled_booths.add(booth.id)
    moved.fairs.add(booth.fair.id if booth.fair is not None else booth.fair_id)
    # A booth moved to another fair changes that fair too.
    moved.fairs.update(f.id for f in so.attributes.instance_state(booth).attrs.fair.history.deleted if f is not None)


def _zone(zone, moved, _session):
    moved.fairs.add(zone.fair.id if zone.fair is not None else zone.fair_id)


def _fair(fair, moved, _session):
    moved.fairs.add(fair.id)
    # Opening or closing changes what every booth queue of the fair says (the closed banner).
    if so.attributes.instance_state(fair).attrs.status.history.has_changes():
        moved.booths.update(b.id for b in fair.booths if b.id is not None)


def _department(department, moved, _session):
    if department.id is not None:  # a new department has no booth yet
        moved.departments.add(department.id)
        # Its own ledger pages, and the organisers' ledger filter, name it: at a booth or not.
        moved.ledgers.add(department.id)
        if so.attributes.instance_state(department).attrs.name.history.has_changes():
            moved.relabelled_departments.add(department.id)


#: what a flushed object of each type moves
_NOTES = {
    ServiceRequest: _request,
    RequestEvent: _part_of_request(_event_request),
    SatisfactionSlip: _part_of_request(_slip_request),
    FollowUpCall: _part_of_request(_call_request),
    Extension: _part_of_request(lambda extension, session: extension.request
                                or session.get(ServiceRequest, extension.request_id)),
    CloseOutVerdict: _part_of_request(lambda verdict, session: verdict.request
                                      or session.get(ServiceRequest, verdict.request_id)),
    # an evidence file shows on its item's page and tracking page (it comes with its event, which
    # moves them too; a file alone would as well)
    EvidenceFile: _part_of_request(lambda file, session: session.get(ServiceRequest, file.request_id)),
    # a parking (挂账) shows on its item's page and moves its department's ledger
    Parking: _part_of_request(lambda parking, session: parking.request
                              or session.get(ServiceRequest, parking.request_id)),
    # a supervision notice shows on its department's ledger home until every item is replied;
    # an item of it (its reply) on the item's trail and its department's ledger
    SupervisionNotice: lambda notice, moved, _session: moved.ledgers.add(
        notice.department.id if notice.department is not None else notice.department_id),
    SupervisionNoticeItem: _part_of_request(lambda entry, session: entry.request
                                            or session.get(ServiceRequest, entry.request_id)),
    RoundItem: _round_item,
    Booth: _booth,
    Zone: _zone,
    Fair: _fair,
    Department: _department,
}
