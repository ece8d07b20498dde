"""Sign-in and sign-out on a shared booth tablet."""
import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from kiosk.auth.access import Viewer
from kiosk.auth.models import User, why_session_ended
from kiosk.auth.signin_limits import attempt_succeeded, browser_id, password_attempt, password_matches
from kiosk.core.extensions import db, login_manager
from kiosk.core.formtools import strip
from kiosk.core.safeurls import here, local_path

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("账号"), filters=[strip, lambda v: v.lower() if v else v],
                           validators=[DataRequired(_l("请填写账号"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码"))])


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        attempt = password_attempt(form.username.data, browser_id())
        if attempt is None:
            return render_template("auth/login.html", form=form, locked=True), 429
        user = db.session.scalar(sa.select(User).filter_by(username=form.username.data))
        if password_matches(user, form.password.data):
            attempt_succeeded(attempt)
            # A tablet stays signed in for the whole fair day, across reloads and restarts.
            session.permanent = True
            login_user(user)
            return redirect(_safe_next() or landing_of(user))
        failed = True
    status = 401 if failed else (422 if form.errors else 200)
    # Flask-Login leaves a session that no longer stands in the cookie: it says whose it was.
    ended = None if current_user.is_authenticated else why_session_ended(session.get("_user_id", ""))
    return render_template("auth/login.html", form=form, failed=failed, ended=ended), status


@bp.post("/logout")
def logout():
    # Ends the account's sessions on the server, every browser's: a cookie is only signed, so a
    # copy kept from before this would otherwise work until it expires, 14 hours later.
    if current_user.is_authenticated:
        current_user.end_sessions()
    logout_user()
    return redirect(url_for(".login"))


def home_of(user: User | Viewer) -> str:
    if getattr(user, "is_department_staff", False):
        return url_for("ledger.index")
    if user.booth_id:
        return url_for("booth.queue", booth_id=user.booth_id)
    return url_for("booth.index")


def landing_of(user: User) -> str:
    """Where signing in leads: staff to their queue, organisers to 大集管理, where everything they
    do starts. (home_of stays the booths' list for an organiser sent away from a booth's queue.)"""
    return url_for("organiser.fairs") if user.is_organiser else home_of(user)


def _safe_next() -> str | None:
    return local_path(request.args.get("next"))


# Flask-Login's "session protection" only marks a session stale for fresh_login_required, which the
# kiosk does not use; it would cost a SHA-512 per request and 128 bytes in every cookie.
login_manager.session_protection = None


@login_manager.unauthorized_handler
def unauthorized():
    target = url_for("auth.login", next=here())
    if request.headers.get("HX-Request"):
        # A poll from a tablet whose session ended: send the whole page to the sign-in form.
        return "", 401, {"HX-Redirect": target}
    return redirect(target)
