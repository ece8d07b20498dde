"""Where a `next=` parameter may send the browser: a path on this site, nothing else; and the
path that brings the browser back to this page."""
from urllib.parse import urlsplit

from flask import request


def here(query: bool = True) -> str:
    """This page's path as the browser asked for it, with its query unless query=False, for a
    `next=` or a back field that brings the browser here again: under the path the kiosk is served
    at (request.path leaves it out, and a redirect to that path leaves a kiosk served at /kiosk)."""
    return request.script_root + (request.full_path.rstrip("?") if query else request.path)


def local_path(target: str | None) -> str | None:
    """The target if it is a plain path on this site; None for anything a browser could read as
    another site (//host, /\\host, a scheme, control characters)."""
    if not target or not target.startswith("/") or any(c in target for c in "\\\x00\t\r\n"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target
