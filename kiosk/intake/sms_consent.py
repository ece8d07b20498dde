"""A company's consent to be texted its request's progress (PIPL, 个人信息保护法 arts. 14–15: consent
given freely, for a purpose said plainly, provable, and as easy to withdraw as to give).

Asked on the form as a checkbox of its own, unticked, saying what will be sent and that it can be
withdrawn; a request filed with it ticked keeps when (`sms_consent_at`) and which wording was shown
(`sms_consent_wording`, a key of WORDINGS: a wording is never changed in place, a new one gets the
next number, so that what a company agreed to can always be shown). Withdrawn from the tracking
page (`withdraw`): the consent is cleared, the trail says when and what had been agreed, and the
texts not yet sent are dropped. kiosk.notifications.messages texts a company only while it holds."""
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import local_time
from kiosk.notifications.models import Audience, MessageState, OutboxMessage
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest

#: every wording the form has asked with, by version, as the record keeps it (in Chinese); CURRENT
#: is the one it asks with now
WORDINGS = {
    1: "同意通过短信接收本需求的办理进展（方案、延期、办结待确认、销号），可随时在查询页退订",
}
CURRENT = 1
#: the current wording as the form shows it, in the reader's language (the same words in Chinese)
LABEL = _l("同意通过短信接收本需求的办理进展（方案、延期、办结待确认、销号），可随时在查询页退订")


class ConsentRefused(Refused):
    MESSAGES = {
        "conflict": _l("这条需求刚有更新，请再点一次。"),
    }


def wording(version: int | None = CURRENT) -> str:
    """What the form said when the company ticked it, in Chinese (the record's language)."""
    return WORDINGS.get(version, WORDINGS[CURRENT])


def agree(item: ServiceRequest, at: datetime, version: int = CURRENT) -> None:
    """The consent as the form records it, for a request made past the form (the demo's): at that
    moment, to that wording. (The form's filing writes the same two columns: kiosk.intake.service.)"""
    item.sms_consent_at, item.sms_consent_wording = at if at.tzinfo else at.replace(tzinfo=UTC), version


def withdraw(item: ServiceRequest) -> bool:
    """The company stops the texts: the consent cleared, a line on the trail (when it was given and
    to which wording, so that the record stays provable), and the texts not sent yet dropped.
    False when there was no consent to withdraw (a second tap): nothing is written."""
    if item.sms_consent_at is None:
        return False
    given = f"{local_time(item.sms_consent_at, '%Y-%m-%d %H:%M')} 同意（第{item.sms_consent_wording or CURRENT}版：" \
            f"{wording(item.sms_consent_wording)}）"
    item.sms_consent_at = item.sms_consent_wording = None
    item.events.append(RequestEvent(kind=EventKind.sms_opted_out, actor=None, from_status=item.status,
                                    to_status=item.status, detail=given))
    _drop_unsent_texts(item)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ConsentRefused("conflict") from None
    return True


def _drop_unsent_texts(item: ServiceRequest) -> None:
    """Texts written while the consent held and not sent yet are not sent now (a worker holding one
    this very moment may still send it)."""
    waiting = db.session.query(OutboxMessage).filter(
        OutboxMessage.request_id == item.id, OutboxMessage.audience == Audience.company,
        OutboxMessage.state.in_([MessageState.pending, MessageState.failed]))
    for message in waiting:
        message.state, message.last_error = MessageState.dropped, "企业已撤回短信同意，未发送"
