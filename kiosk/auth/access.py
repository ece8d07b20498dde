"""Who may see and change what, decided here and nowhere else.

Booth staff see their booth's requests and those their booth was joined to, and change only the
ones their booth leads; department staff see and work on their department's ledger items (planned
at any of its booths, at any fair) and nothing else; organisers see and change everything. A
request someone may not see is a 404, so that ticket ids reveal nothing; a booth they may not see
is a 403.
"""
from dataclasses import dataclass
from functools import wraps

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, session
from flask_login import current_user, login_required

from kiosk.auth import reads
from kiosk.auth.models import Role, User, session_holds, session_parts
from kiosk.core.extensions import db, login_manager
from kiosk.fairs.models import Booth
from kiosk.service_requests.models import ServiceRequest


def can_see_booth(user: "User | Viewer", booth_id: int) -> bool:
    return user.is_organiser or user.booth_id == booth_id


def can_see(user: User, item: ServiceRequest) -> bool:
    if user.is_department_staff:
        return works_on(user, item)
    return user.is_organiser or item.booth_id == user.booth_id or any(
        b.id == user.booth_id for b in item.joint_booths)


def works_on(user: User, item: ServiceRequest) -> bool:
    """The ledger's rule: organisers work on every ledger item; a department's staff on its own
    (the lead booth's department, at whichever fair), and only once the item is on the ledger.
    Booth accounts belong to one fair's day and do no ledger work."""
    if user.is_organiser:
        return True
    return (user.is_department_staff and item.status.has_plan
            and item.booth is not None and item.booth.department_id == user.department_id)


def can_act(user: User, item: ServiceRequest) -> bool:
    """Record outcomes, transfer, join, withdraw, reopen: the lead booth and organisers."""
    return user.is_organiser or (user.booth_id is not None and item.booth_id == user.booth_id)


@dataclass(frozen=True)
class Viewer:
    """Who polls a queue: what can_see_booth asks of a user, and nothing more."""
    booth_id: int | None
    is_organiser: bool


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the account the session names, if the session still stands for it
    (session_holds), read through the driver (kiosk.auth.reads.signed_in_user) and put in the request's
    session as if the ORM had loaded it."""
    user_id = session_parts(session_id)[0]
    if user_id is None:
        return None
    with reads.reading() as read:
        user = reads.signed_in_user(read, user_id)
    if user is None or not session_holds(session_id, user):
        return None
    # (Loaded already in this session, say by a hook: the one the session holds.)
    already = db.session.identity_map.get(sa.inspect(user).key)
    if already is not None:
        return already
    db.session.add(user)
    return user


def poll_viewer(read) -> Viewer | None:
    """Who is signed in, from the session and one read of the account through the driver: the test
    load_user makes, without building the user (the queue poll runs all day, on every tablet).
    None when nobody is, or the session no longer stands; the full path then says so as usual."""
    session_id = session.get("_user_id", "")  # Flask-Login's key
    user_id = session_id.partition(".")[0]
    signed_in = reads.account(read, int(user_id)) if user_id.isdigit() else None
    if signed_in is None or not session_holds(session_id, signed_in):
        return None
    return Viewer(booth_id=signed_in.booth_id, is_organiser=signed_in.role is Role.organiser)


def booth_or_abort(booth_id: int) -> Booth:
    # With its fair and department: every page about a booth shows both.
    booth = db.get_or_404(Booth, booth_id, options=[so.joinedload(Booth.fair), so.joinedload(Booth.department)])
    if not can_see_booth(current_user, booth.id):
        abort(403)
    return booth


def request_or_404(request_id: int, act: bool = False) -> ServiceRequest:
    item = db.get_or_404(ServiceRequest, request_id)
    if not can_see(current_user, item):
        abort(404)
    if act and not can_act(current_user, item):
        abort(403)
    return item


def request_by_token_or_404(token: str) -> ServiceRequest:
    """The company's own request: whoever holds its tracking link, and nobody by any other way."""
    item = db.session.scalar(sa.select(ServiceRequest).filter_by(token=token))
    if item is None:
        abort(404)
    return item


def ledger_item_or_404(item_id: int) -> ServiceRequest:
    """A ledger item for the organisers or its department's staff; to anyone else it does not exist."""
    item = db.get_or_404(ServiceRequest, item_id)
    if not works_on(current_user, item):
        abort(404)
    return item


def ledger_user_required(view):
    """The ledger's pages: organisers, and department staff (who see their own department's part)."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not (current_user.is_organiser or current_user.is_department_staff):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def organiser_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_organiser:
            abort(403)
        return view(*args, **kwargs)
    return wrapped
