"""Error pages in the user's language; nothing reaches the user as a bare 500."""
import sqlite3

from flask import current_app, g, has_app_context, has_request_context, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from kiosk.core import database
from kiosk.core.extensions import db, login_manager

try:  # the PostgreSQL driver, where it is installed: the queue poll's reads raise its own errors
    from psycopg import OperationalError as PostgresAway
except ImportError:  # pragma: no cover
    PostgresAway = sqlite3.OperationalError

#: the read-only API (kiosk.api) answers every error in JSON: another system reads it, not a person
API_PREFIX = "/api/"

#: status -> which sentence of errors/error.html explains it
PAGES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "not_found", 413: "too_large",
         429: "too_many", 500: "server", 503: "database"}


def register(app):
    for status, message in PAGES.items():
        app.register_error_handler(status, _page(status, message))

    @app.errorhandler(IntegrityError)
    def duplicate(_error):
        # A double click that saved the same thing twice: the first one stands.
        db.session.rollback()
        return error_page(409, "duplicate")

    @app.errorhandler(OperationalError)
    @app.errorhandler(sqlite3.OperationalError)
    @app.errorhandler(PostgresAway)
    def database_away(error):
        # The database is down or unreachable (a restart, a full disk, a lost network): a page in the
        # user's language with a 503, for staff pages and polls too. The polls keep polling (app.js
        # shows a line meanwhile) and come back by themselves once the database does.
        current_app.logger.warning("database away: %s", error)
        return database_page()

    @app.errorhandler(DBAPIError)
    def database_error(error):
        # Any other driver error: a dropped connection, or a transaction the database ended itself
        # (database.away), is the database being away; the rest are ours.
        if database.away(error):
            return database_page()
        current_app.logger.exception("database error", exc_info=error)
        _forget_the_session()
        return error_page(500)

    @app.errorhandler(CSRFError)
    def csrf_expired(_error):
        return error_page(400, "expired")


def _page(status: int, message: str):
    def handler(error):
        if status == 500 and database.away(getattr(error, "original_exception", None)):
            # Raised past the handlers above, by the commit at the request's end (kiosk.core.database)
            return database_page()
        # A booth code nobody has gets its own sentence: the company probably mistyped it.
        shown = "unknown_booth" if getattr(error, "description", None) == "unknown_booth" else message
        response = error_page(status, shown)
        if status == 405 and _for_the_api():  # the methods that would do, as HTTP asks
            response[0].headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or ["GET", "HEAD"])
        return response
    return handler


def error_page(status: int, message: str | None = None):
    """The error page for a status, in the user's language; message picks another sentence.

    The request's work is rolled back first: an error answer keeps nothing anyway (the request's end
    rolls back any answer of 400 or more), and after a failed flush (a lost race the view did not
    catch) the session refuses every query until it is rolled back, the page's own included (who is
    signed in, the account menu), and the answer would be a bare 500 with an empty body."""
    _forget_the_session()
    if _for_the_api():
        response = jsonify(error=message or PAGES[status], status=status)
        response.headers["Cache-Control"] = "no-store"
        return response, status
    return render_template("errors/error.html", message=message or PAGES[status]), status


def _for_the_api() -> bool:
    return has_request_context() and request.path.startswith(API_PREFIX)


def database_page():
    _forget_the_session()
    # The page must not ask the database who is signed in: show it as to a visitor.
    g._login_user = login_manager.anonymous_user()
    return error_page(503, "database")


def _forget_the_session():
    if not has_app_context() or not db.session.registry.has():  # never used here: nothing to roll back
        return
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back, only the session to drop
        db.session.close()
