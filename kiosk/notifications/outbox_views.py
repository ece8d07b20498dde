"""The organisers' outbox page, /notifications/outbox: how many messages are in each state, whether
the worker keeps up (the message due longest), the failed ones with their last error, to retry or
drop (dropping asks twice: kiosk.core.confirmations), those being tried again, and the latest sent."""
from datetime import timedelta

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from kiosk.auth.access import organiser_required
from kiosk.core import confirmations
from kiosk.core.extensions import db
from kiosk.core.timeutil import now_aware
from kiosk.fairs.models import Department
from kiosk.notifications import bp, outbox
from kiosk.notifications.models import Audience, MessageState, OutboxMessage

#: rows shown in each list
SHOWN = 50
#: a message due longer than this says the worker may not be running
LATE = timedelta(minutes=5)
AUDIENCE_LABELS = {Audience.organisers: _l("组织方"), Audience.company: _l("企业")}


@bp.get("/outbox")
@organiser_required
def outbox_page():
    return _page(200)


def _page(status: int):
    now = now_aware()
    failed = outbox.listed(MessageState.failed, SHOWN)
    retrying = outbox.listed(MessageState.pending, SHOWN, erring=True)
    sent = outbox.listed(MessageState.sent, SHOWN, newest_by=OutboxMessage.sent_at)
    oldest = outbox.oldest_due(now)
    late = now - oldest.next_attempt_at if oldest and now - oldest.next_attempt_at > LATE else None
    return render_template("notifications/outbox.html", counts=outbox.counts(), failed=failed, retrying=retrying,
                           sent=sent, late_minutes=late and int(late.total_seconds() // 60),
                           recipient=_recipients([*failed, *retrying, *sent])), status


def _recipients(messages: list[OutboxMessage]):
    """Whom each message is for, as a reader says it (a department by its name)."""
    ids = {m.department_id for m in messages if m.department_id}
    names = dict(db.session.execute(sa.select(Department.id, Department.name).where(Department.id.in_(ids))).all()
                 ) if ids else {}

    def recipient(message: OutboxMessage) -> str:
        if message.audience is Audience.department:
            return names.get(message.department_id, "")
        return str(AUDIENCE_LABELS[message.audience])
    return recipient


@bp.post("/outbox/<int:message_id>/retry")
@organiser_required
def retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    outbox.retry(message)
    flash(_l("已重新排队，将在几秒内再次发送。"))
    return redirect(url_for(".outbox_page"), 303)


@bp.post("/outbox/<int:message_id>/drop")
@organiser_required
def drop(message_id: int):
    """Irreversible: only with the tick of the second step; without it the page shows its box open."""
    message = db.get_or_404(OutboxMessage, message_id)
    if message.state is MessageState.failed and not confirmations.confirmed():
        return _page(confirmations.refuse(f"drop-{message.id}"))
    outbox.drop(message)
    flash(_l("已放弃这条通知，它不会再发送。"))
    return redirect(url_for(".outbox_page"), 303)
