"""Where a `next=` parameter may send the browser: a path on this site, nothing else."""
from urllib.parse import urlsplit


def local_path(target: str | None) -> str | None:
    """The target if it is a plain path on this site; None for anything a browser could read as
    another site (//host, /\\host, a scheme, control characters)."""
    if not target or not target.startswith("/") or any(c in target for c in "\\\x00\t\r\n"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target
