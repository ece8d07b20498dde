"""The organisers' pages: setting a fair up (setup.py), watching it live (live.py), and its printed
and exported documents (documents.py), on one blueprint under /organiser, organisers only."""
from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


@bp.before_request
@login_required
def organisers_only():
    if not current_user.is_organiser:
        abort(403)


from kiosk.organiser import documents, live, setup  # noqa: E402,F401  (their routes join bp)
