"""Calling on the booth tablet (叫号): the bar above the queue (call next; each ticket called now,
with call again, not here and take it up) and the posts it sends. The rules are
kiosk.service_requests.calling's; who is next, kiosk.service_requests.line's."""
from flask import abort, current_app, flash, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from kiosk.auth.access import booth_or_abort, request_or_404
from kiosk.booth import bp
from kiosk.booth.actions import go
from kiosk.core.kept import kept
from kiosk.service_requests import calling, workflow
from kiosk.service_requests.calling import CallingError
from kiosk.service_requests.workflow import WorkflowError

#: stands in the kept bar for the session's CSRF token, put in at each render (no word, URL or
#: token holds a NUL, so nothing else can be taken for it)
TOKEN_SLOT = "\x00csrf\x00"
#: bars kept by each app server process: one per booth and set of called tickets, language and path
BARS_KEPT = 2_000


def calling_bar(booth_id: int, rows, fair_closed: bool) -> Markup:
    """The bar for the queue's block (rendered with it, on the poll too, where no current_user is
    at hand: whoever sees the queue sees the bar, and the posts check who may call). `rows`: the
    queue's QueueRows; the tickets called now are the lead booth's own waiting ones marked called,
    and those skipped once are listed after them, to call again or take up when the company comes.

    Every changed poll shows it, so its markup is kept (a template's render was a quarter of the
    poll) under all it is made of: the booth (its form's URL), each listed ticket's id, number and
    mark, and (added by kept()) the language and the path served under. The session's CSRF token
    is no part of a kept copy: it is put in at each render."""
    if fair_closed:
        return Markup("")
    own = [row for row in rows if row.lead_booth_id == booth_id]
    listed = tuple((row.id, row.ticket_no, row.line_mark) for row in own if row.line_mark == "called") + tuple(
        (row.id, row.ticket_no, row.line_mark) for row in own if row.line_mark == "skipped")  # after those called
    markup = kept("calling_bars", (booth_id, listed), lambda: _render_bar(booth_id, listed), most=BARS_KEPT)
    return Markup(markup.replace(TOKEN_SLOT, str(escape(_session_token()))))


def _session_token() -> str:
    """The session's CSRF token, signed. Signing it anew (generate_csrf) was most of the kept bar's
    cost; tokens do not expire by age here (WTF_CSRF_TIME_LIMIT is None: they last as the session
    does), so one signed once per session (its raw token in the key) and secret key serves again.
    Only a request whose session holds that raw token can find it."""
    raw = session.get("csrf_token")
    if not isinstance(raw, str) or current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    return kept("signed_csrf_tokens", (secret, raw), generate_csrf, most=BARS_KEPT)


def _render_bar(booth_id: int, listed: tuple) -> str:
    template = current_app.jinja_env.get_template("booth/_calling.html")
    return template.render(booth_id=booth_id, listed=listed, token=TOKEN_SLOT)


def _may_call(booth) -> None:
    if not (current_user.is_organiser or current_user.booth_id == booth.id):
        abort(403)


def _back(booth_id: int):
    return go(url_for(".queue", booth_id=booth_id))


@bp.post("/booths/<int:booth_id>/call-next")
@login_required
def call_next(booth_id: int):
    booth = booth_or_abort(booth_id)
    _may_call(booth)
    try:
        item = calling.call_next(booth, current_user)
    except CallingError as refused:
        flash(refused.message, "error")
    else:
        flash(_l("已叫号：%(ticket)s，请企业到 %(booth)s 摊位。", ticket=item.ticket_no, booth=booth.code))
    return _back(booth.id)


#: the posts on one called ticket: the move and what is said when it is done
_MOVES = {
    "call-again": (lambda item: calling.call_again(item, current_user, item.version), _l("已再次叫号：%(ticket)s。")),
    "skip": (lambda item: calling.skip(item, current_user, item.version), _l("已过号：%(ticket)s。")),
    "take": (lambda item: workflow.take(item, current_user, item.version), _l("已开始办理：%(ticket)s。")),
}


@bp.post("/requests/<int:request_id>/calling/<calling_move>")
@login_required
def called_move(request_id: int, calling_move: str):
    move = calling_move
    if move not in _MOVES:
        abort(404)
    item = request_or_404(request_id, act=True)
    booth_id, (do, said) = item.booth_id, _MOVES[move]
    try:
        do(item)
    except (CallingError, WorkflowError) as refused:
        flash(refused.message, "error")
        return _back(booth_id)
    flash(said % {"ticket": item.ticket_no})
    if move == "take":
        return go(url_for(".show", request_id=item.id))
    return _back(booth_id)
