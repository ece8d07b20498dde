"""Chinese first, English on request: the choice sticks for the session."""
import zlib
from functools import cache

from babel import Locale
from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_babel import get_locale

from kiosk.core.safeurls import local_path

bp = Blueprint("i18n", __name__)


@cache
def _locale(code: str) -> Locale:
    # Parsing a locale costs more than the whole queue poll; Flask-Babel takes a Locale as it is.
    return Locale.parse(code)


def select_locale() -> Locale:
    return _locale(_language_code())


def _language_code() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # Browsers say zh-CN / zh / en-US; the catalogs are zh_CN and en.
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"]) if request else None
    if best and best.startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def language_key():
    """What decides the page's language, for an ETag: cheaper than deciding it (Babel's matching)."""
    return session.get("lang") or zlib.crc32(request.headers.get("Accept-Language", "").encode())


def current_language() -> str:
    """The key in LANGUAGES of the language in use (Babel itself says zh_Hans_CN)."""
    return "en" if get_locale().language == "en" else "zh_CN"


def html_lang() -> str:
    return "en" if current_language() == "en" else "zh-CN"


@bp.get("/lang/<code>")
def switch(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(local_path(request.args.get("next")) or url_for("intake.home"))
