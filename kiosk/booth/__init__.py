"""The booth tablet: the live queue (queue.py), a request's page and its actions (actions.py),
and walk-in entry (walk_in.py), on one blueprint under /staff."""
from flask import Blueprint

bp = Blueprint("booth", __name__, url_prefix="/staff")

from kiosk.booth import actions, queue, walk_in  # noqa: E402,F401  (their routes join bp)
