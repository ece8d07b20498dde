"""A request's page on the booth tablet, and every action on it."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from kiosk.auth.access import can_act, can_see, request_or_404
from kiosk.booth import bp, forms
from kiosk.core import steps
from kiosk.core.extensions import db
from kiosk.core.formtools import booth_choices
from kiosk.core.steps import Step
from kiosk.core.timeutil import fair_today
from kiosk.fairs.models import Booth, fair_booths
from kiosk.service_requests import workflow


@bp.get("/requests/<int:request_id>")
@login_required
def show(request_id: int):
    item = request_or_404(request_id)
    return render_template("booth/request.html", **_request_context(item))


#: the steps on a request's page (kiosk.core.steps): what each asks and what it does
STEPS = {
    "take": Step(forms.TakeForm, workflow.take, lambda f, item: {}, _l("已开始办理。")),
    "resolve": Step(forms.ResolveForm, workflow.resolve, lambda f, item: {"resolution": f.resolution.data},
                    _l("已记录为现场办结。")),
    "plan": Step(forms.PlanForm, workflow.plan, lambda f, item: {
        "plan_text": f.plan_text.data, "unit": f.unit.data, "person": f.person.data, "due": f.due.data,
        "today": fair_today()}, _l("已记录解决方案。"), initial=lambda item: {"unit": item.booth.name}),
    "transfer": Step(forms.TransferForm, workflow.transfer, lambda f, item: {
        "to_booth": db.session.get(Booth, f.to_booth.data), "reason": f.reason.data},
        _l("已转办，该需求已移出本摊位队列。")),
    "join": Step(forms.JoinForm, workflow.join, lambda f, item: {
        "booths": [db.session.get(Booth, b) for b in f.booths.data], "reason": f.reason.data}, _l("已邀请联合会商。")),
    "withdraw": Step(forms.ReasonForm, workflow.withdraw, lambda f, item: {"reason": f.reason.data}, _l("已撤回。")),
    "reopen": Step(forms.ReasonForm, workflow.reopen, lambda f, item: {"reason": f.reason.data}, _l("已重新办理。")),
    "note": Step(forms.NoteForm, workflow.note, lambda f, item: {"text": f.text.data}, _l("已添加备注。")),
}
#: the steps anyone who sees the request may take; the others only its lead booth (can_act)
ANYONE_WHO_SEES = {"note"}


@bp.post("/requests/<int:request_id>/<action>")
@login_required
def act(request_id: int, action: str):
    if action not in STEPS:
        abort(404)
    item = request_or_404(request_id, act=action not in ANYONE_WHO_SEES)
    form = STEPS[action].form(prefix=action)
    _fill_choices(form, item)
    taken = steps.take(action, STEPS[action], form, item, current_user, again=lambda: request_or_404(request_id))
    if not can_see(current_user, taken.thing):
        # Transferred away: the request left this booth, so back to the queue.
        flash(taken.message)
        return go(url_for(".queue", booth_id=current_user.booth_id))
    return steps.answer("booth/request.html", _request_context(taken.thing, taken), taken)


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


def _request_context(item, taken: steps.Taken | None = None) -> dict:
    """The page's forms, each showing the version now; the one that failed keeps what was typed."""
    context, booths = steps.panel(STEPS, item, taken), fair_booths(item.fair_id)
    for form in context["forms"].values():
        _fill_choices(form, item, booths)
    return {**context, "item": item, "allowed": workflow.allowed_moves(item),
            "may_act": can_act(current_user, item), "today": fair_today(),
            "may_take_slip": can_act(current_user, item) and item.takes_slip and item.slip is None}
