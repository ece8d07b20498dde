"""Times are stored as naive UTC and shown in the fair's time zone."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local_time(value: datetime, fmt: str = "%H:%M") -> str:
    """A stored UTC time in the fair's zone: the `localtime` template filter (Babel's
    format_datetime costs a tenth of a millisecond per row; the queue has many rows)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.replace(tzinfo=UTC).astimezone(zone).strftime(fmt)


def fair_today():
    """Today where the fair is (the server may keep UTC)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def local_iso(value: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An ISO time string stored in UTC (as in a frozen tally), shown in the fair's zone."""
    return local_time(datetime.fromisoformat(value), fmt)
