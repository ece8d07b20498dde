"""Response headers every page carries, and the settings for running behind an HTTPS proxy."""
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

from kiosk.core.errors import error_page

#: only the kiosk's own scripts, styles, images and fonts; no frames, no plug-ins, forms post home
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


#: pages with personal data; their polls keep their own private, revalidated caching (for 304s)
PRIVATE_PATHS = ("/staff", "/organiser", "/followups", "/slip", "/login")


def carries_nul() -> bool:
    """A NUL byte anywhere in the path, the query (names or values) or a form field. No person types
    one; PostgreSQL refuses it in any text, which gave 500s on /b/..., /t/... and the sign-in form.
    An uploaded file is for its reader to judge: the booth import (organiser/importing.py) refuses a
    sheet with a NUL beside its field, on the page it came from, where this check answered the bare
    400 page."""
    if "\x00" in request.path:
        return True
    if request.mimetype != "multipart/form-data" and not _may_hold_nul(request.query_string) and not (
            request.method == "POST" and _may_hold_nul(request.get_data(cache=True))):
        return False  # nothing that decodes to a NUL: no need to decode every field (a phone's submission)
    fields = [request.args]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields.append(request.form)
    return any("\x00" in name or any("\x00" in value for value in values)
               for multi in fields for name, values in multi.lists())


def _may_hold_nul(raw: bytes) -> bool:
    """Whether URL-encoded bytes may decode to a NUL: a NUL itself, or its escape %00."""
    return b"\x00" in raw or b"%00" in raw


def init(app):
    if app.config.get("BEHIND_PROXY"):
        # One proxy (nginx, a load balancer) sets X-Forwarded-For/-Proto/-Host: trust exactly that one.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    def refuse_nul():
        if carries_nul():
            return error_page(400, "nul")
        return None
    # First of all the before_request functions: none of them may take a NUL to the database.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul)

    @app.after_request
    def security_headers(response):
        if response.status_code == 304:
            return response  # no body; the browser keeps the headers of what it has cached
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith(PRIVATE_PATHS) and "Cache-Control" not in headers:
            # Staff and organiser pages hold companies' names and needs: never kept by the browser,
            # so Back on a tablet handed over for a slip shows nothing from before.
            headers["Cache-Control"] = "no-store"
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
