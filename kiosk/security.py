"""Response headers every page carries, and the settings for running behind an HTTPS proxy."""
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

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


def init(app):
    if app.config.get("BEHIND_PROXY"):
        # One proxy (nginx, a load balancer) sets X-Forwarded-For/-Proto/-Host: trust exactly that one.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

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
