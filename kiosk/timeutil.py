"""Times are stored as naive UTC; Flask-Babel shows them in the fair's time zone."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
