"""数据接口: the tokens the city's other systems read the API with. An organiser issues one (named for
the system that will hold it, with its scope), sees it once, and revokes it when that system no
longer needs it or it may have leaked.

A token belongs to the system that holds it, not to the organiser who issued it: switching its
issuer's account off leaves it valid (a statistics office's feed does not stop because a colleague
left), and the tokens page says so. Switching an organiser off lists the live tokens it issued, each
with its Revoke button (accounts.py), so that keeping one is a choice, not an oversight."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from kiosk.api.models import ApiScope, ApiToken
from kiosk.api.tokens import all_tokens, issue_token, revoke_token
from kiosk.core import confirmations
from kiosk.core.extensions import db
from kiosk.core.formtools import strip
from kiosk.core.refusals import filled
from kiosk.organiser import bp


class TokenForm(FlaskForm):
    name = StringField(_l("使用单位或系统"), filters=[strip], validators=[
        DataRequired(_l("请填写使用这个令牌的单位或系统")), Length(max=100, message=_l("最多%(max)d字", max=100))])
    scope = RadioField(_l("可读取的数据"), default=ApiScope.public.value,
                       choices=[SelectChoice(s.value, s.label) for s in ApiScope],
                       validators=[DataRequired(_l("请选择可读取的数据"))])


@bp.route("/api-tokens", methods=["GET", "POST"])
def api_tokens():
    """The list and the form. A POST issues a token and redirects to the list, which shows it this
    once (only its hash is kept): reloading the page then shows the list, not a second token. The
    token crosses the redirect in the signed session cookie of the organiser's own browser, and the
    next page takes it out."""
    form = TokenForm()
    if form.validate_on_submit():
        _, session[_ISSUED] = issue_token(form.name.data, ApiScope(form.scope.data), current_user)
        return redirect(url_for(".api_tokens"))
    return _page(form, 422 if form.errors else 200)


def _page(form: TokenForm, status: int):
    return render_template("organiser/api_tokens.html", form=form, tokens=all_tokens(),
                           issued=session.pop(_ISSUED, None),
                           base=url_for("api.openapi", _external=True).removesuffix("/openapi.json")), status


#: the session key that carries a new token to the page that shows it
_ISSUED = "issued_api_token"


@bp.post("/api-tokens/<int:token_id>/revoke")
def revoke_api_token(token_id: int):
    """Irreversible: only with the tick of the second step (kiosk.core.confirmations). Without it
    nothing is done, and the tokens page shows this token's box open with why (from the organisers'
    accounts page too: the same token is on it)."""
    record = db.get_or_404(ApiToken, token_id)
    if not confirmations.confirmed() and not record.is_revoked:
        return _page(TokenForm(formdata=None), confirmations.refuse(f"token-revoke-{record.id}"))
    revoke_token(record, current_user)
    flash(filled(_l("已吊销“%(name)s”的令牌，它从现在起不能再读取数据。"), name=record.name))
    if request.form.get("back") == "organisers":  # revoked from the organisers' accounts page
        return redirect(url_for(".organisers", _anchor=f"tokens-of-{record.created_by_id}"
                                if record.created_by_id else None))
    return redirect(url_for(".api_tokens"))


def live_tokens_issued_by(user_ids) -> dict[int, list[ApiToken]]:
    """The live (unrevoked) tokens each of these accounts issued, oldest first, by the account's id."""
    ids = list(user_ids)
    tokens = db.session.scalars(sa.select(ApiToken).where(
        ApiToken.created_by_id.in_(ids), ApiToken.revoked_at.is_(None)).order_by(ApiToken.created_at, ApiToken.id)
    ) if ids else []
    issued: dict[int, list[ApiToken]] = {}
    for token in tokens:
        issued.setdefault(token.created_by_id, []).append(token)
    return issued
