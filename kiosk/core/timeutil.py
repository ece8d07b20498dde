"""Times are stored as naive UTC and shown in the fair's time zone; the ledger's new columns hold
aware UTC times (AwareDateTime)."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.types import DateTime, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local_time(value: datetime, fmt: str = "%H:%M") -> str:
    """A stored UTC time in the fair's zone: the `localtime` template filter (Babel's
    format_datetime costs a tenth of a millisecond per row; the queue has many rows)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value  # (the ledger's times are aware)
    return aware.astimezone(zone).strftime(fmt)


def fair_now() -> datetime:
    """Now where the fair is, aware (the server may keep UTC: nothing reads the server's own zone,
    which ruff's DTZ rules hold to)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def fair_today():
    """Today where the fair is."""
    return fair_now().date()


def local_iso(value: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An ISO time string stored in UTC (as in a frozen tally), shown in the fair's zone."""
    return local_time(datetime.fromisoformat(value), fmt)


def now_aware() -> datetime:
    """Now, as a timezone-aware UTC time: what AwareDateTime columns hold."""
    return datetime.now(UTC)


class AwareDateTime(TypeDecorator):
    """A moment in time that comes back timezone-aware (UTC) on every database: stored in UTC
    (timestamptz on PostgreSQL; SQLite keeps no zone, so UTC wall time there). The ledger's times
    are compared with dates in the fair's zone (closed out on time?), where a naive time would be
    read in whatever zone the server keeps."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_day(value: datetime):
    """The day a moment falls on where the fair is."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value).astimezone(zone).date()
