"""The worker: claims due messages from the outbox and sends them, outside any page's request.

Each round writes what the clock makes due (`digest.tick`), then claims one message at a time,
sends it and records the outcome, each step its own short transaction, so that no transaction is
open while a channel answers and nothing a page waits for is locked meanwhile.

- A claim is one UPDATE ... RETURNING of the oldest due message: it takes the message for the
  lease (`NOTIFY_LEASE_SECONDS`, well above a channel's timeout) and counts the attempt. On
  PostgreSQL its subquery locks the row FOR UPDATE SKIP LOCKED, so that two workers claiming at
  once take two messages and never one twice; SQLite runs one writer at a time, and drops the
  clause. A worker killed mid-send leaves its claim to run out: the message goes again, with its
  key, which the channel dedupes by (delivery is at least once).
- Sent: the message is `sent`. A failure (channels.DeliveryFailed) leaves it pending until its
  backoff has passed (`NOTIFY_BACKOFF_SECONDS`, doubled after each attempt, at most an hour); after
  `NOTIFY_MAX_ATTEMPTS` attempts, or at once when trying again cannot help (Undeliverable), it is
  `failed` with its last error, for organisers to retry or drop (outbox_views)."""
import logging
import os
import socket
import threading
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.core.timeutil import now_aware
from kiosk.notifications import channels, digest
from kiosk.notifications.models import MessageState, OutboxMessage

log = logging.getLogger(__name__)

#: no wait between two attempts is longer than this
LONGEST_BACKOFF = timedelta(hours=1)
#: an error is kept (and shown) at most this long
ERROR_LENGTH = 1000


def worker_name() -> str:
    """Who holds a claim: the machine, the process and the thread (two threads are two workers)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:80]


def run_round(worker: str, now=now_aware, stop: threading.Event | None = None) -> int:
    """One round: the clock's messages written, then every due message claimed and sent (until
    `stop` is set). Returns how many messages it tried."""
    try:
        digest.tick(now())
        db.session.commit()
    except Exception:  # the clock's messages failing must not hold up those already written
        db.session.rollback()
        log.exception("the digest's tick failed")
    tried = 0
    while not (stop and stop.is_set()):
        message = claim(worker, now())
        if message is None:
            break
        deliver(message, worker, now)
        tried += 1
    return tried


def claim(worker: str, now: datetime) -> OutboxMessage | None:
    """Take the oldest due message for this worker until its lease runs out, and count the attempt."""
    lease = now + timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    due = (sa.select(OutboxMessage.id)
           .where(OutboxMessage.state == MessageState.pending, OutboxMessage.next_attempt_at <= now,
                  sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
           .with_for_update(skip_locked=True))
    taken = db.session.scalar(
        sa.update(OutboxMessage).where(OutboxMessage.id == due.scalar_subquery())
        .values(claimed_until=lease, claimed_by=worker, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id).execution_options(synchronize_session=False))
    db.session.commit()
    return db.session.get(OutboxMessage, taken) if taken is not None else None


def deliver(message: OutboxMessage, worker: str, now=now_aware) -> None:
    """Send a message this worker claimed and record the outcome."""
    key, attempts, message_id = message.key, message.attempts, message.id
    try:
        send_now = channels.prepare(message)
        _end_reads()
        send_now()
    except channels.DeliveryFailed as error:
        db.session.rollback()  # whatever the channel read
        record_failure(message_id, worker, attempts, error, now())
        log.warning("%s not sent (attempt %d): %s", key, attempts, error)
    except Exception as error:  # a bug outside the channels (they scrub their own): its type only
        db.session.rollback()
        log.error("sending %s failed: %s", key, type(error).__name__)
        record_failure(message_id, worker, attempts, channels.DeliveryFailed(type(error).__name__), now())
    else:
        record_sent(message_id, worker, now())


def _end_reads() -> None:
    """End the transaction the channel's reads opened, before it answers (up to
    NOTIFY_TIMEOUT_SECONDS): on PostgreSQL it would sit idle in transaction meanwhile, holding its
    snapshot, and idle_in_transaction_session_timeout would end it. What was read stays loaded (a
    commit expires it unless told not to)."""
    session = db.session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def record_sent(message_id: int, worker: str, now: datetime) -> None:
    _record(message_id, worker, state=MessageState.sent, sent_at=now, claimed_until=None, last_error=None)


def record_failure(message_id: int, worker: str, attempts: int, error: channels.DeliveryFailed,
                   now: datetime) -> None:
    """Pending again after the backoff (or the wait the channel asked for, when longer), or failed
    for good."""
    text = (str(error) or type(error).__name__)[:ERROR_LENGTH]
    if isinstance(error, channels.Undeliverable) or attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        _record(message_id, worker, state=MessageState.failed, claimed_until=None, last_error=text)
    else:
        wait = max(backoff(attempts), timedelta(seconds=getattr(error, "retry_after", None) or 0))
        _record(message_id, worker, next_attempt_at=now + wait, claimed_until=None, last_error=text)


def backoff(attempts: int) -> timedelta:
    """The wait after the attempts made so far: the base, doubled after each, at most an hour."""
    base = timedelta(seconds=current_app.config["NOTIFY_BACKOFF_SECONDS"])
    return min(base * 2 ** max(attempts - 1, 0), LONGEST_BACKOFF)


def _record(message_id: int, worker: str, **values) -> None:
    """Write the outcome, only while the message is still pending and this worker's: an organiser
    may have dropped it meanwhile."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == MessageState.pending,
               OutboxMessage.claimed_by == worker)
        .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def work(stop: threading.Event, once: bool = False) -> int:
    """Rounds until `stop` is set (SIGTERM, Ctrl-C), waiting NOTIFY_POLL_SECONDS after a round that
    found nothing to send; one round with `once`. Returns how many messages it tried."""
    worker, tried = worker_name(), 0
    while not stop.is_set():
        try:
            sent = run_round(worker, stop=stop)
        except sa.exc.DBAPIError:  # the database away for a moment (psycopg also says so with an
            # InternalError, when PostgreSQL ended the session): try again next round
            db.session.rollback()
            log.exception("the outbox's round failed")
            sent = 0
        finally:
            db.session.remove()
        tried += sent
        if once:
            break
        if not sent:
            stop.wait(current_app.config["NOTIFY_POLL_SECONDS"])
    return tried
