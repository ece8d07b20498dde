"""Parking a ledger item (挂账), on the item's page: its card (templates/ledger/_parking.html, which
the item's page includes) and the steps it posts, under /supervision/items/<id>/park. The
department's staff ask; an organiser approves, refuses or resumes. Each view parses, calls and
answers: done, the item's page again (as it now stands, everything on it moved); refused or a field
to mend, the card with the words and what was typed."""
from datetime import timedelta

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from kiosk.auth.access import ledger_item_or_404, organiser_required
from kiosk.core import steps
from kiosk.core.rendering import render_block
from kiosk.core.steps import Step
from kiosk.core.timeutil import fair_today
from kiosk.supervision import bp, forms, parking

#: the card's steps (kiosk.core.steps): what each asks and what it does
STEPS = {
    "park-ask": Step(forms.ParkAskForm, parking.ask, lambda f, item: {
        "cause": f.cause.data, "explanation": f.explanation.data, "review_on": f.review_on.data,
        "today": fair_today()}, _l("已提交挂账申请，等待组织方审批。")),
    "park-approve": Step(forms.ParkApproveForm, parking.approve, lambda f, item: {
        "note": f.note.data, "today": fair_today()}, _l("已批准挂账。")),
    "park-refuse": Step(forms.ParkRefuseForm, parking.refuse, lambda f, item: {"reason": f.reason.data},
                        _l("已不批准挂账，部门可以看到理由。")),
    "park-resume": Step(forms.ParkResumeForm, parking.resume, lambda f, item: {
        "reason": f.reason.data, "today": fair_today()}, _l("已恢复办理。")),
}


@bp.app_template_global("parking_card")
def card(item, taken: steps.Taken | None = None) -> dict:
    """What the card shows: the parking running today, the ask waiting, the record of earlier
    ones, and the forms this person may use (the one that failed keeps what was typed)."""
    today = fair_today()
    return {**steps.panel(STEPS, item, taken), "item": item, "today": today,
            "allowed": parking.allowed(item, current_user, today), "pending": parking.pending_ask(item),
            "running": parking.running(item, today), "earliest": today + timedelta(days=1),
            "latest": parking.latest_review(today)}


@bp.post("/items/<int:item_id>/park")
@login_required  # (anyone but its department and organisers: a 404, as the item's page)
def ask(item_id: int):
    return _take("park-ask", item_id)


@bp.post("/items/<int:item_id>/park/approve")
@organiser_required
def approve(item_id: int):
    return _take("park-approve", item_id)


@bp.post("/items/<int:item_id>/park/refuse")
@organiser_required
def refuse(item_id: int):
    return _take("park-refuse", item_id)


@bp.post("/items/<int:item_id>/park/resume")
@organiser_required
def resume(item_id: int):
    return _take("park-resume", item_id)


def _take(name: str, item_id: int):
    found = ledger_item_or_404(item_id)
    form = STEPS[name].form(prefix=name)
    taken = steps.take(name, STEPS[name], form, found, current_user, again=lambda: ledger_item_or_404(item_id))
    if not taken.failed:
        # Done: the item's whole page moved (its badge, the trail), so it is shown again: reloaded
        # where it stands (the browser keeps its place), else asked for (a redirect to the same page
        # with only its #anchor changed would not load it).
        page = url_for("ledger.item", item_id=found.id)
        if not request.htmx:
            return redirect(f"{page}#parking", 303)
        here = request.headers.get("HX-Current-URL", "").split("#")[0].split("?")[0]
        return "", 200, {"HX-Refresh": "true"} if here.endswith(page) else {"HX-Redirect": page}
    context = {"parking": card(taken.thing, taken), "item": taken.thing}
    if request.htmx:
        return render_block("supervision/parking_step.html", "card", **context)
    return render_template("supervision/parking_step.html", **context), taken.status
