"""A request's page on the booth tablet, and every action on it."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from kiosk.auth.access import can_act, can_see, request_or_404
from kiosk.booth import bp, forms
from kiosk.core.extensions import db
from kiosk.core.formtools import booth_choices
from kiosk.core.rendering import render_block
from kiosk.core.timeutil import fair_today
from kiosk.fairs.models import Booth, fair_booths
from kiosk.service_requests import workflow


@bp.get("/requests/<int:request_id>")
@login_required
def show(request_id: int):
    item = request_or_404(request_id)
    return render_template("booth/request.html", **_request_context(item))


#: action -> (form, workflow move, what the move needs from the form, whether only the lead may do it)
ACTIONS = {
    "take": (forms.TakeForm, workflow.take, lambda f, item: {}, True),
    "resolve": (forms.ResolveForm, workflow.resolve, lambda f, item: {"resolution": f.resolution.data}, True),
    "plan": (forms.PlanForm, workflow.plan, lambda f, item: {
        "plan_text": f.plan_text.data, "unit": f.unit.data, "person": f.person.data, "due": f.due.data,
        "today": fair_today()}, True),
    "transfer": (forms.TransferForm, workflow.transfer, lambda f, item: {
        "to_booth": db.session.get(Booth, f.to_booth.data), "reason": f.reason.data}, True),
    "join": (forms.JoinForm, workflow.join, lambda f, item: {
        "booths": [db.session.get(Booth, b) for b in f.booths.data], "reason": f.reason.data}, True),
    "withdraw": (forms.ReasonForm, workflow.withdraw, lambda f, item: {"reason": f.reason.data}, True),
    "reopen": (forms.ReasonForm, workflow.reopen, lambda f, item: {"reason": f.reason.data}, True),
    "note": (forms.NoteForm, workflow.note, lambda f, item: {"text": f.text.data}, False),
}

DONE = {
    "take": _l("已开始办理。"), "resolve": _l("已记录为现场办结。"), "plan": _l("已记录解决方案。"),
    "transfer": _l("已转办，该需求已移出本摊位队列。"), "join": _l("已邀请联合会商。"), "withdraw": _l("已撤回。"),
    "reopen": _l("已重新办理。"), "note": _l("已添加备注。"),
}


@bp.post("/requests/<int:request_id>/<action>")
@login_required
def act(request_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    form_class, move, arguments, lead_only = ACTIONS[action]
    item = request_or_404(request_id, act=lead_only)
    form = form_class(prefix=action)
    _fill_choices(form, item)
    message, status = None, 200
    if form.validate():
        try:
            move(item, current_user, form.version.data, **arguments(form, item))
            message = DONE[action]
        except workflow.WorkflowError as error:
            db.session.rollback()
            message, status = error.message, 409
            item = request_or_404(request_id)
    else:
        status = 422
    if not can_see(current_user, item):
        # Transferred away: the request left this booth, so back to the queue.
        flash(message)
        return go(url_for(".queue", booth_id=current_user.booth_id))
    failed = status != 200
    context = _request_context(item, failed_action=action if failed else None, failed_form=form if failed else None)
    context.update(message=message, message_is_error=failed)
    if request.htmx:
        # Errors are answered 200 so htmx swaps the panel in; the message says what went wrong.
        return render_block("booth/request.html", "panel", **context)
    return render_template("booth/request.html", **context), status


def go(url: str):
    if request.htmx:
        return "", 200, {"HX-Redirect": url}
    return redirect(url)


def _fill_choices(form, item, booths=None):
    """Booth choices for the forms that pick booths (the fair's booths, loaded once per page)."""
    if not isinstance(form, (forms.TransferForm, forms.JoinForm)):
        return
    others = [b for b in booths or fair_booths(item.fair_id) if b.id != item.booth_id]
    if isinstance(form, forms.TransferForm):
        form.to_booth.choices = booth_choices(others)
    elif isinstance(form, forms.JoinForm):
        joined = {b.id for b in item.joint_booths}
        form.booths.choices = booth_choices([b for b in others if b.id not in joined], placeholder=False)


def _request_context(item, failed_action=None, failed_form=None) -> dict:
    """The page's forms, each showing the version now; the one that failed keeps what was typed."""
    action_forms, booths = {}, fair_booths(item.fair_id)
    for action, (form_class, _move, _args, _lead) in ACTIONS.items():
        if action == failed_action:
            form = failed_form
            form.version.data = item.version  # a conflict shows the new state; the next save may go on
        else:
            form = form_class(prefix=action, formdata=None, version=item.version)
            if action == "plan":
                form.unit.data = item.booth.name
        _fill_choices(form, item, booths)
        action_forms[action] = form
    return {"item": item, "forms": action_forms, "open_action": failed_action,
            "allowed": workflow.allowed_moves(item),
            "may_act": can_act(current_user, item), "today": fair_today(),
            "may_take_slip": can_act(current_user, item) and item.status.has_outcome and item.slip is None}
