"""A way back to a lost tracking link: the ticket number and the last 4 digits of the mobile.

Ticket numbers are public (the hall screen calls them, and they run B07-001, B07-002... at each
booth), so the secret is the mobile's digits: 4 of them, 10,000 values. Guessing is slowed in the
database (several app servers count together), never per IP address (a whole venue shares one), by
counting wrong tries three ways, one for each thing a guesser can vary:
- one ticket, every 4 digits: a ticket number takes MISSES_PER_TICKET wrong tries an hour (120 a day
  at 1 in 10,000: a ticket in some 40 days on average);
- one mobile's digits, every ticket (someone who knows the company's mobile walks B01-001, B02-001...
  F10-001, B01-002...: it found a ticket on its 48th try in 0.3 s): the same 4 digits take
  MISSES_PER_DIGITS wrong tries a day at one fair, whatever the tickets, so the walk covers 5
  tickets a day, not a booth (Tai'an's fair had some 11 requests a booth; the whole fair's 269
  take such a walk about a month on average);
- both at once: a fair takes MISSES_PER_FAIR wrong tries in ten minutes between all its tickets
  and digits: a script that drops its cookies finds about one ticket a day of the whole fair, not
  one it chose (14,400 tries a day at 1 in 10,000 each).
A company that mistypes a few times is not stopped: its own ticket and digits open its link at
once. What it costs: anyone who types a company's 4 digits 5 times in a day holds that company's
lookup back until the day is over (so do the company's own 5 wrong ticket numbers), companies of a
fair whose mobiles end alike share their 5, and someone who keeps the fair's limit spent holds
everyone's lookup back; the tracking link, the phone's memory and the booth staff still work. A hit
never takes back earlier misses: a guesser could otherwise file a request with a mobile ending in
the same digits and clear its count with its own ticket. A miss says "not found" and nothing else:
not whether the ticket exists.
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
DIGITS_WINDOW = timedelta(days=1)
#: wrong tries with the same last 4 digits at one fair within DIGITS_WINDOW, whatever the tickets: a
#: day, not an hour, since an hour's 5 would let a walk cover 120 tickets a day, a booth's in hours
MISSES_PER_DIGITS = 5
FAIR_WINDOW = timedelta(minutes=10)
#: wrong tries at any ticket of one fair within FAIR_WINDOW (a real fair's companies mistype a few
#: times an hour; the Tai'an fair filed 269 requests in a day)
MISSES_PER_FAIR = 100

_TICKET = re.compile(r"([A-Z0-9]{1,12})-?(\d{1,4})")


class LookupPaused(Exception):
    """Too many wrong tries at this ticket, with these digits or at this fair: try again later."""


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

    Raises LookupPaused, before anything is compared, while this ticket, these digits or this fair
    have had too many wrong tries. The try is counted first and kept at once (the one place this
    module commits), whatever the request's outcome; a try that finds the request is taken back.
    """
    db.session.execute(sa.delete(LookupMiss).where(LookupMiss.at < utcnow() - DIGITS_WINDOW))
    attempt = LookupMiss(fair_id=fair_id, ticket_no=ticket_no, last4=last4)
    db.session.add(attempt)
    _keep_now()
    if (_misses(fair_id, TICKET_WINDOW, LookupMiss.ticket_no == ticket_no) > MISSES_PER_TICKET
            or _misses(fair_id, DIGITS_WINDOW, LookupMiss.last4 == last4) > MISSES_PER_DIGITS
            or _misses(fair_id, FAIR_WINDOW) > MISSES_PER_FAIR):
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


def _misses(fair_id: int, window: timedelta, *conditions) -> int:
    """The fair's tries within the window (those with these conditions): the digits' count reads
    its own index (fair, digits, time), the others the fair's (fair, time)."""
    return db.session.scalar(sa.select(sa.func.count(LookupMiss.id)).where(
        LookupMiss.fair_id == fair_id, *conditions, LookupMiss.at >= utcnow() - window))


def _keep_now() -> None:
    """A wrong try must count although its request ends in a refusal (a 404 keeps nothing), and be
    seen by tries sent at the same moment: so it is committed at once, here."""
    db.session.commit()
