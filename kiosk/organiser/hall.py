"""The hall's big screen by its view-only link, /screen/<token>: no sign-in, so the hall's PC never
holds an organiser's session (which could see phone numbers, close the fair, reset passwords). The
screen shows figures and booth names only; the organiser renews the token to cut an old link off."""
import re

import sqlalchemy as sa
from flask import Blueprint, abort, url_for

from kiosk.core.extensions import db
from kiosk.fairs.models import Fair
from kiosk.organiser.live import SCREEN, live_page

bp = Blueprint("hall", __name__)

#: what secrets.token_urlsafe gives; anything else (a NUL byte, which PostgreSQL refuses to compare)
#: is no screen's token
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@bp.get("/screen/<token>")
def screen(token: str):
    fair = db.session.scalar(sa.select(Fair).where(Fair.screen_token == token)) if TOKEN.fullmatch(token) else None
    if fair is None:
        abort(404)
    return live_page(fair, SCREEN, url_for(".screen", token=token))
