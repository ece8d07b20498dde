"""Error pages in the user's language; nothing reaches the user as a bare 500."""
from flask import render_template
from flask_wtf.csrf import CSRFError


def register(app):
    @app.errorhandler(404)
    def not_found(error):
        message = "unknown_booth" if error.description == "unknown_booth" else "not_found"
        return render_template("errors/error.html", message=message), 404

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/error.html", message="forbidden"), 403

    @app.errorhandler(CSRFError)
    def csrf_expired(_error):
        return render_template("errors/error.html", message="expired"), 400

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("errors/error.html", message="server"), 500
