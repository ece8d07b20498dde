"""A way back to a lost tracking link: the ticket number and the last 4 digits of the mobile.

Ticket numbers are easy to guess (B07-001, B07-002...) and 4 digits are 10,000 tries, so guessing is
slowed in the database (several app servers count together), never per IP address (a whole venue
shares one): a ticket number takes MISSES_PER_TICKET wrong tries an hour, and a fair
MISSES_PER_FAIR in ten minutes between all its tickets. A company that mistypes a few times is not
stopped; a script, even one that drops its cookies, finds about one ticket a day of a whole fair
(14,400 tries a day at 1 in 10,000). What it costs: someone who keeps the fair's limit spent can
hold everyone's lookup back; the tracking link, the phone's memory and the booth staff still work.
A miss says "not found" and nothing else: not whether the ticket exists.
"""
import hmac
import re
import unicodedata
from datetime import timedelta

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.intake.models import LookupMiss
from kiosk.service_requests.models import ServiceRequest

TICKET_WINDOW = timedelta(hours=1)
#: wrong tries at one ticket number within TICKET_WINDOW
MISSES_PER_TICKET = 5
FAIR_WINDOW = timedelta(minutes=10)
#: wrong tries at any ticket of one fair within FAIR_WINDOW (a real fair's companies mistype a few
#: times an hour; the Tai'an fair filed 269 requests in a day)
MISSES_PER_FAIR = 100

_TICKET = re.compile(r"([A-Z0-9]{1,12})-?(\d{1,4})")


class LookupPaused(Exception):
    """Too many wrong tries at this ticket or this fair: try again later."""


def normal_ticket(typed: str) -> str | None:
    """B07-003 from "b07-3", "B07003", "Ｂ０７－００３" or "B07 003"; None for what cannot be one.
    Without a dash, the last three digits are the number (B07003 is B07-003)."""
    text = re.sub(r"[\s\-‐‑–—－]+", "-", unicodedata.normalize("NFKC", typed or "").strip().upper()).strip("-")
    if "-" not in text and len(text) > 3 and text[-3:].isdigit():
        text = f"{text[:-3]}-{text[-3:]}"
    match = _TICKET.fullmatch(text)
    if match is None or "-" not in text:
        return None
    return f"{match.group(1)}-{int(match.group(2)):03d}"


def find_request(fair_id: int, ticket_no: str, last4: str) -> ServiceRequest | None:
    """The fair's request with this ticket number whose mobile ends in these 4 digits, or None.

    Raises LookupPaused, before anything is compared, while this ticket or this fair has had too
    many wrong tries. The try is counted first and kept at once (the one place this module commits),
    whatever the request's outcome; a try that finds the request is taken back.
    """
    db.session.execute(sa.delete(LookupMiss).where(LookupMiss.at < utcnow() - TICKET_WINDOW))
    attempt = LookupMiss(fair_id=fair_id, ticket_no=ticket_no)
    db.session.add(attempt)
    _keep_now()
    if _misses(fair_id, ticket_no) > MISSES_PER_TICKET or _misses(fair_id) > MISSES_PER_FAIR:
        db.session.delete(attempt)  # refused before anything was compared: it does not count
        _keep_now()
        raise LookupPaused()
    item = db.session.scalar(sa.select(ServiceRequest).where(
        ServiceRequest.fair_id == fair_id, ServiceRequest.ticket_no == ticket_no))
    found = item is not None and hmac.compare_digest(item.contact_mobile[-4:], last4)
    if not found:
        return None
    db.session.delete(attempt)  # committed with the request's answer
    return item


def _misses(fair_id: int, ticket_no: str | None = None) -> int:
    since = utcnow() - (FAIR_WINDOW if ticket_no is None else TICKET_WINDOW)
    query = sa.select(sa.func.count(LookupMiss.id)).where(LookupMiss.fair_id == fair_id, LookupMiss.at >= since)
    if ticket_no is not None:
        query = query.where(LookupMiss.ticket_no == ticket_no)
    return db.session.scalar(query)


def _keep_now() -> None:
    """A wrong try must count although its request ends in a refusal (a 404 keeps nothing), and be
    seen by tries sent at the same moment: so it is committed at once, here."""
    db.session.commit()
