"""Where slips are given: the company's tracking page, the tablet handed over in slip mode, and
paper slips typed in; and the organisers' follow-up of bad ratings."""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from kiosk.auth.access import organiser_required, request_by_token_or_404, request_or_404
from kiosk.auth.signin_limits import attempt_succeeded, browser_id, slip_exit_attempt
from kiosk.core.extensions import db
from kiosk.core.rendering import render_block
from kiosk.service_requests.models import ServiceRequest
from kiosk.slips.forms import ExitSlipModeForm, FollowUpForm, PaperSlipForm, SlipForm
from kiosk.slips.models import SatisfactionSlip, SlipChannel
from kiosk.slips.service import SlipRefused, give_slip, record_call

bp = Blueprint("slips", __name__)

#: all a tablet in slip mode may reach: the slip, the way out, and what the page itself loads
SLIP_MODE_ENDPOINTS = {"slips.kiosk", "slips.kiosk_exit", "static", "i18n.switch"}


# The company, on its tracking page.

@bp.post("/t/<token>/slip")
def by_company(token: str):
    item = request_by_token_or_404(token)
    form = SlipForm()
    outcome = _give(item, form, SlipChannel.phone)
    if request.htmx:
        return render_block("intake/track.html", "slip", item=item, slip_form=form, outcome=outcome)
    if outcome != "saved":
        return render_template("intake/track.html", item=item, slip_form=form, outcome=outcome, mine=[]), 422
    return redirect(url_for("intake.track", token=token), 303)


def _give(item, form, channel, entered_by=None, paper_number=None) -> str:
    """'saved'; 'invalid' (the form says why); or why the slip was refused (SlipRefused's reasons)."""
    if not form.validate():
        return "invalid"
    try:
        give_slip(item, form.answers(), channel, entered_by=entered_by, paper_number=paper_number)
    except SlipRefused as refused:
        db.session.rollback()
        return refused.reason
    return "saved"


# The booth's tablet, handed to the company: only this slip, and back only with a password.

@bp.before_app_request
def hold_the_tablet_in_slip_mode():
    if "slip_mode" in session and not current_user.is_authenticated:
        session.pop("slip_mode")  # signed out (or the password was reset): nothing left to guard
        session.pop("slip_done", None)
    if "slip_mode" in session and request.endpoint not in SLIP_MODE_ENDPOINTS:
        target = url_for("slips.kiosk")
        if request.headers.get("HX-Request"):
            return "", 200, {"HX-Redirect": target}
        return redirect(target)
    return None


@bp.post("/staff/requests/<int:request_id>/slip-mode")
@login_required
def start_slip_mode(request_id: int):
    item = request_or_404(request_id, act=True)
    if not item.takes_slip or item.slip is not None:
        flash(_l("这条需求目前不能评价：尚无办理结果，或已评价。"), "error")
        return redirect(url_for("booth.show", request_id=item.id))
    session["slip_mode"] = item.id
    session.pop("slip_done", None)
    return redirect(url_for(".kiosk"))


@bp.route("/slip", methods=["GET", "POST"])
@login_required
def kiosk():
    request_id = session.get("slip_mode")
    if request_id is None:
        return redirect(url_for("booth.index"))
    item = db.get_or_404(ServiceRequest, request_id)
    form, outcome = SlipForm(), None
    if request.method == "POST" and not session.get("slip_done"):
        outcome = _give(item, form, SlipChannel.tablet)
        if outcome in ("saved", "given"):
            session["slip_done"] = True
    if session.get("slip_done"):
        return render_template("slips/kiosk_thanks.html", item=item, exit_form=ExitSlipModeForm())
    return render_template("slips/kiosk.html", item=item, slip_form=form, outcome=outcome,
                           exit_form=ExitSlipModeForm(formdata=None))


@bp.post("/slip/exit")
@login_required
def kiosk_exit():
    form = ExitSlipModeForm()
    request_id = session.get("slip_mode")
    if request_id is None:
        return redirect(url_for("booth.index"))
    # The tablet is in a company's hands: its guesses at the staff password count as failed sign-ins.
    locked = False
    if form.validate():
        attempt = slip_exit_attempt(current_user.username, browser_id())
        locked = attempt is None
        if not locked and current_user.check_password(form.password.data):
            attempt_succeeded(attempt)
            session.pop("slip_mode")
            session.pop("slip_done", None)
            return redirect(url_for("booth.show", request_id=request_id))
    item = db.get_or_404(ServiceRequest, request_id)
    template = "slips/kiosk_thanks.html" if session.get("slip_done") else "slips/kiosk.html"
    return render_template(template, item=item, exit_form=form, slip_form=SlipForm(formdata=None),
                           outcome=None, exit_failed="locked" if locked else True), 429 if locked else 401


# Paper slips: typed in by an organiser, never by the rated booth (the 好差评 rule: the rated unit
# never writes its own rating). Booth staff of other booths cannot see the request at all, so
# organisers are the people outside the rated booth who can; give_slip checks the rule again.

@bp.route("/staff/requests/<int:request_id>/paper-slip", methods=["GET", "POST"])
@organiser_required
def paper(request_id: int):
    item = request_or_404(request_id)
    form = PaperSlipForm(formdata=request.form if request.method == "POST" else None)
    outcome = None
    if request.method == "POST":
        outcome = _give(item, form, SlipChannel.paper, entered_by=current_user,
                        paper_number=form.paper_number.data)
        if outcome == "saved":
            flash(_l("纸质测评表已录入。"))
            return redirect(url_for("booth.show", request_id=item.id))
    status = 200 if outcome is None else 422
    return render_template("slips/paper.html", item=item, slip_form=form, outcome=outcome), status


# Organisers: the bad ratings and their follow-up calls.

@bp.get("/followups")
@organiser_required
def followups():
    slips = db.session.scalars(
        sa.select(SatisfactionSlip).where(SatisfactionSlip.needs_followup)
        .order_by(SatisfactionSlip.followup_closed_at.is_not(None), SatisfactionSlip.created_at.desc())
        .options(so.joinedload(SatisfactionSlip.request).joinedload(ServiceRequest.company),
                 so.selectinload(SatisfactionSlip.calls))).all()
    return render_template("slips/followups.html", slips=slips)


@bp.route("/followups/<int:slip_id>", methods=["GET", "POST"])
@organiser_required
def followup(slip_id: int):
    slip = db.get_or_404(SatisfactionSlip, slip_id)
    if not slip.needs_followup:
        abort(404)
    form = FollowUpForm()
    if form.validate_on_submit():
        record_call(slip, current_user, called_at=form.called_at.data, spoke_with=form.spoke_with.data,
                    said=form.said.data, fixed=form.fixed.data, close=form.close.data)
        flash(_l("回访记录已保存。"))
        return redirect(url_for(".followups"))
    status = 422 if form.errors else 200
    return render_template("slips/followup.html", slip=slip, form=form), status
