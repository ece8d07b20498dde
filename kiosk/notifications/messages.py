"""What each message says, to whom, and its key: the one place the moves tell people outside the
kiosk what happened (each move calls one function here after its own writes, in its transaction, so
that a refused or rolled-back move writes no message).

- Departments, at once: a supervision notice (督办单) issued to them, a company's dispute of a
  close-out, an extension refused. (Their morning digest: kiosk.notifications.digest.)
- Organisers: an extension asked, a parking (挂账) asked: requests waiting for their decision.
- The company, by SMS, only while it consents (kiosk.intake.sms_consent): a plan given at the booth,
  an extension approved, the item done (办结, waiting for the organisers' confirmation), closed out
  (销号, waiting for its own word). An SMS names the template's parameters only, the ticket number,
  a due date and the tracking link: never the company's name, contact or need.

A message goes to every channel `channels.configured(audience, department_id)` returns, one outbox
row each, its key saying what happened, to whom and over which channel (a change retried, or a
digest made twice, finds its key taken and writes nothing). Messages are written in Chinese: the
departments and organisers read Chinese at work, and the outbox keeps what was sent, as the trail
keeps what was said. Markdown for a WeCom robot (a heading, the facts, a link), plain text for e-mail.
"""
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from kiosk.fairs.address import base_url
from kiosk.ledger.models import CloseOutVerdict, Extension
from kiosk.notifications import channels
from kiosk.notifications.channel_models import SMS_KIND_LABELS, SmsKind
from kiosk.notifications.models import Audience, Channel
from kiosk.notifications.outbox import enqueue
from kiosk.service_requests.models import ServiceRequest
from kiosk.supervision.models import SupervisionNotice
from kiosk.supervision.parking_models import Parking

#: each kind of message, as the sent pages name it
KIND_LABELS = {
    "notice-issued": _l("督办单"),
    "disputed": _l("企业对销号提出异议"),
    "extension-refused": _l("延期未获批准"),
    "extension-asked": _l("延期申请待审批"),
    "park-asked": _l("挂账申请待审批"),
    "notice-overdue": _l("督办单逾期未回复"),
    "digest": _l("每日台账提醒"),
    **{kind.value: label for kind, label in SMS_KIND_LABELS.items()},
    # the channels page's test goes by robot and e-mail too, not only as an SMS
    SmsKind.test.value: _l("测试消息"),
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@dataclass
class Text:
    """A message to a department or the organisers: its heading, its facts (label, value), a link."""
    subject: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    link: str | None = None
    link_words: str = "在系统中查看"
    #: lines after the facts (a digest's lists)
    more: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        """WeCom's group-robot Markdown: the facts quoted, the lists, the link. (Its heading is the
        subject, which the robot's channel puts above it: kiosk.notifications.channels.wecom.)"""
        lines = [f"> {label}：{_one_line(value)}" for label, value in self.facts]
        lines += ["", *self.more] if self.more else []
        if self.link:
            lines += ["", f"[{self.link_words}]({self.link})"]
        return "\n".join(lines)

    def plain(self) -> str:
        lines = [self.subject, "", *(f"{label}：{value}" for label, value in self.facts)]
        lines += ["", *self.more] if self.more else []
        if self.link:
            lines += ["", f"{self.link_words}：{self.link}"]
        return "\n".join(lines)


#: what WeCom's Markdown reads as a link, a font, code or bold, in a fact a company typed (its name, its
#: dispute's words): the full-width characters instead, which read the same in Chinese, so that no
#: company can put a link of its own words into a department's group chat
_MARKUP = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "`": "｀", "*": "＊"})


def _one_line(value: str, limit: int = 200) -> str:
    """A fact on one line of a robot's quote, as text (never markup), cut where it runs long (the
    page has it whole)."""
    flat = " ".join(str(value).split()).translate(_MARKUP)
    return flat if len(flat) <= limit else flat[:limit] + "…"


def page_link(endpoint: str, base: str | None = None, **values) -> str:
    """A page's full address, at PUBLIC_BASE_URL (or `base`), made without a web request (the
    digest is written by the worker)."""
    parts = urlsplit(base or current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def tracking_link(item: ServiceRequest) -> str:
    """The company's tracking page at the address its fair's posters print (its phone reached it)."""
    return page_link("intake.track", base=base_url(item.fair), token=item.token)


def send(kind: str, key: str, audience: Audience, text: Text, *, department_id: int | None = None,
         request_id: int | None = None) -> int:
    """Write `text` to the outbox for every channel that reaches the audience (SMS never: a
    department's and the organisers' messages go by robot and e-mail); returns how many."""
    written = 0
    for channel in channels.configured(audience, department_id):
        if channel is Channel.sms:
            continue
        body = text.markdown() if channel is Channel.wecom else text.plain()
        written += enqueue(key=f"{key}:{channel.value}", kind=kind, channel=channel, audience=audience,
                           subject=text.subject, body=body, department_id=department_id,
                           request_id=request_id) is not None
    return written


def _department_key(department_id: int) -> str:
    return f"dept:{department_id}"


def _item_facts(item: ServiceRequest) -> list[tuple[str, str]]:
    with force_locale("zh_CN"):
        category = str(item.category.label)
    return [("事项", f"{item.qualified_no} {item.booth.code} {category}"), ("企业", item.company_name)]


# --- departments, at once ------------------------------------------------------------------------

def notice_issued(notice: SupervisionNotice) -> int:
    """督办单: to the department it is addressed to."""
    department_id = notice.department_id
    text = Text(f"督办单 {notice.official_number}",
                [("督办事项", f"{len(notice.items)}项"), ("回复期限", f"请于{notice.reply_by.isoformat()}前逐项回复"),
                 ("督办意见", notice.text or "—")],
                page_link("supervision.notice", notice_id=notice.id), "打开督办单逐项回复")
    return send("notice-issued", f"notice-issued:{notice.id}:{_department_key(department_id)}", Audience.department,
                text, department_id=department_id)


def disputed(verdict: CloseOutVerdict) -> int:
    """A company disputed a close-out: the item is back with its department, with its words."""
    item = verdict.request
    department_id = item.booth.department_id
    text = Text(f"企业对销号结果提出异议：{item.ticket_no}",
                [*_item_facts(item), ("企业意见", verdict.words or "—"), ("现状", "已退回本部门重新办理")],
                page_link("ledger.item", item_id=item.id), "查看事项")
    return send("disputed", f"disputed:{verdict.id}:{_department_key(department_id)}", Audience.department, text,
                department_id=department_id, request_id=item.id)


def extension_refused(item: ServiceRequest, extension: Extension) -> int:
    """An organiser refused the department's request for more time, with the reason."""
    department_id = item.booth.department_id
    text = Text(f"延期申请未获批准：{item.ticket_no}",
                [*_item_facts(item), ("申请延至", extension.new_due.isoformat()),
                 ("完成时限", item.due_now.isoformat() if item.due_now else "—"),
                 ("不予批准的原因", extension.refusal_reason or "—")],
                page_link("ledger.item", item_id=item.id), "查看事项")
    return send("extension-refused", f"extension-refused:{extension.id}:{_department_key(department_id)}",
                Audience.department, text, department_id=department_id, request_id=item.id)


# --- organisers: requests to decide --------------------------------------------------------------

def extension_asked(item: ServiceRequest, extension: Extension) -> int:
    text = Text(f"延期申请待审批：{item.ticket_no}",
                [*_item_facts(item), ("部门", item.booth.name),
                 ("完成时限", f"{item.due_now.isoformat() if item.due_now else '—'} → {extension.new_due.isoformat()}"),
                 ("理由", extension.reason)],
                page_link("ledger.item", item_id=item.id), "审批")
    return send("extension-asked", f"extension-asked:{extension.id}:organisers", Audience.organisers, text,
                request_id=item.id)


def park_asked(item: ServiceRequest, parking: Parking) -> int:
    with force_locale("zh_CN"):
        cause = str(parking.cause.label)
    text = Text(f"挂账申请待审批：{item.ticket_no}",
                [*_item_facts(item), ("部门", item.booth.name), ("原因", cause), ("说明", parking.explanation),
                 ("复核日期", parking.review_on.isoformat())],
                page_link("ledger.item", item_id=item.id), "审批")
    return send("park-asked", f"park-asked:{parking.id}:organisers", Audience.organisers, text, request_id=item.id)


# --- the company, by SMS, with its consent -------------------------------------------------------

#: each SMS's words, as its template is to be registered with the provider (Alibaba Cloud's ${name}
#: variables: the parameters, all of them; the channel sends the template's code and the parameters)
SMS_TEMPLATES = {
    SmsKind.plan_given: "您的需求${ticket}已有解决方案，完成时限${due}。办理进展：${link}",
    SmsKind.extension_approved: "您的需求${ticket}完成时限已延至${due}。办理进展：${link}",
    SmsKind.done_awaiting_confirmation: "您的需求${ticket}已办结，待组织方确认销号。办理结果：${link}",
    SmsKind.closed_out: "您的需求${ticket}已销号，请查看办理结果并确认是否满意：${link}",
}
#: what the outbox calls each SMS (the sent pages show it with the ticket)
SMS_SUBJECTS = {SmsKind.plan_given: "已出解决方案", SmsKind.extension_approved: "延期已批准",
                SmsKind.done_awaiting_confirmation: "已办结待销号", SmsKind.closed_out: "已销号待确认"}


def texts_company(item: ServiceRequest) -> bool:
    """The company may be texted about this request now: it consents, and an SMS channel is set up."""
    return item.sms_consent_at is not None and Channel.sms in channels.configured(Audience.company)


def _text_company(kind: SmsKind, item: ServiceRequest, what: str, due=None) -> int:
    """One SMS, its parameters only what its purpose needs: the ticket, a due date, the link."""
    if not texts_company(item):
        return 0
    params = {"ticket": item.ticket_no, **({"due": due.isoformat()} if due else {}), "link": tracking_link(item)}
    body = SMS_TEMPLATES[kind]
    for name, value in params.items():
        body = body.replace("${" + name + "}", value)
    return enqueue(key=f"{kind.value}:{what}:company:sms", kind=kind.value, channel=Channel.sms,
                   audience=Audience.company, subject=f"{item.ticket_no} {SMS_SUBJECTS[kind]}", body=body,
                   params=params, request_id=item.id) is not None


def plan_given(item: ServiceRequest) -> int:
    """A plan given at the booth (its trail's line names this one: a plan given again after a
    reopen is a new message). Its due date is current_due, which the plan has just set: due_now
    without loading the item's extensions on the booth's step."""
    return _text_company(SmsKind.plan_given, item, f"event:{item.events[-1].id}", item.current_due)


def extension_approved(item: ServiceRequest, extension: Extension) -> int:
    return _text_company(SmsKind.extension_approved, item, f"extension:{extension.id}", extension.new_due)


def done(item: ServiceRequest) -> int:
    return _text_company(SmsKind.done_awaiting_confirmation, item, f"event:{_last_event_id(item)}")


def closed_out(item: ServiceRequest) -> int:
    return _text_company(SmsKind.closed_out, item, f"event:{_last_event_id(item)}")


def _last_event_id(item: ServiceRequest) -> int:
    return item.events[-1].id
