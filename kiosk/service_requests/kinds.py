"""What a request is and goes through, as words: its categories, states and channels, and the kinds
of its trail's events, each with its label and the rules pages and figures ask of it (a model
property, never an enum comparison in a template). kiosk.service_requests.models holds the tables
that store them."""
import enum

from flask_babel import lazy_gettext as _l


class Category(enum.Enum):
    land = "land"
    funding = "funding"
    staffing = "staffing"
    energy = "energy"
    approvals = "approvals"
    utilities = "utilities"
    environment = "environment"
    policy = "policy"
    other = "other"

    @property
    def label(self):
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.land: _l("土地"),
    Category.funding: _l("资金/融资"),
    Category.staffing: _l("用工/人才"),
    Category.energy: _l("能耗/指标"),
    Category.approvals: _l("审批/手续"),
    Category.utilities: _l("水电气暖"),
    Category.environment: _l("环评/环保"),
    Category.policy: _l("政策咨询"),
    Category.other: _l("其他"),
}


class Status(enum.Enum):
    waiting = "waiting"
    in_progress = "in_progress"
    resolved = "resolved"
    planned = "planned"
    #: 办结: after the fair, the department says the plan is carried out and asks for close-out
    done = "done"
    #: 销号: an organiser confirmed it
    closed_out = "closed_out"
    withdrawn = "withdrawn"

    @property
    def label(self):
        return STATUS_LABELS[self]

    @property
    def has_outcome(self) -> bool:
        return self in (Status.resolved, Status.planned, Status.done, Status.closed_out)

    @property
    def settled(self) -> bool:
        """Nothing more happens at the fair: an outcome, or withdrawn."""
        return self.has_outcome or self is Status.withdrawn

    @property
    def awaits_staff(self) -> bool:
        """Submitted, and nobody at the booth has it yet."""
        return self is Status.waiting

    @property
    def in_hand(self) -> bool:
        """Staff opened it; no outcome yet."""
        return self is Status.in_progress

    @property
    def resolved_on_site(self) -> bool:
        """现场办结."""
        return self is Status.resolved

    @property
    def has_plan(self) -> bool:
        """A plan was given at the fair (现场拿出解决方案), done or closed out since or not: the tally
        counts them all as planned; the ledger holds them all."""
        return self in (Status.planned, Status.done, Status.closed_out)

    @property
    def awaits_closeout(self) -> bool:
        """Open on the ledger until an organiser closes it out: a plan being carried out, or done
        (办结) and waiting for the organiser's confirmation (销号). Only these can be overdue."""
        return self in (Status.planned, Status.done)

    @property
    def is_done(self) -> bool:
        """办结: the department recorded the result and asks for close-out; not yet closed out, and
        never counted as closed out."""
        return self is Status.done

    @property
    def is_closed_out(self) -> bool:
        """销号: an organiser confirmed the planned item done."""
        return self is Status.closed_out

    @property
    def finished(self) -> bool:
        """Nothing more will be done: resolved on site, closed out, or withdrawn (Open311's "closed").
        A plan stays open until it is closed out."""
        return self in (Status.resolved, Status.closed_out, Status.withdrawn)

    @property
    def is_withdrawn(self) -> bool:
        """A duplicate, a mistake, not a real request: no tally counts it."""
        return self is Status.withdrawn


STATUS_LABELS = {
    Status.waiting: _l("待受理"),
    Status.in_progress: _l("办理中"),
    Status.resolved: _l("现场办结"),
    Status.planned: _l("已拿出解决方案"),
    Status.done: _l("已办结，待销号"),
    Status.closed_out: _l("已销号"),
    Status.withdrawn: _l("已撤回"),
}


class Channel(enum.Enum):
    #: the company scanned a QR code and filled the form on its phone
    phone = "phone"
    #: booth staff typed it in for a walk-in without a phone
    walk_in = "walk_in"

    @property
    def label(self):
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.phone: _l("企业扫码提交"),
    Channel.walk_in: _l("工作人员代登记"),
}


class EventKind(enum.Enum):
    submitted = "submitted"
    taken = "taken"
    resolved = "resolved"
    planned = "planned"
    transferred = "transferred"
    joined = "joined"
    note = "note"
    withdrawn = "withdrawn"
    reopened = "reopened"
    #: after the fair (kiosk.ledger): a progress note the company sees; done, asking for close-out;
    #: sent back by an organiser with a reason; closed out (销号); the deadline extended; the
    #: responsible unit or person changed; the company confirming or disputing the close-out; a
    #: quarterly reconciliation's mark "still open"
    progress = "progress"
    done = "done"
    sent_back = "sent_back"
    closed_out = "closed_out"
    extended = "extended"
    reassigned = "reassigned"
    confirmed = "confirmed"
    disputed = "disputed"
    reconciled = "reconciled"
    slip = "slip"
    #: a follow-up call about a bad rating: organisers only, so staff cannot tell who rated them badly
    followup = "followup"
    #: supervision (督办, kiosk.supervision): still open at its fair's close, handed to its booth's
    #: department (会后办理) or ended with the organiser's reason; an extension asked for, refused
    #: (`extended` is one approved); parking (挂账) asked for, approved, refused; listed on a
    #: supervision notice (督办单) and the department's reply; listed on a handover list (交办) and
    #: its receipt (签收)
    handed_over = "handed_over"
    ended = "ended"
    extension_asked = "extension_asked"
    extension_refused = "extension_refused"
    park_asked = "park_asked"
    parked = "parked"
    park_refused = "park_refused"
    supervised = "supervised"
    supervision_replied = "supervision_replied"
    dispatched = "dispatched"
    acknowledged = "acknowledged"
    #: calling at the booth (叫号, kiosk.service_requests.calling): a call, the same call repeated, the
    #: company not there (过号: it goes back in line once), and not there a second time (未到场)
    called = "called"
    called_again = "called_again"
    skipped = "skipped"
    no_show = "no_show"
    #: the company withdrew its consent to be texted, from its tracking page (kiosk.intake.sms_consent)
    sms_opted_out = "sms_opted_out"

    @property
    def label(self):
        return EVENT_LABELS[self]

    @property
    def is_call(self) -> bool:
        """A call the hall screen shows (叫号 or 再次叫号)."""
        return self in (EventKind.called, EventKind.called_again)

    @property
    def organisers_only(self) -> bool:
        return self is EventKind.followup

    @property
    def shown_to_company(self) -> bool:
        """The company's tracking page shows its trail without staff notes, follow-up calls, or the
        organisers' own dealings with the department (a close-out sent back, a reconciliation's mark)."""
        return self not in _STAFF_ONLY_KINDS

    @property
    def is_progress(self) -> bool:
        return self is EventKind.progress

    @property
    def detail_for_company(self) -> bool:
        """The company reads what the department wrote after the fair (progress, an extension's
        reason, the result) and its own words; not the reasons of moves made among staff."""
        return self in (EventKind.progress, EventKind.extended, EventKind.done, EventKind.closed_out,
                        EventKind.confirmed, EventKind.disputed)

    @property
    def changes_lead_unit(self) -> bool:
        """The one responsible changed: a transfer at the fair, or a new responsible unit after it."""
        return self in (EventKind.transferred, EventKind.reassigned)

    @property
    def moves_lead(self) -> bool:
        """A transfer: its to_booth is the new lead booth."""
        return self is EventKind.transferred

    @property
    def adds_booth(self) -> bool:
        """Joint handling: its to_booth joins the lead booth."""
        return self is EventKind.joined

    @property
    def names_booth(self) -> bool:
        """The event brings in the booth in to_booth, as the new lead or to join."""
        return self.moves_lead or self.adds_booth

    @property
    def detail_is_channel(self) -> bool:
        """A slip's event keeps how the slip came in (a SlipChannel value), never what it said."""
        return self is EventKind.slip


EVENT_LABELS = {
    EventKind.submitted: _l("提交需求"),
    EventKind.taken: _l("开始办理"),
    EventKind.resolved: _l("现场办结"),
    EventKind.planned: _l("拿出解决方案"),
    EventKind.transferred: _l("转办"),
    EventKind.joined: _l("联合会商"),
    EventKind.note: _l("备注"),
    EventKind.withdrawn: _l("撤回"),
    EventKind.reopened: _l("重新办理"),
    EventKind.progress: _l("办理进展"),
    EventKind.done: _l("办结，申请销号"),
    EventKind.sent_back: _l("退回重办"),
    EventKind.closed_out: _l("销号"),
    EventKind.extended: _l("延期"),
    EventKind.reassigned: _l("变更责任单位"),
    EventKind.confirmed: _l("企业确认办结"),
    EventKind.disputed: _l("企业提出异议"),
    EventKind.reconciled: _l("季度对账"),
    EventKind.slip: _l("满意度测评"),
    EventKind.followup: _l("差评回访"),
    EventKind.handed_over: _l("转会后办理"),
    EventKind.ended: _l("闭幕时结束"),
    EventKind.extension_asked: _l("部门申请延期"),
    EventKind.extension_refused: _l("延期未获批准"),
    EventKind.park_asked: _l("部门申请挂账"),
    EventKind.parked: _l("挂账"),
    EventKind.park_refused: _l("挂账未获批准"),
    EventKind.supervised: _l("督办"),
    EventKind.supervision_replied: _l("回复督办"),
    EventKind.dispatched: _l("交办"),
    EventKind.acknowledged: _l("签收"),
    EventKind.called: _l("叫号"),
    EventKind.called_again: _l("再次叫号"),
    EventKind.skipped: _l("过号"),
    EventKind.no_show: _l("未到场"),
    EventKind.sms_opted_out: _l("企业退订短信通知"),
}

#: the trail's lines the company's tracking page leaves out: staff notes, follow-up calls, and the
#: organisers' own dealings with the department
_STAFF_ONLY_KINDS = frozenset({
    EventKind.note, EventKind.followup, EventKind.sent_back, EventKind.reconciled, EventKind.extension_asked,
    EventKind.extension_refused, EventKind.park_asked, EventKind.park_refused, EventKind.supervised,
    EventKind.supervision_replied, EventKind.dispatched, EventKind.acknowledged})
