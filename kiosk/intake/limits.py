"""Floods of requests: refused from one phone, flagged at one booth.

Counted in the database, so that several app servers count together; and per phone, never per IP
address: a whole venue may reach the kiosk through one address. Nothing is written here: the count
is of the requests the phone has filed.
"""
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import session

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.fairs.models import Booth, Department
from kiosk.service_requests.models import ServiceRequest

SUBMIT_WINDOW = timedelta(minutes=10)
#: requests one booth may receive in a minute before the dashboard flags a flood: a busy real booth
#: takes a few a minute (the Tai'an fair: 116 requests at 15 booths in a day); a script, hundreds
FLOOD_PER_MINUTE = 20
#: requests one phone may file within the window; a company with many needs files a handful.
#: Checked where the request is filed (intake.service), in the same statement.
SUBMITS_PER_DEVICE = 30


def device_id() -> str:
    """This phone's random id for the submission limit, kept in its signed session cookie."""
    if "device" not in session:
        session["device"] = secrets.token_hex(8)
    return session["device"]


@dataclass(frozen=True)
class Flood:
    code: str
    name: str
    #: requests filed at the booth in the last minute
    filed: int


def floods(fair_id: int) -> list[Flood]:
    """The fair's booths that received more than FLOOD_PER_MINUTE requests in the last minute.

    Flagged on the organiser's dashboard, never refused: the per-phone limit above keys on a cookie,
    which a script can drop, and a per-address limit would refuse a whole venue behind one address.
    So a flood is not stopped here; it is made visible at once, so that the organiser can withdraw
    the junk and have the booth's staff ignore it.
    """
    since = utcnow() - timedelta(minutes=1)
    rows = db.session.execute(
        sa.select(Booth.code, Department.name, sa.func.count(ServiceRequest.id))
        .join(Booth, ServiceRequest.booth_id == Booth.id).join(Department, Booth.department_id == Department.id)
        .where(ServiceRequest.fair_id == fair_id, ServiceRequest.created_at >= since)
        .group_by(Booth.code, Department.name).having(sa.func.count(ServiceRequest.id) > FLOOD_PER_MINUTE)
        .order_by(Booth.code))
    return [Flood(code, name, filed) for code, name, filed in rows]
