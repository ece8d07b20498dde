"""Calling on the booth tablet (叫号): the bar above the queue (call next; each ticket called now,
with call again, not here and take it up) and the posts it sends. The rules are
kiosk.service_requests.calling's; who is next, kiosk.service_requests.line's."""
from flask import abort, current_app, flash, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from kiosk.auth.access import booth_or_abort, request_or_404
from kiosk.booth import bp
from kiosk.booth.actions import go
from kiosk.service_requests import calling, workflow
from kiosk.service_requests.calling import CallingError
from kiosk.service_requests.workflow import WorkflowError


def calling_bar(booth_id: int, rows, fair_closed: bool) -> Markup:
    """The bar for the queue's block (rendered with it, on the poll too, where no current_user is
    at hand: whoever sees the queue sees the bar, and the posts check who may call). `rows`: the
    queue's QueueRows; the tickets called now are the lead booth's own waiting ones marked called,
    and those skipped once are listed after them, to call again or take up when the company comes."""
    if fair_closed:
        return Markup("")
    own = [row for row in rows if row.lead_booth_id == booth_id]
    called = [row for row in own if row.line_mark == "called"]
    skipped = [row for row in own if row.line_mark == "skipped"]  # may still come: call again, or take up
    template = current_app.jinja_env.get_template("booth/_calling.html")
    return Markup(template.render(booth_id=booth_id, called=called, skipped=skipped))


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
