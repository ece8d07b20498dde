"""The company's one word on a close-out (一事一评), posted from its tracking page
(ledger/_track.html, inside intake/track.html): it confirms the result or disputes it, with a
rating either way, once per item, whoever holds the link. On the intake blueprint, beside the
tracking page it answers to; the move is the ledger's (kiosk.ledger.moves.company_verdict).
Registered by importing it in kiosk.create_app, before the blueprint is."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from kiosk.auth.access import request_by_token_or_404
from kiosk.core.rendering import render_block
from kiosk.core.steps import Attempt
from kiosk.intake.views import bp
from kiosk.ledger import moves
from kiosk.ledger.forms import VerdictForm
from kiosk.slips.forms import SlipForm


@bp.post("/t/<token>/verdict")
def verdict(token: str):
    found = request_by_token_or_404(token)
    form = VerdictForm()
    notice, status = None, 422
    if form.validate():
        with Attempt() as tried:
            moves.company_verdict(found, accepted=form.accepted.data == "yes", rating=form.rating.data,
                                  words=form.words.data)
        if tried.refused is None:
            notice, status = "thanks", 200
        else:
            found, notice, status = request_by_token_or_404(token), tried.refused.code, 409
    shown = {"item": found, "slip_form": SlipForm(formdata=None), "verdict_notice": notice,
             "verdict_form": form if status == 422 else None}
    if request.htmx:
        return render_block("intake/track.html", "status", **shown)
    if status == 200:
        flash(_l("感谢您的确认！") if found.verdict and found.verdict.accepted
              else _l("您的意见已转回责任部门重新办理，组织方会跟进。"))
        return redirect(url_for("intake.track", token=token), 303)
    return render_template("intake/track.html", mine=[], **shown), status
