"""The company's path: a booth's QR code, the form, the ticket and the tracking page; the way back
to a lost link (a lookup by ticket number), and the phone handed to the next company."""
import secrets
from dataclasses import replace

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError

from kiosk.auth.access import request_by_token_or_404
from kiosk.core.errors import error_page
from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none
from kiosk.core.rendering import not_modified, render_block, tagged
from kiosk.core.safeurls import local_path
from kiosk.fairs.models import Booth, Fair, FairStatus, fair_booths
from kiosk.intake import phone
from kiosk.intake.forms import IntakeForm, LookupForm, intake_from
from kiosk.intake.just_filed import just_filed
from kiosk.intake.limits import device_id
from kiosk.intake.lookup import LookupPaused, find_request
from kiosk.intake.place import place_of, place_tag
from kiosk.intake.service import BoothNotOffered, FairNotOpen, TooManySubmissions, submit_request
from kiosk.service_requests.models import ServiceRequest
from kiosk.slips.forms import SlipForm

bp = Blueprint("intake", __name__)


@bp.get("/")
def home():
    """The bare address: the open fairs' forms (posters open a booth's form directly) and the
    public disclosure, which must stay in reach while a fair is open."""
    fairs = db.session.scalars(
        sa.select(Fair).where(Fair.status == FairStatus.open).order_by(Fair.date.desc())).all()
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
    # by the filing itself, in its transaction. The fair and its booths are loaded only to show the
    # form again.
    form = IntakeForm(booths=None)
    if not form.validate():
        return _form_invalid(db.get_or_404(Fair, fair_id), form)
    intake = replace(intake_from(form), device=device_id())
    try:
        saved = submit_request(intake, fair_id=fair_id)
    except BoothNotOffered:
        return _form_invalid(db.get_or_404(Fair, fair_id), form)
    except TooManySubmissions:
        return _form_invalid(db.get_or_404(Fair, fair_id), form, notice="too_many")
    except FairNotOpen:
        return _form_invalid(db.get_or_404(Fair, fair_id), form, notice="closed")
    phone.remember_filing({name: form[name].data for name in phone.COMPANY_FIELDS}, saved.token)
    target = url_for(".track", token=saved.token)
    if request.htmx:
        # One round trip to the ticket: the answer is the tracking page itself, in place of the page,
        # and its URL goes into the address bar (bench/tap_to_ticket.py, 400 kbit/s with a 400 ms round
        # trip: 0.99 s over two trips, 0.52 s over one). Without JavaScript, post-redirect-get as before.
        item = just_filed(saved, intake) or db.session.scalars(
            sa.select(ServiceRequest).where(ServiceRequest.id == saved.id).options(*_TRACK_PAGE)).unique().one()
        response = make_response(_track_page(item, page_path=target))
        response.headers.update({"HX-Push-Url": target, "HX-Retarget": "body",
                                 "HX-Reswap": "innerHTML show:window:top"})
        return response
    return redirect(target, 303)


@bp.get("/t/<token>")
def track(token: str):
    item = request_by_token_or_404(token)
    if request.htmx and not request.htmx.boosted:
        # The request's own version, and its fair's set-up (the booth's name, the fair's state).
        place = place_of(item)  # its place in line and wait: another's request ahead moves them
        etag = f"t{item.id}-{item.version}-{item.fair.setup_version}-{place_tag(place)}-{get_locale()}"
        response = not_modified(etag)
        if response is None:
            fragment = render_block("intake/track.html", "status", item=item, slip_form=SlipForm(formdata=None),
                                    place=place)
            response = tagged(make_response(fragment), etag)
            if item.status.settled:
                response.status_code = 286  # htmx stops polling: the outcome is what the company waited for
        return response
    return _track_page(item)


#: what the tracking page shows besides the request, loaded with it in one query where the page is
#: the answer to a submission (the first minutes of a fair bring hundreds at once): read one by one
#: as the template reaches them, they were five round trips and most of the answer's time
_TRACK_PAGE = (so.joinedload(ServiceRequest.fair), so.joinedload(ServiceRequest.booth).joinedload(Booth.department),
               so.joinedload(ServiceRequest.events))


def _track_page(item: ServiceRequest, page_path: str | None = None) -> str:
    """The tracking page; with the phone's other tickets when this one is among them (a link opened
    on a shared phone does not show the phone's company's tickets to another company)."""
    memory = phone.recall()
    others = [t for t in memory.tickets if t != item.token] if memory.holds(item.token) else []
    # The slip's form only once there is an outcome to rate (it is eight fields to build, and the
    # page is also the answer to every submission).
    slip_form = SlipForm(formdata=None) if item.takes_slip else None
    # (the answer to a submission leaves the place in line to the page's first poll: it reads nothing)
    place = place_of(item) if page_path is None else None
    return render_template("intake/track.html", item=item, mine=_tickets(others), slip_form=slip_form,
                           in_wechat="MicroMessenger" in request.headers.get("User-Agent", ""),
                           page_path=page_path, place=place)


@bp.route("/f/<int:fair_id>/find", methods=["GET", "POST"])
def find(fair_id: int):
    """A lost tracking link: the ticket number and the last 4 digits of the mobile open it."""
    fair = db.get_or_404(Fair, fair_id)
    form = LookupForm(formdata=None) if request.method == "GET" else LookupForm()
    if request.method == "GET" or not form.validate():
        return render_template("intake/find.html", fair=fair, form=form), 200 if request.method == "GET" else 422
    try:
        item = find_request(fair.id, form.ticket.data, form.last4.data)
    except LookupPaused:
        return render_template("intake/find.html", fair=fair, form=form, notice="paused"), 429
    if item is None:
        return render_template("intake/find.html", fair=fair, form=form, notice="not_found"), 404
    phone.remember_ticket(item.company.credit_code, item.token)
    return redirect(url_for(".track", token=item.token), 303)


@bp.post("/phone/forget")
def forget():
    """不是本企业？清空: a shared phone forgets the last company, its details and its tickets."""
    phone.forget()
    return redirect(local_path(request.form.get("back")) or url_for(".home"), 303)


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
    memory = phone.recall()
    form = IntakeForm(booths=fair_booths(fair.id), formdata=None, booth=booth.id if booth else None,
                      submission_key=secrets.token_urlsafe(16), **memory.company)
    return render_template("intake/form.html", fair=fair, form=form, booth=booth, **_phone_context(memory))


def _phone_context(memory: phone.PhoneMemory) -> dict:
    """What the form shows of the phone's memory: whose details fill it, and the tickets it holds."""
    return {"remembered": memory.company.get("company_name"), "earlier": _tickets(memory.tickets)}


def _tickets(tokens: list[str]) -> list[ServiceRequest]:
    """The requests of these tracking tokens, newest first."""
    if not tokens:
        return []
    return db.session.scalars(sa.select(ServiceRequest).where(ServiceRequest.token.in_(tokens))
                              .options(so.joinedload(ServiceRequest.booth), so.joinedload(ServiceRequest.fair))
                              .order_by(ServiceRequest.id.desc())).all()


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
    return render_template("intake/form.html", fair=fair, form=form, booth=booth, notice=notice,
                           **_phone_context(phone.recall())), status
