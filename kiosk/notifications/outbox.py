"""Writing to the outbox: the one way anything in the kiosk asks for a message to be sent; and the
organisers' view of it (counts, failed messages to retry or drop: kiosk.notifications.outbox_views)."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached

from kiosk.core.extensions import db
from kiosk.core.timeutil import now_aware
from kiosk.notifications.models import Audience, Channel, MessageState, OutboxMessage


def enqueue(*, key: str, kind: str, channel: Channel, audience: Audience, subject: str, body: str,
            params: dict | None = None, department_id: int | None = None,
            request_id: int | None = None) -> OutboxMessage | None:
    """Write a message in the request's transaction, committed (or rolled back) with the change that
    causes it. A key already written (in this transaction or before) adds nothing: the change was
    retried, or the message is a digest another worker made. Returns the new message, or None.

    One statement, INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id, on SQLite and PostgreSQL
    alike: a look-up of the key first, then the ORM's insert, cost the booth's plan step 12% on
    PostgreSQL (bench/outbox.py). The message handed back is the row as written, in the session
    without a read."""
    now = now_aware()
    values = {"key": key, "kind": kind, "channel": channel, "audience": audience, "subject": subject[:200],
              "body": body, "params": params, "department_id": department_id, "request_id": request_id,
              "state": MessageState.pending, "attempts": 0, "created_at": now, "next_attempt_at": now}
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[db.session.get_bind().dialect.name]
    table = OutboxMessage.__table__  # (the table's, not the ORM's bulk insert: a third of the cost)
    written = db.session.scalar(insert(table).values(**values)
                                .on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id))
    if written is None:
        return None
    message = OutboxMessage(id=written, claimed_until=None, claimed_by=None, sent_at=None, last_error=None, **values)
    make_transient_to_detached(message)
    db.session.add(message)
    return message


def retry(message: OutboxMessage) -> None:
    """An organiser's Retry on a failed message (its channel mended, say): pending again, due now,
    with its attempts counted afresh. Its key stays, so a message that did arrive is not shown twice."""
    if message.state is MessageState.failed:
        message.state, message.attempts, message.next_attempt_at = MessageState.pending, 0, now_aware()
        message.claimed_until = message.claimed_by = None


def drop(message: OutboxMessage) -> None:
    """An organiser gives up on a failed message: it is never sent (irreversible)."""
    if message.state is MessageState.failed:
        message.state, message.claimed_until = MessageState.dropped, None


def counts() -> dict[MessageState, int]:
    """How many messages are in each state."""
    found = dict(db.session.execute(
        sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)).all())
    return {state: found.get(state, 0) for state in MessageState}


def oldest_due(now) -> OutboxMessage | None:
    """The pending message that has been due longest (a worker that is not running shows here)."""
    return db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.state == MessageState.pending, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1))


def listed(state: MessageState, limit: int, newest_by=OutboxMessage.id, erring: bool = False) -> list[OutboxMessage]:
    """Messages in one state, newest first (by `newest_by`); with `erring`, only those that failed before."""
    query = sa.select(OutboxMessage).where(OutboxMessage.state == state)
    if erring:
        query = query.where(OutboxMessage.last_error.is_not(None))
    return list(db.session.scalars(query.order_by(newest_by.desc(), OutboxMessage.id.desc()).limit(limit)))
