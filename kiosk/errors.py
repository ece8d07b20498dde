"""Error pages in the user's language; nothing reaches the user as a bare 500."""
from flask import render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from kiosk.extensions import db


def register(app):
    @app.errorhandler(404)
    def not_found(error):
        message = "unknown_booth" if error.description == "unknown_booth" else "not_found"
        return render_template("errors/error.html", message=message), 404

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/error.html", message="forbidden"), 403

    @app.errorhandler(400)
    def bad_request(_error):
        return render_template("errors/error.html", message="bad_request"), 400

    @app.errorhandler(405)
    def wrong_method(_error):
        return render_template("errors/error.html", message="not_found"), 405

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/error.html", message="too_large"), 413

    @app.errorhandler(429)
    def too_many(_error):
        return render_template("errors/error.html", message="too_many"), 429

    @app.errorhandler(IntegrityError)
    def duplicate(_error):
        # A double click that saved the same thing twice: the first one stands.
        db.session.rollback()
        return render_template("errors/error.html", message="duplicate"), 409

    @app.errorhandler(CSRFError)
    def csrf_expired(_error):
        return render_template("errors/error.html", message="expired"), 400

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("errors/error.html", message="server"), 500
