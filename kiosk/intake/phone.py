"""What the company's phone remembers: who the company is, and the tickets it has.

Kept in a signed cookie of its own with a lifetime of its own, not in the session: WeChat on iOS
drops session cookies whenever the app is killed, and WeChat is where most companies meet the kiosk.
A session cookie would forget the company between two booths, and forget its tickets for good.

The tickets in the cookie always belong to one company (its credit code is kept with them): a phone
passed to the next company starts that company's list afresh, so that no company sees another's
tickets on a shared phone, even if nobody tapped "不是本企业？清空".
"""
from dataclasses import dataclass, field
from datetime import timedelta

from flask import after_this_request, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "kiosk_phone"
#: a fair day and the quarter after it: the ledger's first reconciliation (对账销号) and the close-out
#: the company confirms fall within it; each filing starts the count again
LIFETIME = timedelta(days=90)
#: the tickets kept, newest first (a cookie holds 4 KB: 20 tokens take 500 bytes)
TICKETS_KEPT = 20
#: what the phone fills in for the company, so that it types itself only once
COMPANY_FIELDS = ("company_name", "credit_code", "contact_name", "mobile")


@dataclass
class PhoneMemory:
    #: the company's details as it last typed them (COMPANY_FIELDS); empty when none are kept
    company: dict = field(default_factory=dict)
    #: whose tickets these are: a credit code; None while there are none
    owner: str | None = None
    #: tracking tokens, newest first
    tickets: list[str] = field(default_factory=list)

    def holds(self, token: str) -> bool:
        return token in self.tickets


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="kiosk-phone")


def recall() -> PhoneMemory:
    """What this phone remembers (nothing, for a cookie that is missing, forged or past its lifetime)."""
    if "phone_memory" in g:
        return g.phone_memory
    try:
        data = _serializer().loads(request.cookies.get(COOKIE, ""), max_age=LIFETIME.total_seconds())
        memory = PhoneMemory(company={k: str(data["c"][k]) for k in COMPANY_FIELDS if k in data.get("c", {})},
                             owner=data.get("o"), tickets=[str(t) for t in data.get("t", [])][:TICKETS_KEPT])
    except (BadSignature, KeyError, TypeError, AttributeError, ValueError):
        memory = PhoneMemory()
    g.phone_memory = memory
    return memory


def remember_filing(company: dict, token: str) -> None:
    """The company filed a request from this phone: keep its details, and the ticket with its others
    (a different credit code from the tickets' owner starts a new list)."""
    _keep_ticket(recall(), company["credit_code"], token)
    g.phone_memory.company = {name: company[name] for name in COMPANY_FIELDS}


def remember_ticket(credit_code: str, token: str) -> None:
    """A ticket found by its number (intake.lookup): kept with the company's others. If it is another
    company's, the phone now holds that company's list, and forgets the details it kept for the first."""
    memory = recall()
    if memory.owner != credit_code:
        memory.company = {}
    _keep_ticket(memory, credit_code, token)


def forget() -> None:
    """不是本企业？清空: the phone forgets the company and its tickets."""
    g.phone_memory = PhoneMemory()
    _write_later()


def _keep_ticket(memory: PhoneMemory, credit_code: str, token: str) -> None:
    if memory.owner != credit_code:
        memory.owner, memory.tickets = credit_code, []
    memory.tickets = ([token] + [t for t in memory.tickets if t != token])[:TICKETS_KEPT]
    g.phone_memory = memory
    _write_later()


def _write_later() -> None:
    if g.get("phone_memory_written"):
        return
    g.phone_memory_written = True

    @after_this_request
    def write(response):
        memory = g.phone_memory
        secure = current_app.config["SESSION_COOKIE_SECURE"]
        if not (memory.company or memory.tickets):
            response.delete_cookie(COOKIE, httponly=True, samesite="Lax", secure=secure)
            return response
        value = _serializer().dumps({"c": memory.company, "o": memory.owner, "t": memory.tickets})
        response.set_cookie(COOKIE, value, max_age=int(LIFETIME.total_seconds()), httponly=True,
                            samesite="Lax", secure=secure)
        return response
