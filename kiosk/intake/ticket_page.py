"""The ticket's page that answers a phone's submission, made from a copy kept per fair, category
and minute.

When a fair opens, hundreds of submissions arrive at once (bench/bursts.py), and rendering the
ticket's page was the largest part of each: 1.2-1.8 ms of about 5 in-process. Two requests just
filed at a fair in one minute differ only in what the company typed, its booth, and what the
filing made. So the page is rendered once with stand-ins for those, and kept; each submission's
page is that copy with its own values put in, escaped exactly as the template escapes them.

What else the page shows is part of the copy's key: the fair as the filing read it, the category
and the amount, which optional fields were filled in (a template may show a section only then),
the minute of filing (the trail shows it, and how long ago it was), the language, WeChat or not,
and the path the kiosk is served under. Pages that show more are rendered whole, as before: a
phone with other tickets (they are listed), a flashed message, or a signed-in user.

The copy holds nothing of any company's: it is rendered with stand-ins for all they typed.
"""
import re
import secrets
from dataclasses import replace

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import escape

from kiosk.intake import phone
from kiosk.intake.just_filed import just_filed
from kiosk.intake.service import Filed, Intake

#: what the company typed, each shown on the page as the form kept it
TYPED = ("company_name", "contact_name", "mobile", "need", "project_name")
#: what the filing made, and the booth as it read it (a booth renamed meanwhile shows its new name)
MADE = ("ticket_no", "token", "booth_code", "booth_name")
#: letters and digits only, as a token's and a ticket's are: url_for leaves them as they are
_MARK = secrets.token_hex(6)
_STAND_IN = re.compile(f"Z{_MARK}Q(\\d+)Z")
#: copies kept per process: a fair's categories for the current minute, with room to spare
KEPT_AT_MOST = 512


def _stand_in(index: int) -> str:
    return f"Z{_MARK}Q{index}Z"


def kept_answer(filed: Filed, intake: Intake, render) -> str | None:
    """The page for a request filed just now; None where it must be rendered whole.

    render(item): the ticket page of a ServiceRequest (intake.views), called when no copy is kept.
    """
    if filed.filed_at is None or not _shows_nothing_else(filed):
        return None
    typed = [getattr(intake, name) or None for name in TYPED]
    key = (filed.fair_id, filed.fair_name, intake.category, intake.amount_wan, tuple(value is None for value in typed),
           filed.filed_at.replace(second=0, microsecond=0), str(get_locale()),
           "MicroMessenger" in request.headers.get("User-Agent", ""), request.script_root)
    kept = current_app.extensions.setdefault("kept_ticket_pages", {})
    parts = kept.get(key)
    if parts is None:
        if len(kept) >= KEPT_AT_MOST:
            kept.clear()  # (last minute's copies, mostly)
        parts = kept[key] = _split(render(_with_stand_ins(filed, intake)))
    values = [escape(value) for value in (*typed, *(getattr(filed, name) for name in MADE), intake.booth_id)]
    return "".join(part if index is None else values[index] for part, index in parts)


def _shows_nothing_else(filed: Filed) -> bool:
    """Whether the page shows only the request: no other tickets of the phone's (just this one),
    no message flashed, nobody signed in."""
    return (phone.recall().tickets == [filed.token] and "_flashes" not in session
            and not current_user.is_authenticated)


def _with_stand_ins(filed: Filed, intake: Intake):
    """The just-filed request, with a stand-in for each of its own values (none where empty), and
    for its booth's id last."""
    typed = {name: _stand_in(index) if getattr(intake, name) else getattr(intake, name)
             for index, name in enumerate(TYPED)}
    made = {name: _stand_in(len(TYPED) + index) for index, name in enumerate(MADE)}
    booth_id = _stand_in(len(TYPED) + len(MADE))
    return just_filed(filed._replace(**made), replace(intake, booth_id=booth_id, **typed))


def _split(page: str) -> list[tuple[str, int | None]]:
    """The page as (literal text, None) and ("", index of the value that goes there)."""
    pieces = _STAND_IN.split(page)
    parts = []
    for position, piece in enumerate(pieces):
        parts.append((piece, None) if position % 2 == 0 else ("", int(piece)))
    return parts
