"""The page frame's rendering: one template serves the page and its fragments (a block is rendered
alone for htmx), versioned asset URLs, the translations looked up once per request, ETags, and
the filters and names every template may use that belong to no domain (init_jinja). The domains'
own names are registered beside them in one place, kiosk.template_names."""
import hashlib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from flask import current_app, request, url_for
from flask.globals import _cv_app
from flask_babel import get_translations
from markupsafe import Markup

from kiosk.core.kept import kept


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
    """A static file's URL with its content hash, so phones may cache it for a year.

    Kept once built (every page asks for four), by the file's name and, as kept() adds, the path
    the app is served under (SCRIPT_NAME, per request); the file is read once per process.
    """
    def build() -> str:
        data = (Path(current_app.static_folder) / filename).read_bytes()
        return url_for("static", filename=filename, v=hashlib.sha256(data).hexdigest()[:10])
    return kept("asset_urls", (filename,), build)


def link(endpoint: str) -> str:
    """url_for(endpoint) for a route that takes no arguments, kept by endpoint and path served under:
    the organisers' top bar has nine such links on every page, and building each anew was a tenth
    of a plain page's time."""
    return kept("links", (endpoint,), lambda: url_for(endpoint))


def account_menu(user):
    """The account menu's links for the user's role (_account_menu.html), kept by role and, as
    kept() adds, language and path served under: every signed-in page shows them, and rendering
    them anew (nine links and their nine words) was a sixth of the frame's time."""
    return kept("account_menus", (user.role,), lambda: Markup(
        current_app.jinja_env.get_template("_account_menu.html").render(
            organiser=user.is_organiser, department_staff=user.is_department_staff)))


def catalog():
    """The translations in force, as Flask-Babel gives them, looked up once per request and locale.

    Flask-Babel looks the catalog up anew for each string (some sixty Python calls: the request's
    state, its domain, its locale's name), which was a fifth of a plain page's time; a page has
    twenty strings. The catalog depends only on the locale in force, so it is kept on `g` beside
    that locale: force_locale (PDFs and posters are always Chinese) puts another Locale object in
    its place for a while, and the identity check then looks the catalog up again.
    """
    app_context = _cv_app.get(None)
    if app_context is None:
        return get_translations()
    state = vars(app_context.g)
    babel_state = state.get("_flask_babel")
    locale = getattr(babel_state, "babel_locale", None)
    kept = state.get("_kiosk_catalog")
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()  # (this sets the locale in force, if nothing had asked yet)
    state["_kiosk_catalog"] = (getattr(state.get("_flask_babel"), "babel_locale", None), translations)
    return translations


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


def compile_templates(app) -> None:
    """Compile every template now, as a server process starts (kiosk/gunicorn_conf.py): Jinja compiles
    each on first use, and the ticket's page and its includes take 90 ms. The first burst of a
    fair's opening is where that first use falls, on every process at once; warm, the same burst
    took a sixth less CPU."""
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)


def init_jinja(app) -> None:
    """The frame's filters and names, which every template may use."""
    from kiosk.core.i18n import current_language, html_lang
    from kiosk.core.safeurls import here
    from kiosk.core.timeutil import local_iso, local_time

    # Flask-Babel's callables for the templates' _(), each through catalog(): the same strings,
    # looked up once per request (babel.init_app installed its own; these replace them).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s),
        ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
        pgettext=lambda c, s: catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.filters.update(localtime=local_time, isotime=local_iso, percent=percent)
    app.jinja_env.globals.update(html_lang=html_lang, asset=asset, link=link, here=here, account_menu=account_menu,
                                 current_language=current_language)
