"""Configuration read from the environment, with defaults that run on one laptop."""
import os
import secrets
from pathlib import Path

from flask import Flask


def instance_folder() -> str:
    """Where this kiosk keeps its own files: the SQLite database by default, the secret key if none is
    given, backups, and the pid file of the server while it serves. KIOSK_INSTANCE, else Flask's
    default for the package: instance/ beside kiosk/ in a checkout, <venv>/var/kiosk-instance in an
    installed kiosk. The app, the server's settings (kiosk/gunicorn_conf.py) and every command ask
    here, so that they agree however the kiosk is run."""
    return os.path.abspath(os.environ.get("KIOSK_INSTANCE") or Flask("kiosk").instance_path)


def _instance_secret(instance_path: str) -> str:
    """A secret key kept in instance/ so that a restart (or a second worker) keeps sessions valid."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


#: gunicorn's threads per worker process (kiosk/gunicorn_conf.py reads the same variable)
THREADS = int(os.environ.get("KIOSK_THREADS", "2"))


def engine_options(url: str) -> dict:
    """The connection pool of one worker process, on PostgreSQL.

    A gunicorn thread serves one request at a time, and a request holds one connection: its
    session's, or the driver's (kiosk/core/driver.py: the signed-in account, the queue poll), given
    back before the session takes one. So the pool keeps one connection per thread (pool_size =
    THREADS; more would sit idle in PostgreSQL, each a process of its own), with as many again in
    overflow for a request that does need a second for a moment. A request that finds the pool
    empty waits at most 5 s and gets the 503 page: waiting longer only holds the phone while more
    requests queue behind it.
    Every connection the servers may hold: app servers × workers × 2 × THREADS (two servers of two
    workers: 16), well inside PostgreSQL's max_connections (100 by default) less its reserve.
    No pre-ping: it is a round trip on every checkout, one more for every request (the queue poll's
    304 is a single round trip); a connection that died with its server fails its request with the
    503 page once, and SQLAlchemy then replaces every connection made before.
    SQLite needs none of this: its connections are files opened in the process.
    """
    if not url.startswith("postgresql"):
        return {}
    return {"pool_size": THREADS, "max_overflow": THREADS, "pool_timeout": 5}


def load(app) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    default_db = "sqlite:///" + str(Path(app.instance_path) / "kiosk.db")
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY") or _instance_secret(app.instance_path),
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", default_db),
        # The address printed in QR codes and posters: what a phone in the hall can reach.
        PUBLIC_BASE_URL=os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        BABEL_DEFAULT_LOCALE="zh_CN",
        BABEL_DEFAULT_TIMEZONE=os.environ.get("KIOSK_TIMEZONE", "Asia/Shanghai"),
        LANGUAGES={"zh_CN": "中文", "en": "English"},
        # A fair lasts a day: a company's form left open over lunch must still submit.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("KIOSK_HTTPS", "") == "1",
        # Behind nginx or a load balancer that sets X-Forwarded-* (see security.py).
        BEHIND_PROXY=os.environ.get("KIOSK_BEHIND_PROXY", "") == "1",
        COMPRESS_REGISTER=False,
        COMPRESS_MIMETYPES=["text/html", "text/css", "application/javascript", "text/javascript",
                            "image/svg+xml", "application/json"],
        # Static URLs carry their content hash (rendering.asset), so phones may keep them a year.
        SEND_FILE_MAX_AGE_DEFAULT=31536000,
        # A booth tablet stays signed in for a fair day (the session is made permanent at sign-in).
        PERMANENT_SESSION_LIFETIME=14 * 3600,
        # ...counted from sign-in: re-signing the cookie on every queue poll would cost more than the poll.
        SESSION_REFRESH_EACH_REQUEST=False,
        # Uploads are booth sheets: a 1,000-row sheet is ~60 KB as CSV, ~40 KB as XLSX. Larger gets 413.
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        # How often the company's tracking page asks for news, in seconds.
        TRACK_POLL_SECONDS=5,
        # How often a booth tablet asks whether its queue changed (an unchanged queue costs a 304).
        QUEUE_POLL_SECONDS=3,
        # The organisers' dashboard and the hall's big screen.
        DASHBOARD_POLL_SECONDS=5,
        # The ledger's pages: work after the fair moves by the hour, not the second.
        LEDGER_POLL_SECONDS=15,
        # The scoreboard ranks a unit from this many requests in the period (withdrawn ones left out):
        # one request resolved on the spot would otherwise rank it first at 100.00. Each published
        # ranking keeps the minimum it was published with.
        SCOREBOARD_MIN_COUNTED=int(os.environ.get("KIOSK_SCOREBOARD_MIN_COUNTED", "3")),
        # Supervision after the fair (督办, DESIGN.md). A request still open when its fair closes and
        # handed to its booth's department (会后办理) gets a reply deadline this many working days on.
        AFTER_FAIR_REPLY_WORKING_DAYS=int(os.environ.get("KIOSK_AFTER_FAIR_REPLY_WORKING_DAYS", "5")),
        # Blue: due within this many days.
        SUPERVISION_DUE_SOON_DAYS=int(os.environ.get("KIOSK_SUPERVISION_DUE_SOON_DAYS", "7")),
        # Yellow: no progress note for this many days (or an extension pending, or not acknowledged).
        SUPERVISION_QUIET_DAYS=int(os.environ.get("KIOSK_SUPERVISION_QUIET_DAYS", "14")),
        # Yellow: a handed-over item its department has not acknowledged (签收) within these working days.
        ACKNOWLEDGE_WORKING_DAYS=int(os.environ.get("KIOSK_ACKNOWLEDGE_WORKING_DAYS", "3")),
        # No due date is ever set further than this past the item's original due date (extensions,
        # rounds' marks).
        EXTENSION_CEILING_DAYS=int(os.environ.get("KIOSK_EXTENSION_CEILING_DAYS", "365")),
        # Calling at the booth (叫号, kiosk.service_requests.line): the request categories called before
        # the rest, their values comma-separated (e.g. "land,funding"; none by default: the longest
        # waiting first). App-wide rather than per fair: which needs go first is the city's standing
        # policy, the same at every fair, and a booth's staff should not find it changed between fairs.
        PRIORITY_CATEGORIES=tuple(value.strip() for value in os.environ.get(
            "KIOSK_PRIORITY_CATEGORIES", "").split(",") if value.strip()),
        # A skipped ticket (过号) keeps its place this many minutes, then goes back to the end of the line once.
        SKIP_GRACE_MINUTES=int(os.environ.get("KIOSK_SKIP_GRACE_MINUTES", "5")),
        # The notifications' worker (kiosk.notifications.worker): how long it waits, in seconds, after a
        # round that found nothing to send (a message waits at most this long for its first attempt).
        NOTIFY_POLL_SECONDS=float(os.environ.get("KIOSK_NOTIFY_POLL_SECONDS", "5")),
        # A message that fails is tried again after this many seconds, doubled after each attempt (at
        # most an hour apart), and is shown to organisers as failed after this many attempts: with the
        # defaults, about two hours of trying.
        NOTIFY_BACKOFF_SECONDS=float(os.environ.get("KIOSK_NOTIFY_BACKOFF_SECONDS", "30")),
        NOTIFY_MAX_ATTEMPTS=int(os.environ.get("KIOSK_NOTIFY_MAX_ATTEMPTS", "8")),
        # A worker holds the message it sends this many seconds: well above any channel's timeout, so
        # that no second worker takes it while it is being sent; a worker killed mid-send lets it go
        # again (with its key) when this runs out.
        NOTIFY_LEASE_SECONDS=float(os.environ.get("KIOSK_NOTIFY_LEASE_SECONDS", "120")),
        # A channel (a WeCom robot, the SMS provider, the SMTP server) that has not answered within this
        # many seconds counts as failed this time, and the message is tried again later: the worker
        # never hangs on one. Well under NOTIFY_LEASE_SECONDS (an SMTP send may wait this long at
        # each of its steps: connecting, TLS, login, the message).
        NOTIFY_TIMEOUT_SECONDS=float(os.environ.get("KIOSK_NOTIFY_TIMEOUT_SECONDS", "10")),
        # The departments' morning digest (kiosk.notifications.digest) is written from this hour, where
        # the fair is, on working days (China's calendar), once a day: before the office opens.
        NOTIFY_DIGEST_HOUR=int(os.environ.get("KIOSK_NOTIFY_DIGEST_HOUR", "8")),
        # The company's expected wait (kiosk.figures.waits): before its booth has worked three requests
        # to their end, the missing ones count as this many minutes each (0: no estimate until then).
        WAIT_FALLBACK_MINUTES=int(os.environ.get("KIOSK_WAIT_FALLBACK_MINUTES", "8")),
        # A request waiting longer than this stands out on its booth's queue (等候较久).
        LONG_WAIT_MINUTES=int(os.environ.get("KIOSK_LONG_WAIT_MINUTES", "15")),
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgres://"):
        # Heroku-style URLs name a driver SQLAlchemy no longer accepts.
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgres://", "postgresql+psycopg://", 1)
