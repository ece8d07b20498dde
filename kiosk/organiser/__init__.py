"""The organisers' pages: setting a fair up (setup.py), its accounts and the organisers' own
(accounts.py), watching it live (live.py), closing it (closing.py), its printed and exported
documents (documents.py), and the department scoreboard and the half-yearly disclosure
(scoreboard.py), on one blueprint under /organiser, organisers only."""
from flask import Blueprint

from kiosk.auth.access import organiser_required

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


@bp.before_request
@organiser_required
def organisers_only():
    """Every page here, by the same rule as any other organiser page."""


from kiosk.organiser import accounts, api_tokens, closing, companies, departments, documents, live, scoreboard, setup  # noqa: E402,F401  (their routes join bp)
