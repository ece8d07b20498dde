"""Messages made on a clock rather than by a change: the departments' morning digest, and the
organisers' word on supervision notices unreplied past their date.

On each working day (kiosk.core.workdays: China's calendar, 调休 included) from NOTIFY_DIGEST_HOUR
where the fair is, each department with anything to hear gets one digest: its open items by colour
(counted through kiosk.supervision.colours, the ledger's own definition), the red and blue ones
first in line, the disputes waiting for it, the supervision notices waiting for its reply, and the
extension decisions since the last digest (the working day before, at the same hour). The organisers
hear once of each notice unreplied past its date. Every message's key names its day (or its notice)
and its department, so that a second tick, or a second worker, writes nothing twice; on PostgreSQL
two workers may tick at the same moment, so each message is written in a savepoint of its own and a
key the other took is skipped rather than an error that ends the worker's round."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from kiosk.core.database import savepoint
from kiosk.core.extensions import db
from kiosk.core.workdays import is_working_day
from kiosk.fairs.models import Booth, Department
from kiosk.ledger.models import CloseOutVerdict, Extension, ExtensionStatus
from kiosk.notifications import messages
from kiosk.notifications.messages import Text
from kiosk.notifications.models import Audience
from kiosk.service_requests.models import ServiceRequest, Status
from kiosk.supervision.colours import ColourCounts, ColourRules, colour_condition, colour_sql, colours_by_department
from kiosk.supervision.models import Colour, SupervisionNotice, SupervisionNoticeItem

#: how many red and how many blue items a digest names (the ledger lists them all)
TOP_ITEMS = 5


def tick(now: datetime) -> int:
    """Write to the outbox whatever is due by `now` and not written yet (each message's key says
    which day and whom it is for, so a second worker, or a second tick, writes nothing twice).
    The worker calls it on every round; returns how many messages it wrote. The caller commits."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(zone)
    today, hour = local.date(), current_app.config["NOTIFY_DIGEST_HOUR"]
    if local.hour < hour or not is_working_day(today):
        return 0
    # This process made today's already: the worker ticks every round, and a digest reads the
    # ledger. (Only a saving: the keys are what keep a message from being written twice.)
    # Remembered once a round finds nothing left to write, not when it writes: the caller's commit
    # may yet fail (the database away a moment), and that must not cost the departments the day's.
    made = current_app.extensions.setdefault("kiosk.digest_days", set())
    if today in made:
        return 0
    since = datetime.combine(previous_working_day(today), time(hour), tzinfo=zone)
    with force_locale("zh_CN"):
        written = sum(_once(lambda d=d: _department_digest(d, today)) for d in department_digests(today, since, now))
        written += sum(_once(lambda n=n: _notice_overdue(n)) for n in overdue_notices(today))
    if not written:
        made.add(today)
    return written


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _once(write) -> int:
    """One message in a savepoint: a key another worker wrote meanwhile is skipped, not an error."""
    try:
        with savepoint():
            written = write()
            db.session.flush()
        return written
    except IntegrityError:
        return 0


class DepartmentDigest:
    """What one department hears in the morning."""

    def __init__(self, department_id: int, name: str):
        self.department_id, self.name = department_id, name
        self.counts = ColourCounts()
        self.disputes = self.notices = self.notice_items = self.approved = self.refused = 0
        self.red: list[ServiceRequest] = []
        self.blue: list[ServiceRequest] = []

    @property
    def says_anything(self) -> bool:
        return bool(self.counts.red or self.counts.yellow or self.counts.blue or self.disputes or self.notices
                    or self.approved or self.refused)


def department_digests(today: date, since: datetime, until: datetime) -> list[DepartmentDigest]:
    """Every department with something to hear today, by name, with its figures: a handful of
    grouped queries over every department, whatever their number."""
    rules = ColourRules.on(today)
    found: dict[int, DepartmentDigest] = {}

    def of(department_id: int) -> DepartmentDigest:
        if department_id not in found:
            found[department_id] = DepartmentDigest(department_id, "")
        return found[department_id]

    for row in colours_by_department(rules):
        of(row.department_id).counts = row.counts
    disputes = (sa.select(Booth.department_id, sa.func.count()).select_from(CloseOutVerdict)
                .join(ServiceRequest, CloseOutVerdict.request_id == ServiceRequest.id)
                .join(Booth, ServiceRequest.booth_id == Booth.id)
                .where(CloseOutVerdict.accepted.is_(False), ServiceRequest.status == Status.planned)
                .group_by(Booth.department_id))
    for department_id, n in db.session.execute(disputes):
        of(department_id).disputes = n
    waiting = (sa.select(SupervisionNotice.department_id, sa.func.count(sa.distinct(SupervisionNotice.id)),
                         sa.func.count()).join(SupervisionNoticeItem.notice)
               .where(SupervisionNoticeItem.replied_at.is_(None)).group_by(SupervisionNotice.department_id))
    for department_id, notices, items in db.session.execute(waiting):
        digest = of(department_id)
        digest.notices, digest.notice_items = notices, items
    decided = (sa.select(Booth.department_id, Extension.status, sa.func.count()).select_from(Extension)
               .join(ServiceRequest, Extension.request_id == ServiceRequest.id)
               .join(Booth, ServiceRequest.booth_id == Booth.id)
               .where(Extension.decided_at >= since, Extension.decided_at < until,
                      Extension.status.in_([ExtensionStatus.approved, ExtensionStatus.refused]))
               .group_by(Booth.department_id, Extension.status))
    for department_id, status, n in db.session.execute(decided):
        setattr(of(department_id), "approved" if status is ExtensionStatus.approved else "refused", n)
    speaking = {d: digest for d, digest in found.items() if digest.says_anything}
    _top_items(speaking, rules)
    names = dict(db.session.execute(
        sa.select(Department.id, Department.name).where(Department.id.in_(list(speaking)))).all())
    for department_id, digest in speaking.items():
        digest.name = names.get(department_id, "")
    return sorted(speaking.values(), key=lambda d: (d.name, d.department_id))


def _top_items(digests: dict[int, DepartmentDigest], rules: ColourRules) -> None:
    """The red items longest overdue and the blue ones soonest due, TOP_ITEMS of each per department."""
    if not digests:
        return
    colour = colour_sql(rules).label("colour")
    rows = db.session.execute(
        sa.select(ServiceRequest, Booth.department_id, colour).join(Booth, ServiceRequest.booth_id == Booth.id)
        .where(Booth.department_id.in_(list(digests)),
               sa.or_(colour_condition(Colour.red, rules), colour_condition(Colour.blue, rules)))
        .options(so.joinedload(ServiceRequest.fair), so.joinedload(ServiceRequest.booth))
        .order_by(ServiceRequest.current_due, ServiceRequest.id)).unique()
    for item, department_id, shade in rows:
        shown = digests[department_id].red if shade is Colour.red else digests[department_id].blue
        if len(shown) < TOP_ITEMS:
            shown.append(item)


def _department_digest(digest: DepartmentDigest, today: date) -> int:
    counts, soon = digest.counts, current_app.config["SUPERVISION_DUE_SOON_DAYS"]
    facts = [("逾期（红色）", f"{counts.red}项"), ("滞后（黄色）", f"{counts.yellow}项"),
             (f"临期（蓝色，{soon}天内到期）", f"{counts.blue}项"),
             ("企业异议待重新办理", f"{digest.disputes}项"),
             ("督办单待回复", f"{digest.notices}份（{digest.notice_items}项）"),
             ("上次提醒以来的延期审批", f"批准{digest.approved}项，不予批准{digest.refused}项")]
    more = []
    for heading, items in (("**逾期事项**", digest.red), ("**临期事项**", digest.blue)):
        if items:
            more += [heading, *(_item_line(item) for item in items)]
    text = Text(f"需求台账每日提醒 {today.isoformat()} · {digest.name}", facts,
                messages.page_link("ledger.index"), "打开需求台账", more)
    return messages.send("digest", f"digest:{today.isoformat()}:dept:{digest.department_id}", Audience.department,
                         text, department_id=digest.department_id)


def _item_line(item: ServiceRequest) -> str:
    due = item.current_due.isoformat() if item.current_due else "—"
    return f"- {item.qualified_no} {item.category.label} 完成时限{due}"


def overdue_notices(today: date) -> list[SupervisionNotice]:
    """Notices with an item unreplied after their reply-by day."""
    unreplied = sa.select(SupervisionNoticeItem.notice_id).where(SupervisionNoticeItem.replied_at.is_(None))
    return list(db.session.scalars(
        sa.select(SupervisionNotice).where(SupervisionNotice.reply_by < today, SupervisionNotice.id.in_(unreplied))
        .options(so.selectinload(SupervisionNotice.items), so.joinedload(SupervisionNotice.department))
        .order_by(SupervisionNotice.id)).unique())


def _notice_overdue(notice: SupervisionNotice) -> int:
    unreplied = sum(not entry.is_replied for entry in notice.items)
    text = Text(f"督办单逾期未回复：{notice.official_number}",
                [("部门", notice.department.name), ("回复期限", notice.reply_by.isoformat()),
                 ("未回复", f"{unreplied}项（共{len(notice.items)}项）")],
                messages.page_link("supervision.notice", notice_id=notice.id), "查看督办单")
    return messages.send("notice-overdue", f"notice-overdue:{notice.id}:organisers", Audience.organisers, text)
