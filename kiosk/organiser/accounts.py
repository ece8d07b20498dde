"""Accounts, seen and managed by organisers: a fair's booth accounts (issue them all, or reset, switch
off and on, unlock one booth without touching the others), the organisers themselves, and an
organiser's own password.

The rules are auth.accounts'; these views turn its refusals into messages; the request's end
commits (kiosk.core.database), and a refusal answers >= 400 so nothing of it is kept.
"""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from kiosk.auth import accounts as rules
from kiosk.auth.accounts import AccountRefused
from kiosk.auth.models import Role, User
from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none, strip
from kiosk.core.refusals import filled
from kiosk.fairs.models import Booth, Fair
from kiosk.organiser import bp
from kiosk.organiser.api_tokens import live_tokens_issued_by


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请填写当前密码"))])
    new = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码"))])
    again = PasswordField(_l("再次输入新密码"), validators=[DataRequired(_l("请再次输入新密码"))])


class OrganiserForm(FlaskForm):
    username = StringField(_l("账号名"), filters=[strip, lambda v: v.lower() if v else v], validators=[
        DataRequired(_l("请填写账号名")), Length(max=64, message=_l("最多%(max)d字", max=64))])
    display_name = StringField(_l("姓名或单位"), filters=[strip], validators=[
        DataRequired(_l("请填写姓名或单位")), Length(max=100, message=_l("最多%(max)d字", max=100))])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(_l("请填写初始密码"))])


# --- a fair's booth accounts ---------------------------------------------------------------------

@bp.route("/fairs/<int:fair_id>/accounts", methods=["GET", "POST"])
def accounts(fair_id: int):
    """The booths' accounts; a POST issues accounts to booths that have none and shows the sign-in
    sheet (the only time those passwords are seen), or, confirmed, new passwords for every booth."""
    fair = db.get_or_404(Fair, fair_id)
    if request.method == "GET":
        return render_template("organiser/accounts.html", fair=fair, rows=rules.fair_accounts(fair))
    reset = request.form.get("reset") == "all"
    if reset and request.form.get("confirm") != "yes":
        # Every tablet of the fair would be signed out mid-fair: only when the box says so.
        flash(_l("要为所有摊位重新生成密码，请先勾选确认框。"), "error")
        return render_template("organiser/accounts.html", fair=fair, rows=rules.fair_accounts(fair),
                               confirm_missing=True), 422
    sheet = rules.issue_accounts(fair, reset=reset)
    return render_template("organiser/sign_in_sheet.html", fair=fair, sheet=sheet)


def _fair_booth(fair_id: int, booth_id: int) -> Booth:
    booth = db.session.scalar(sa.select(Booth).filter_by(id=booth_id, fair_id=fair_id))
    if booth is None:
        abort(404)
    return booth


@bp.post("/fairs/<int:fair_id>/booths/<int:booth_id>/reset")
def reset_booth(fair_id: int, booth_id: int):
    """A new password for one booth (a lost tablet, a forgotten password): its own slip, to print."""
    booth = _fair_booth(fair_id, booth_id)
    slip = rules.reset_booth(booth)
    return render_template("organiser/accounts_slip.html", fair=booth.fair, row=slip)


@bp.post("/fairs/<int:fair_id>/booths/<int:booth_id>/switch")
def switch_booth(fair_id: int, booth_id: int):
    booth = _fair_booth(fair_id, booth_id)
    user = rules.booth_account(booth)
    to = request.form.get("to")
    if user is None:
        abort(404)
    if to not in ("on", "off"):
        abort(400)
    rules.switch(user, to == "on")
    flash(filled(_l("已启用%(code)s的账号。") if to == "on" else _l("已停用%(code)s的账号，它的平板已退出登录。"),
                 code=booth.code))
    return redirect(url_for(".accounts", fair_id=fair_id))


@bp.post("/fairs/<int:fair_id>/booths/<int:booth_id>/unlock")
def unlock_account(fair_id: int, booth_id: int):
    """Let a booth whose account strangers locked (by guessing at it) sign in again."""
    booth = _fair_booth(fair_id, booth_id)
    user = rules.booth_account(booth)
    if user is None:
        abort(404)
    rules.unlock(user)
    flash(filled(_l("已解除%(code)s账号的登录锁定。"), code=booth.code))
    return redirect(url_for(".accounts", fair_id=fair_id))


# --- organisers ----------------------------------------------------------------------------------

@bp.route("/organisers", methods=["GET", "POST"])
def organisers():
    form = OrganiserForm()
    if form.validate_on_submit():
        try:
            user = rules.create_organiser(form.username.data, form.password.data, form.display_name.data)
        except AccountRefused as refused:
            field = form.username if refused.code.startswith("name") else form.password
            field.errors.append(refused.message)
        else:
            flash(filled(_l("已添加组织方账号%(name)s。"), name=user.username))
            return redirect(url_for(".organisers"))
    return _organisers_page(form, 422 if form.errors else 200)


def _organisers_page(form: OrganiserForm | None = None, status: int = 200):
    rows = rules.account_rows(rules.organisers())
    # A switched-off organiser's tokens stay valid (they belong to the systems that hold them): each
    # one is listed under its issuer, with its Revoke button, for as long as it is live.
    tokens = live_tokens_issued_by(row.user.id for row in rows if not row.user.active)
    return render_template("organiser/accounts_organisers.html", rows=rows, tokens=tokens,
                           form=form or OrganiserForm(formdata=None), min_length=rules.ORGANISER_PASSWORD_MIN), status


def _organiser_from_form() -> User:
    user_id = int_or_none(request.form.get("user"))
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.role is not Role.organiser:
        abort(404)
    return user


@bp.post("/organisers/switch")
def switch_organiser():
    user = _organiser_from_form()
    to = request.form.get("to")
    if to not in ("on", "off"):
        abort(400)
    try:
        rules.switch(user, to == "on", by=current_user)
    except AccountRefused as refused:
        flash(refused.message, "error")
        return _organisers_page(status=422)
    if to == "on":
        flash(filled(_l("已启用%(name)s。"), name=user.username))
        return redirect(url_for(".organisers"))
    live = live_tokens_issued_by([user.id]).get(user.id, [])
    if not live:
        flash(filled(_l("已停用%(name)s。"), name=user.username))
        return redirect(url_for(".organisers"))
    flash(filled(_l("已停用%(name)s。它签发的%(n)d个数据接口令牌仍然有效（令牌属于使用它的单位或系统，"
                    "不随签发人停用），列在它的账号下方：不再需要的请吊销。"), name=user.username, n=len(live)),
          "error")
    return redirect(url_for(".organisers", _anchor=f"tokens-of-{user.id}"))


@bp.post("/organisers/unlock")
def unlock_organiser():
    user = _organiser_from_form()
    rules.unlock(user)
    flash(filled(_l("已解除%(name)s的登录锁定。"), name=user.username))
    return redirect(url_for(".organisers"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    """An organiser's own new password."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            me = current_user._get_current_object()
            rules.change_password(me, form.current.data, form.new.data, form.again.data)
        except AccountRefused as refused:
            field = {"password_wrong": form.current, "password_mismatch": form.again}.get(refused.code, form.new)
            field.errors.append(refused.message)
        else:
            login_user(me)  # this browser's session, with the new password's mark
            flash(_l("密码已修改。其他电脑上的登录已退出。"))
            return redirect(url_for(".fairs"))
    return (render_template("auth/password.html", form=form, min_length=rules.ORGANISER_PASSWORD_MIN),
            422 if form.errors else 200)
