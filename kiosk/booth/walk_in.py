"""A company without a phone: booth staff type the same form, and the channel says so."""
import secrets

from flask import flash, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from kiosk.auth.access import booth_or_abort
from kiosk.booth import bp
from kiosk.booth.actions import go
from kiosk.core.rendering import render_block
from kiosk.fairs.models import fair_booths
from kiosk.intake.forms import IntakeForm, intake_from
from kiosk.intake.service import FairNotOpen, submit_request
from kiosk.service_requests.models import Channel


@bp.route("/booths/<int:booth_id>/walk-in", methods=["GET", "POST"])
@login_required
def walk_in(booth_id: int):
    booth = booth_or_abort(booth_id)
    # Entered at this booth, for this booth: a need for another booth is entered there, or
    # transferred afterwards (so the one who typed it can always open what they typed).
    booths = [b for b in fair_booths(booth.fair_id) if b.id == booth.id]
    context = {"fair": booth.fair, "booth": booth, "walk_in": True,
               "form_action": url_for(".walk_in", booth_id=booth.id)}
    if request.method == "GET":
        form = IntakeForm(booths=booths, formdata=None, booth=booth.id, submission_key=secrets.token_urlsafe(16))
        return render_template("intake/form.html", form=form, notice="booth_hidden" if booth.hidden else None,
                               **context)
    form = IntakeForm(booths=booths)
    # A hidden booth takes no requests (organiser.fair_setup.delete_or_hide_booth): its picker is empty, so say why.
    notice = "booth_hidden" if booth.hidden else None if booth.fair.is_open else "closed"
    if notice is None and form.validate():
        try:
            saved = submit_request(intake_from(form), channel=Channel.walk_in, actor=current_user)
        except FairNotOpen:
            notice = "closed"
        else:
            flash(_l("已登记，需求编号 %(ticket)s。", ticket=saved.ticket_no))
            return go(url_for(".show", request_id=saved.id))
    if request.htmx:
        return render_block("intake/form.html", "form", form=form, notice=notice, **context)
    return render_template("intake/form.html", form=form, notice=notice, **context), 409 if notice else 422
