"""The company's path: a booth's QR code, the form, the ticket and the tracking page."""
import secrets
from dataclasses import replace

import sqlalchemy as sa
from flask import Blueprint, abort, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError

from kiosk.auth.access import request_by_token_or_404
from kiosk.errors import error_page
from kiosk.extensions import db
from kiosk.fairs.models import Booth, Fair, FairStatus, fair_booths
from kiosk.formtools import int_or_none
from kiosk.intake.forms import IntakeForm, intake_from
from kiosk.intake.limits import device_id
from kiosk.intake.service import BoothNotOffered, FairNotOpen, Filed, TooManySubmissions, submit_request
from kiosk.rendering import not_modified, render_block, tagged
from kiosk.service_requests.models import ServiceRequest
from kiosk.slips.forms import SlipForm

bp = Blueprint("intake", __name__)

#: what the phone remembers between requests, so the company types itself only once
COMPANY_FIELDS = ("company_name", "credit_code", "contact_name", "mobile")
#: the tracking links this browser filed, newest first
MY_REQUESTS_KEPT = 20


@bp.get("/")
def home():
    fairs = db.session.scalars(
        sa.select(Fair).where(Fair.status == FairStatus.open).order_by(Fair.date.desc())).all()
    if len(fairs) == 1:
        return redirect(url_for(".fair_form", fair_id=fairs[0].id))
    return render_template("intake/home.html", fairs=fairs)


@bp.errorhandler(CSRFError)
def expired(_error):
    """A form whose session ran out comes back with a fresh token and everything typed kept."""
    if request.endpoint != "intake.submit":
        return error_page(400, "expired")
    fair = db.session.get(Fair, request.view_args["fair_id"])
    if fair is None:  # (abort() inside an error handler would be a 500)
        return error_page(404)
    return _form_invalid(fair, IntakeForm(booths=fair_booths(fair.id), meta={"csrf": False}), notice="expired")


@bp.get("/b/<int:fair_id>/<code>")
def fair_booth_form(fair_id: int, code: str):
    """What a poster's QR code opens: this booth at this fair, whatever other fairs are open."""
    booth = db.session.scalar(sa.select(Booth).where(
        Booth.fair_id == fair_id, sa.func.upper(Booth.code) == code.strip().upper()))
    if booth is None:
        abort(404, description="unknown_booth")
    return _form_page(booth.fair, booth)


@bp.get("/b/<code>")
def booth_form(code: str):
    """An old short link, without its fair: right while one open fair has this booth code; when
    several have it, the company picks its fair (guessing would file into a stranger's fair)."""
    booths = _find_booths(code)
    open_ones = [booth for booth in booths if booth.fair.is_open]
    if len(open_ones) > 1:
        return render_template("intake/choose_fair.html", booths=open_ones, code=open_ones[0].code)
    booth = open_ones[0] if open_ones else booths[0]
    return _form_page(booth.fair, booth)


@bp.get("/f/<int:fair_id>")
def fair_form(fair_id: int):
    fair = db.get_or_404(Fair, fair_id)
    booth = db.session.get(Booth, request.args.get("booth", type=int_or_none) or 0)
    return _form_page(fair, booth if booth and booth.fair_id == fair.id else None)


@bp.post("/f/<int:fair_id>")
def submit(fair_id: int):
    # The first minutes of a fair bring hundreds of these at once, so nothing is read here: whether
    # the fair is open and offers the booth, and whether the phone is within its limit, is checked
    # by the statement that files the request. The fair and its booths are loaded only to show the
    # form again.
    form = IntakeForm(booths=None)
    if not form.validate():
        return _form_invalid(db.get_or_404(Fair, fair_id), form)
    try:
        saved = submit_request(replace(intake_from(form), device=device_id()), fair_id=fair_id)
    except BoothNotOffered:
        return _form_invalid(db.get_or_404(Fair, fair_id), form)
    except TooManySubmissions:
        return _form_invalid(db.get_or_404(Fair, fair_id), form, notice="too_many")
    except FairNotOpen:
        return _form_invalid(db.get_or_404(Fair, fair_id), form, notice="closed")
    _remember(form, saved)
    target = url_for(".track", token=saved.token)
    if request.htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


@bp.get("/t/<token>")
def track(token: str):
    item = request_by_token_or_404(token)
    if request.htmx and not request.htmx.boosted:
        # The request's own version, and its fair's set-up (the booth's name, the fair's state).
        etag = f"t{item.id}-{item.version}-{item.fair.setup_version}-{get_locale()}"
        response = not_modified(etag)
        if response is None:
            fragment = render_block("intake/track.html", "status", item=item, slip_form=SlipForm(formdata=None))
            response = tagged(make_response(fragment), etag)
            if item.status.settled:
                response.status_code = 286  # htmx stops polling: the outcome is what the company waited for
        return response
    others = [t for t in session.get("my_requests", []) if t != token]
    mine = db.session.scalars(sa.select(ServiceRequest).where(ServiceRequest.token.in_(others))
                              .order_by(ServiceRequest.id.desc())).all() if others else []
    return render_template("intake/track.html", item=item, mine=mine, slip_form=SlipForm(formdata=None))


def _find_booths(code: str) -> list[Booth]:
    """The booths with this code, those at open fairs first, newest fair first; 404 when none."""
    booths = db.session.scalars(
        sa.select(Booth).join(Fair).where(sa.func.upper(Booth.code) == code.strip().upper())
        .order_by((Fair.status == FairStatus.open).desc(), Fair.date.desc(), Fair.id.desc())).all()
    if not booths:
        abort(404, description="unknown_booth")
    return booths


def _form_page(fair: Fair, booth: Booth | None):
    if not fair.is_open:
        return render_template("intake/not_open.html", fair=fair), 200 if fair.status is FairStatus.draft else 410
    if booth is not None and booth.hidden:  # its poster may still hang in the hall: say so, offer the others
        return render_template("intake/booth_hidden.html", fair=fair, booth=booth), 410
    remembered = session.get("company", {})
    form = IntakeForm(booths=fair_booths(fair.id), formdata=None, booth=booth.id if booth else None,
                      submission_key=secrets.token_urlsafe(16), **remembered)
    return render_template("intake/form.html", fair=fair, form=form, booth=booth)


def _form_invalid(fair: Fair, form: IntakeForm, notice: str | None = None):
    """The form again with every message beside its field and everything typed kept."""
    if not form.offers_booths:
        form.offer(fair_booths(fair.id))
    if not fair.is_open:
        notice = "closed"  # whatever else is wrong: nothing can be filed now
    status = {"closed": 409, "expired": 400, "too_many": 429}.get(notice, 422)
    if request.htmx:
        # htmx swaps only 2xx answers; the status for plain browsers says what happened.
        return render_block("intake/form.html", "form", fair=fair, form=form, notice=notice), 200
    booth = db.session.get(Booth, form.booth.data) if form.booth.data else None
    return render_template("intake/form.html", fair=fair, form=form, booth=booth, notice=notice), status


def _remember(form: IntakeForm, saved: Filed) -> None:
    session["company"] = {name: form[name].data for name in COMPANY_FIELDS}
    session["my_requests"] = ([saved.token] + [t for t in session.get("my_requests", []) if t != saved.token]
                              )[:MY_REQUESTS_KEPT]
