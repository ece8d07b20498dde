"""Writing to the outbox: the one way anything in the kiosk asks for a message to be sent."""
import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.notifications.models import Audience, Channel, OutboxMessage


def enqueue(*, key: str, kind: str, channel: Channel, audience: Audience, subject: str, body: str,
            params: dict | None = None, department_id: int | None = None,
            request_id: int | None = None) -> OutboxMessage | None:
    """Add a message to the request's session, to be committed (or rolled back) with the change
    that causes it. A key already written (in this session or before) adds nothing: the change was
    retried, or the message is a digest another worker made. Returns the new message, or None."""
    for pending in db.session.new:
        if isinstance(pending, OutboxMessage) and pending.key == key:
            return None
    if db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return None
    message = OutboxMessage(key=key, kind=kind, channel=channel, audience=audience, subject=subject[:200],
                            body=body, params=params, department_id=department_id, request_id=request_id)
    db.session.add(message)
    return message
