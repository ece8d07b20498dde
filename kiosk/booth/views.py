"""The booth tablet: the live queue, a request's page with its actions, walk-in entry."""
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from kiosk.auth.access import booth_or_abort, can_act, can_see, in_queue_of, request_or_404
from kiosk.auth.views import home_of
from kiosk.booth import forms
from kiosk.extensions import db
from kiosk.fairs.models import Booth, Fair, FairStatus
from kiosk.formtools import booth_choices
from kiosk.rendering import not_modified, render_block, tagged
from kiosk.service_requests import workflow
from kiosk.intake.forms import IntakeForm, intake_from
from kiosk.intake.service import FairNotOpen, submit_request
from kiosk.service_requests.models import Channel, ServiceRequest, Status

bp = Blueprint("booth", __name__, url_prefix="/staff")

#: queue filters: the tab's key, and the states it shows
FILTERS = {
    "all": None,
    "waiting": [Status.waiting],
    "in_progress": [Status.in_progress],
    "resolved": [Status.resolved],
    "planned": [Status.planned, Status.closed_out],
    "withdrawn": [Status.withdrawn],
}
TAB_LABELS = {"all": _l("全部"), "waiting": _l("待受理"), "in_progress": _l("办理中"), "resolved": _l("现场办结"),
              "planned": _l("已出方案"), "withdrawn": _l("已撤回")}
#: waiting first (oldest first: they have waited longest), then in progress, then the rest
_QUEUE_ORDER = sa.case((ServiceRequest.status == Status.waiting, 0), (ServiceRequest.status == Status.in_progress, 1),
                       (ServiceRequest.status == Status.withdrawn, 3), else_=2)


@bp.get("/")
@login_required
def index():
    if current_user.booth_id:
        return redirect(home_of(current_user))
    if not current_user.is_organiser:
        abort(403)
    fairs = db.session.scalars(sa.select(Fair).where(Fair.status != FairStatus.closed).order_by(Fair.date.desc())
                               .options(so.selectinload(Fair.booths).joinedload(Booth.department))).all()
    return render_template("booth/index.html", fairs=fairs)


@bp.get("/booths/<int:booth_id>")
@login_required
def queue(booth_id: int):
    booth = booth_or_abort(booth_id)
    tab = request.args.get("status", "all")
    if tab not in FILTERS:
        tab = "all"
    if request.htmx and not request.htmx.boosted:
        # The poll: one primary-key read decides whether anything changed.
        etag = f"q{booth.id}-{booth.queue_version}-{tab}-{current_user.role.value}-{get_locale()}"
        cached = not_modified(etag)
        if cached is not None:
            return cached
        return tagged(make_response(render_block("booth/queue.html", "queue", **_queue_context(booth, tab))), etag)
    return render_template("booth/queue.html", **_queue_context(booth, tab))


def _queue_context(booth: Booth, tab: str) -> dict:
    mine = in_queue_of(booth.id)
    counts = dict(db.session.execute(
        sa.select(ServiceRequest.status, sa.func.count()).where(mine).group_by(ServiceRequest.status)).all())
    query = (sa.select(ServiceRequest).where(mine)
             .options(so.joinedload(ServiceRequest.company), so.selectinload(ServiceRequest.joint_booths))
             .order_by(_QUEUE_ORDER, sa.case((ServiceRequest.status.in_([Status.waiting, Status.in_progress]),
                                              ServiceRequest.id), else_=-ServiceRequest.id)))
    if FILTERS[tab]:
        query = query.where(ServiceRequest.status.in_(FILTERS[tab]))
    tab_counts = {key: sum(counts.values()) if states is None else sum(counts.get(s, 0) for s in states)
                  for key, states in FILTERS.items()}
    return {"booth": booth, "tab": tab, "tab_labels": TAB_LABELS, "tab_counts": tab_counts,
            "items": db.session.scalars(query).unique().all()}


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
    failed = status != 200
    context = _request_context(item, failed_action=action if failed else None, failed_form=form if failed else None)
    context.update(message=message, message_is_error=failed)
    if not can_see(current_user, item):
        # Transferred away: the request left this booth, so back to the queue.
        flash(message)
        return _go(url_for(".queue", booth_id=current_user.booth_id))
    if request.htmx:
        # Errors are answered 200 so htmx swaps the panel in; the message says what went wrong.
        return render_block("booth/request.html", "panel", **context)
    return render_template("booth/request.html", **context), status


def _go(url: str):
    if request.htmx:
        return "", 200, {"HX-Redirect": url}
    return redirect(url)


def fair_today():
    """Today where the fair is (the server may keep UTC)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _fill_choices(form, item):
    others = [b for b in _fair_booths(item.fair_id) if b.id != item.booth_id]
    if isinstance(form, forms.TransferForm):
        form.to_booth.choices = booth_choices(others)
    elif isinstance(form, forms.JoinForm):
        joined = {b.id for b in item.joint_booths}
        form.booths.choices = booth_choices([b for b in others if b.id not in joined], placeholder=False)


def _fair_booths(fair_id: int) -> list[Booth]:
    return db.session.scalars(sa.select(Booth).where(Booth.fair_id == fair_id).order_by(Booth.code)
                              .options(so.joinedload(Booth.zone), so.joinedload(Booth.department))).all()


def _request_context(item, failed_action=None, failed_form=None) -> dict:
    """The page's forms, each showing the version now; the one that failed keeps what was typed."""
    action_forms = {}
    for action, (form_class, _move, _args, _lead) in ACTIONS.items():
        if action == failed_action:
            form = failed_form
            form.version.data = item.version  # a conflict shows the new state; the next save may go on
        else:
            form = form_class(prefix=action, formdata=None, version=item.version)
            if action == "plan":
                form.unit.data = item.booth.name
        _fill_choices(form, item)
        action_forms[action] = form
    return {"item": item, "forms": action_forms, "open_action": failed_action,
            "allowed": {a for a, states in workflow.ALLOWED_FROM.items() if item.status in states},
            "may_act": can_act(current_user, item), "today": fair_today()}


@bp.route("/booths/<int:booth_id>/walk-in", methods=["GET", "POST"])
@login_required
def walk_in(booth_id: int):
    """A company without a phone: staff type the same form; the channel says so."""
    booth = booth_or_abort(booth_id)
    booths = _fair_booths(booth.fair_id)
    context = {"fair": booth.fair, "booth": booth, "walk_in": True,
               "form_action": url_for(".walk_in", booth_id=booth.id)}
    if request.method == "GET":
        form = IntakeForm(booths=booths, formdata=None, booth=booth.id, submission_key=secrets.token_urlsafe(16))
        return render_template("intake/form.html", form=form, **context)
    form = IntakeForm(booths=booths)
    notice = None if booth.fair.is_open else "closed"
    if notice is None and form.validate():
        try:
            saved = submit_request(intake_from(form), channel=Channel.walk_in, actor=current_user)
        except FairNotOpen:
            notice = "closed"
        else:
            flash(_l("已登记，需求编号 %(ticket)s。", ticket=saved.ticket_no))
            return _go(url_for(".show", request_id=saved.id))
    if request.htmx:
        return render_block("intake/form.html", "form", form=form, notice=notice, **context)
    return render_template("intake/form.html", form=form, notice=notice, **context), 409 if notice else 422
