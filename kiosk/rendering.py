"""One template serves the page and its fragments: a block is rendered alone for htmx."""
import hashlib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from flask import current_app, request, url_for


def render_block(template_name: str, block: str, **context) -> str:
    """Render one {% block %} of a template with the same context a whole page would get.

    Imports a block needs must sit inside the block, since the rest of the template is not run.
    """
    current_app.update_template_context(context)
    return render_block_alone(template_name, block, **context)


def render_block_alone(template_name: str, block: str, **context) -> str:
    """Render one block with the context given and the app's globals (config, url_for, gettext),
    but none of the context processors: Flask-Login's loads the signed-in user. For fragments
    that show nothing of who asks and are asked for all day (the booth queue's poll)."""
    template = current_app.jinja_env.get_template(template_name)
    return "".join(template.blocks[block](template.new_context(context)))


def asset(filename: str) -> str:
    """A static file's URL with its content hash, so phones may cache it for a year."""
    versions = current_app.extensions.setdefault("asset_versions", {})
    if filename not in versions:
        data = (Path(current_app.static_folder) / filename).read_bytes()
        versions[filename] = hashlib.sha256(data).hexdigest()[:10]
    return url_for("static", filename=filename, v=versions[filename])


def not_modified(etag: str):
    """A 304 when the client holds this version already, before anything is rendered.

    ETags here are weak: Flask-Compress rewrites strong ones (adding ":gzip"), which would
    never match again.
    """
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
        return tagged(response, etag)
    return None


def tagged(response, etag: str):
    response.set_etag(etag, weak=True)
    # Revalidate every time (the poll must see changes at once); private: it depends on who asks.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def percent(share: float | None) -> str:
    """A share (0..1) as every page, PDF and line shows a percentage: to a tenth, rounded half up
    (四舍五入), a trailing .0 left off: 66.7%, 100%, 0%; "—" where there is nothing to divide by.

    The `percent` template filter. One decimal as the printed tally has always shown, so the hall's
    screen and the dashboard give the same figure as the paper.
    """
    if share is None:
        return "—"
    # Through the float's shortest decimal form, so 0.1235 rounds up as it reads, not as it is stored.
    tenths = int((Decimal(repr(share)) * 1000).quantize(Decimal(1), ROUND_HALF_UP))
    whole, tenth = divmod(tenths, 10)
    return f"{whole}.{tenth}%" if tenth else f"{whole}%"


def stay(stayed) -> str:
    """How long an item stayed at a step (a timedelta), to the minute: 3天2小时, 2小时5分钟, 5分钟."""
    from flask_babel import gettext

    from kiosk.ledger.timeline import stay_parts

    days, hours, minutes = stay_parts(stayed)
    if days:
        return gettext("%(d)d天%(h)d小时", d=days, h=hours)
    if hours:
        return gettext("%(h)d小时%(m)d分钟", h=hours, m=minutes)
    return gettext("%(m)d分钟", m=minutes) if minutes else gettext("不到1分钟")


def init_jinja(app) -> None:
    """The filters and names every template may use."""
    from kiosk.fairs.address import base_url
    from kiosk.i18n import current_language, html_lang
    from kiosk.service_requests.models import CATEGORY_LABELS
    from kiosk.slips.models import RATED, RATING_LABELS, SlipChannel
    from kiosk.timeutil import local_iso, local_time

    app.jinja_env.filters.update(localtime=local_time, isotime=local_iso, percent=percent, stay=stay)
    app.jinja_env.globals.update(
        html_lang=html_lang, asset=asset, current_language=current_language, fair_address=base_url,
        rating_names=RATED, rating_labels=RATING_LABELS, slip_channels={c.value: c.label for c in SlipChannel},
        category_names={c.value: label for c, label in CATEGORY_LABELS.items()})
