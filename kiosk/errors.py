"""Error pages in the user's language; nothing reaches the user as a bare 500."""
from flask import render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from kiosk.extensions import db

#: status -> which sentence of errors/error.html explains it
PAGES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "not_found", 413: "too_large",
         429: "too_many", 500: "server"}


def register(app):
    for status, message in PAGES.items():
        app.register_error_handler(status, _page(status, message))

    @app.errorhandler(IntegrityError)
    def duplicate(_error):
        # A double click that saved the same thing twice: the first one stands.
        db.session.rollback()
        return error_page(409, "duplicate")

    @app.errorhandler(CSRFError)
    def csrf_expired(_error):
        return error_page(400, "expired")


def _page(status: int, message: str):
    def handler(error):
        # A booth code nobody has gets its own sentence: the company probably mistyped it.
        shown = "unknown_booth" if getattr(error, "description", None) == "unknown_booth" else message
        return error_page(status, shown)
    return handler


def error_page(status: int, message: str | None = None):
    """The error page for a status, in the user's language; message picks another sentence."""
    return render_template("errors/error.html", message=message or PAGES[status]), status
