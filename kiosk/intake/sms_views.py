"""The company's consent to be texted, withdrawn from its tracking page (kiosk.intake.sms_consent):
one button, posted to the intake blueprint beside the page it is on. Registered by importing it in
kiosk.create_app, before the blueprint is."""
from flask import flash, redirect, url_for
from flask_babel import lazy_gettext as _l

from kiosk.auth.access import request_by_token_or_404
from kiosk.core.steps import Attempt
from kiosk.intake import sms_consent
from kiosk.intake.views import bp


@bp.post("/t/<token>/sms/withdraw")
def withdraw_sms(token: str):
    """退订短信通知: whoever holds the link stops the texts (the link is what they were sent to)."""
    item = request_by_token_or_404(token)
    with Attempt() as tried:
        sms_consent.withdraw(item)
    flash(_l("已退订：这条需求不再给您发短信。办理进展仍可在本页查看。") if tried.refused is None
          else tried.refused.message, "success" if tried.refused is None else "error")
    return redirect(url_for("intake.track", token=token), 303)
