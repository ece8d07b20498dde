"""Supervision notices (督办单): an organiser issues one to a department about some of its open
ledger items, numbered per year; the department replies on each item (回复督办). Each step writes
its line on the items' trails (supervised, supervision_replied), flushes and never commits, and
checks the versions the person saw: an item changed since the organiser looked at it, or a reply
written by someone else meanwhile, is a conflict, never an overwrite."""
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from kiosk.core.database import savepoint
from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import now_aware
from kiosk.fairs.models import Booth, Department
from kiosk.notifications import messages
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, awaiting_closeout_sql
from kiosk.supervision.colours import SHOWN, ColourRules, behind, colour_of, colour_sql
from kiosk.supervision.models import Colour, SupervisionNotice, SupervisionNoticeItem

#: the most items a notice's page offers to tick (the most urgent first)
CANDIDATES_SHOWN = 200
#: tries at a number when another organiser's notice took the one read (each in a savepoint)
NUMBER_TRIES = 5


class NoticeRefused(Refused):
    MESSAGES = {
        "conflict": _l("这项刚被其他人更新过，以下是最新状态。您填写的内容已保留，请核对后再提交。"),
        "changed": _l("勾选的事项中有的在您打开本页后有了变化（已回复、已销号或已转出），以下是最新情况。"
                      "您填写的内容已保留，请核对后再发。"),
        "no_items": _l("请至少勾选一项要督办的事项。"),
        "other_department": _l("一份督办单只能督办同一个部门的事项。"),
        "organisers_only": _l("只有组织方可以发督办单。"),
        "not_yours": _l("这份督办单不是发给本部门的。"),
        "replied": _l("这一项已经回复过了。"),
        "number_taken": _l("同一时间有其他督办单在编号，请再提交一次。"),
    }


def can_see(user, notice: SupervisionNotice) -> bool:
    """Organisers see every notice; a department's staff the notices to their department."""
    return user.is_organiser or (user.is_department_staff and user.department_id == notice.department_id)


def issue(department: Department, actor, chosen: dict[int, int], *, reply_by: date, text: str, today: date,
          now: datetime | None = None) -> SupervisionNotice:
    """A notice to `department` about the items chosen (id -> the version the organiser saw), each
    with its colour and its due date as they stand (the document keeps them), its number the next
    of the year."""
    if not actor.is_organiser:
        raise NoticeRefused("organisers_only")
    if not chosen:
        raise NoticeRefused("no_items")
    items = db.session.scalars(sa.select(ServiceRequest).where(ServiceRequest.id.in_(chosen)).options(
        so.joinedload(ServiceRequest.booth), so.joinedload(ServiceRequest.fair))).unique().all()
    if len(items) != len(chosen):
        raise NoticeRefused("changed")
    for item in items:
        if item.booth.department_id != department.id:
            raise NoticeRefused("other_department")
        if item.version != chosen[item.id] or not item.status.awaits_closeout:
            raise NoticeRefused("changed")
    rules = ColourRules.on(today)
    notice = _numbered(SupervisionNotice(department=department, issued_by=actor, issued_at=now or now_aware(),
                                         issued_on=today, reply_by=reply_by, text=text))
    for item in sorted(items, key=lambda i: (i.current_due or date.max, i.id)):
        colour = colour_of(item, rules)
        reasons = behind(item, rules) if colour is Colour.yellow else ()
        notice.items.append(SupervisionNoticeItem(request=item, colour=colour, due_then=item.current_due,
                                                  behind=",".join(r.value for r in reasons)))
        with force_locale("zh_CN"):  # (the trail keeps what was said, in the document's language)
            detail = f"{notice_words(notice)}（{colour.label}）"
        item.events.append(RequestEvent(kind=EventKind.supervised, actor=actor, from_status=item.status,
                                        to_status=item.status, detail=detail))
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise NoticeRefused("changed") from None
    messages.notice_issued(notice)
    return notice


def notice_words(notice: SupervisionNotice) -> str:
    """What the trail says of a notice: its official number and reply-by date (in Chinese, as the
    document is)."""
    return f"{notice.official_number}，请于{notice.reply_by.isoformat()}前回复"


def _numbered(notice: SupervisionNotice) -> SupervisionNotice:
    """The notice with the next number of its year, written at once in a savepoint: two organisers
    issuing at the same moment read the same last number, and the second tries the next one."""
    notice.year = notice.issued_on.year
    for _ in range(NUMBER_TRIES):
        last = db.session.scalar(sa.select(sa.func.max(SupervisionNotice.seq))
                                 .where(SupervisionNotice.year == notice.year))
        notice.seq = (last or 0) + 1
        try:
            with savepoint():
                db.session.add(notice)
                db.session.flush()
            return notice
        except IntegrityError:
            continue
    raise NoticeRefused("number_taken")


def reply(entry: SupervisionNoticeItem, actor, version: int, *, text: str,
          now: datetime | None = None) -> SupervisionNoticeItem:
    """回复督办 on one item: once (a second reply is refused, the first stands); by the department's
    staff, or by an organiser typing in a reply the department gave on paper (the page says who)."""
    if entry.version != version:
        raise NoticeRefused("conflict")
    if not can_see(actor, entry.notice):
        raise NoticeRefused("not_yours")
    if entry.is_replied:
        raise NoticeRefused("replied")
    entry.reply, entry.replied_at, entry.replied_by = text, now or now_aware(), actor
    item = entry.request
    item.events.append(RequestEvent(kind=EventKind.supervision_replied, actor=actor, from_status=item.status,
                                    to_status=item.status, detail=f"{entry.notice.official_number}：{text}"))
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise NoticeRefused("conflict") from None
    return entry


# --- what the pages list -----------------------------------------------------------------------------

def notices(*, department_id: int | None = None, year: int | None = None) -> list[SupervisionNotice]:
    """Notices, newest first, with their items (a notice's state is derived from them)."""
    query = (sa.select(SupervisionNotice).options(so.selectinload(SupervisionNotice.items),
                                                  so.joinedload(SupervisionNotice.department))
             .order_by(SupervisionNotice.year.desc(), SupervisionNotice.seq.desc()))
    if department_id is not None:
        query = query.where(SupervisionNotice.department_id == department_id)
    if year is not None:
        query = query.where(SupervisionNotice.year == year)
    return list(db.session.scalars(query).unique())


def open_notices(department_id: int) -> list[SupervisionNotice]:
    """A department's notices still waiting for a reply on some item: its home lists them."""
    waiting = (sa.select(SupervisionNoticeItem.notice_id).where(SupervisionNoticeItem.replied_at.is_(None))
               .distinct())
    return list(db.session.scalars(
        sa.select(SupervisionNotice).where(SupervisionNotice.department_id == department_id,
                                           SupervisionNotice.id.in_(waiting))
        .options(so.selectinload(SupervisionNotice.items))
        .order_by(SupervisionNotice.reply_by, SupervisionNotice.id)))


def years() -> list[int]:
    return list(db.session.scalars(sa.select(SupervisionNotice.year).distinct()
                                   .order_by(SupervisionNotice.year.desc())))


def candidates(department_id: int, colours: set[Colour], today: date) -> tuple[list[tuple], int]:
    """A department's open items of the colours asked, the most severe and the soonest due first,
    each with its colour and why it is behind: what a new notice offers to tick (at most
    CANDIDATES_SHOWN), and how many there are in all."""
    rules = ColourRules.on(today)
    colour = colour_sql(rules)
    wanted = [c.value for c in colours]
    base = (sa.select(ServiceRequest.id, colour.label("colour")).select_from(ServiceRequest)
            .join(Booth, ServiceRequest.booth_id == Booth.id)
            .where(awaiting_closeout_sql(), Booth.department_id == department_id).subquery())
    severity = sa.case({c.value: n for n, c in enumerate(SHOWN)}, value=base.c.colour)
    matching = sa.select(base.c.id).where(base.c.colour.in_(wanted))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(matching.subquery()))
    picked = db.session.execute(
        sa.select(base.c.id, base.c.colour).where(base.c.colour.in_(wanted)).order_by(severity, base.c.id)
        .limit(CANDIDATES_SHOWN)).all()
    loaded = {item.id: item for item in db.session.scalars(
        sa.select(ServiceRequest).where(ServiceRequest.id.in_([row.id for row in picked])).options(
            so.joinedload(ServiceRequest.fair), so.joinedload(ServiceRequest.booth)))}
    rows = [(loaded[row.id], row.colour, behind(loaded[row.id], rules)) for row in picked]
    rows.sort(key=lambda r: (SHOWN.index(r[1]), r[0].current_due or date.max, r[0].id))
    return rows, total


def notices_on(item: ServiceRequest) -> list[SupervisionNoticeItem]:
    """The notices that listed this item, newest first, with their notice: its page names them."""
    return list(db.session.scalars(
        sa.select(SupervisionNoticeItem).where(SupervisionNoticeItem.request_id == item.id)
        .join(SupervisionNotice).order_by(SupervisionNotice.issued_at.desc(), SupervisionNotice.id.desc())
        .options(so.contains_eager(SupervisionNoticeItem.notice))))
