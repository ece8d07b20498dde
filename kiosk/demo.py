"""A realistic demo fair, named as a demo: 15 departments, 10 banks, a staff account per booth,
requests in every state; and last month's fair, closed, whose plans are on the ledger in every
state of their own, with slips, efficiency points and that month's ranking published.

Only `flask demo load` makes it. Its accounts get random passwords on each install (the command
keeps them in instance/), and its tracking tokens are as random as any company's: the seeded
generator only picks the demo's content, so that it reads the same on every install.
"""
import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from kiosk.auth.accounts import new_password
from kiosk.auth.models import Role, User
from kiosk.companies.models import Company
from kiosk.companies.validation import credit_code_check_char
from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today, utcnow
from kiosk.fairs.models import DepartmentKind, Fair, FairStatus
from kiosk.figures.periods import Period
from kiosk.ledger import moves
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.organiser.fair_setup import add_booth, add_zone
from kiosk.scoreboard.service import enter_points, publish_ranking
from kiosk.service_requests.after_fair import EndReason
from kiosk.service_requests.models import Category, Channel, EventKind, RequestEvent, ServiceRequest, Status
from kiosk.slips.models import DIMENSIONS, SatisfactionSlip, SlipChannel
from kiosk.slips.service import FOLLOW_UP_AT

CITY = "泰安市"
DEPARTMENTS = [
    "自然资源和规划局", "发展和改革委员会", "行政审批服务局", "住房和城乡建设局", "人力资源和社会保障局",
    "生态环境局", "工业和信息化局", "财政局", "税务局", "商务局", "科技局", "市场监督管理局",
    "供电公司", "水务集团", "燃气公司",
]
BANKS = [
    "中国工商银行泰安分行", "中国农业银行泰安分行", "中国银行泰安分行", "中国建设银行泰安分行",
    "交通银行泰安分行", "中国邮政储蓄银行泰安市分行", "泰安银行", "齐鲁银行泰安分行",
    "恒丰银行泰安分行", "泰安农村商业银行",
]
COMPANIES = [
    "泰安新材料科技有限公司", "山东岱岳精密机械有限公司", "泰山食品集团有限公司", "泰安汇通物流有限公司",
    "山东泰和新能源有限公司", "泰安宏达纺织有限公司", "泰安智造电子有限公司", "山东东岳化工有限公司",
    "泰安绿源农业开发有限公司", "泰安博远医疗器械有限公司", "泰安鑫盛建材有限公司", "山东泰山旅游发展有限公司",
]
NEEDS = {
    Category.land: "新建厂房项目需用地约30亩，希望了解园区可供地块和供地流程。",
    Category.funding: "扩大生产需流动资金贷款，希望了解无还本续贷和贴息政策。",
    Category.staffing: "新生产线投产需招聘技术工人50名，希望对接职业院校。",
    Category.energy: "技改项目新增用能约2000吨标准煤，申请能耗指标。",
    Category.approvals: "二期项目施工许可办理进度慢，希望帮助协调并联审批。",
    Category.utilities: "新厂区需双回路供电，申请尽快完成接电。",
    Category.environment: "扩建项目环评审批咨询，希望明确所需材料。",
    Category.policy: "咨询高新技术企业认定和研发费用加计扣除政策。",
    Category.other: "厂区门前道路破损，影响货车通行。",
}


def in_use() -> bool:
    """Whether the database holds a fair or an account: then it is someone's install, and the demo
    (with its accounts and its made-up companies) stays out of it."""
    return (db.session.scalar(sa.select(sa.func.count(Fair.id))) > 0
            or db.session.scalar(sa.select(sa.func.count(User.id))) > 0)


def demo_credit_code(rng: random.Random) -> str:
    body = "9137090" + "".join(rng.choice("0123456789") for _ in range(3)) + "MA" + "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(5))
    return body + credit_code_check_char(body)


def build_demo_fair(password: str | None = None, logins: list | None = None) -> Fair:
    """The demo fair, committed. Every account gets password, or a random one of its own; logins,
    if given, receives each (username, password), the organiser first."""
    rng = random.Random(613)
    logins = [] if logins is None else logins

    def account(user: User) -> User:
        secret = password or new_password()
        user.set_password(secret)
        logins.append((user.username, secret))
        db.session.add(user)
        return user

    fair = Fair(name=f"2026年{CITY}要素保障大集（演示）", date=date.today(), venue=f"{CITY}会展中心一号馆",
                status=FairStatus.open)
    db.session.add(fair)
    zones = [add_zone(fair, "要素保障部门专区"), add_zone(fair, "金融服务专区")]
    booths = []
    for prefix, zone, names, kind in (("B", zones[0], [CITY + n for n in DEPARTMENTS], DepartmentKind.department),
                                      ("F", zones[1], BANKS, DepartmentKind.bank)):
        for number, name in enumerate(names, start=1):
            booth = add_booth(fair, zone, f"{prefix}{number:02d}", name, kind)
            booths.append(booth)
            account(User(username=booth.code.lower(), display_name=f"{name}工作人员", role=Role.staff, booth=booth))
    organiser = User(username="admin", display_name="市工业推进办", role=Role.organiser)
    account(organiser)
    logins.insert(0, logins.pop())  # the organiser first: the one line most people need
    # The first department's ledger account, as an organiser would issue it (auth.accounts).
    first = booths[0].department
    db.session.flush()
    account(User(username=f"d{first.id}", display_name=f"{first.name}台账专员", role=Role.department,
                 department=first))
    db.session.flush()

    companies = [Company(name=name, credit_code=demo_credit_code(rng)) for name in COMPANIES]
    db.session.add_all(companies)
    plan = [Status.waiting] * 6 + [Status.in_progress] * 4 + [Status.resolved] * 10 + [Status.planned] * 8 + [
        Status.done] + [Status.closed_out] * 2 + [Status.withdrawn]
    for n, status in enumerate(plan):
        booth = booths[n % len(booths)] if n % 3 else booths[(n * 7) % len(booths)]
        category = Category.funding if booth.code.startswith("F") else rng.choice(
            [c for c in Category if c is not Category.funding])
        item = _demo_request(fair, booth, companies[n % len(companies)], category, status, organiser, rng)
        if n == 6:  # one request handled jointly, one transferred: the trail shows both
            item.joint_booths.append(booths[0])
            item.events.append(RequestEvent(kind=EventKind.joined, to_booth=booths[0], actor=organiser,
                                            detail="涉及用地，联合自然资源和规划局会商"))
        elif n == 7:
            item.events.append(RequestEvent(kind=EventKind.transferred, from_booth=item.booth, to_booth=booths[2],
                                            actor=organiser, detail="属审批事项，转行政审批服务局办理"))
            item.booth = booths[2]
    db.session.flush()
    _demo_slips(fair, rng)
    db.session.commit()
    return fair


def build_demo_history(fair: Fair) -> Fair:
    """Last month's fair (the 15th), closed, beside the demo fair, committed: the ledger then shows
    its plans closed out on time and late, extended, done and awaiting confirmation, open and
    overdue, due within 14 days, and one the company disputed; the scoreboard shows last month,
    with efficiency points for six departments and the ranking published. Every step after the
    fair is a real move (kiosk.ledger.moves) dated when it would have happened."""
    rng = random.Random(1015)
    today = fair_today()
    day = (today.replace(day=1) - timedelta(days=1)).replace(day=15)
    organiser = db.session.scalar(sa.select(User).filter_by(role=Role.organiser).order_by(User.id))
    past = Fair(name=f"{day.year}年{day.month}月{CITY}要素保障大集（演示）", date=day, venue=f"{CITY}会展中心一号馆",
                status=FairStatus.open)  # (closed below, as an organiser closes one)
    db.session.add(past)
    zones = [add_zone(past, "要素保障部门专区"), add_zone(past, "金融服务专区")]
    booths = [add_booth(past, zones[0 if b.code.startswith("B") else 1], b.code, b.department.name, b.department.kind)
              for b in sorted(fair.booths, key=lambda b: b.code)]
    db.session.flush()
    companies = db.session.scalars(sa.select(Company).order_by(Company.id)).all()
    noon = datetime.combine(day, time(4, 0))  # 12:00 in Tai'an: filed during the morning
    stories = ["on_time"] * 6 + ["late"] + ["done"] * 2 + ["overdue"] * 2 + ["extended"] + ["soon"] * 2 + [
        "later"] * 2 + ["disputed"]
    plans = []
    for n, story in enumerate(stories):
        # The first department's ledger account has one closed out, one done, one overdue, one open.
        booth = booths[0] if n in (0, 7, 10, 15) else booths[1 + n % 14]
        category = rng.choice([c for c in Category if c is not Category.funding])
        plans.append((story, _demo_request(past, booth, companies[n % len(companies)], category, Status.planned,
                                           organiser, rng, noon=noon)))
    for n in range(14):
        booth = booths[15 + n % 10] if n % 2 else booths[(n * 3 + 1) % 15]
        category = Category.funding if booth.code.startswith("F") else Category.policy
        _demo_request(past, booth, companies[n % len(companies)], category,
                      Status.withdrawn if n == 13 else Status.resolved, organiser, rng, noon=noon)
    db.session.flush()
    _demo_slips(past, rng)
    _demo_close_with_open_requests(past, booths, companies, organiser, rng, noon)
    _demo_handover(past, organiser)

    def at(offset_days: int) -> datetime:  # 10:00 in Tai'an, that many days after the fair
        return datetime.combine(day + timedelta(days=offset_days), time(2, 0), tzinfo=UTC)

    def due(item, when: date) -> None:
        item.plan_due = item.current_due = when

    span = (today - day).days  # 16 to 46 days
    for story, item in plans:
        if story in ("on_time", "disputed"):
            due(item, day + timedelta(days=10))
            moves.finish(item, organiser, item.version, result="已按方案办结，相关手续已办理完毕。",
                         evidence="批复文件已送达企业", now=at(6))
            moves.confirm(item, organiser, item.version, now=at(7))
        elif story == "late":
            due(item, day + timedelta(days=5))
            moves.extend(item, organiser, item.version, new_due=day + timedelta(days=9), reason="等待省级部门批复",
                         today=day + timedelta(days=4), now=at(4))
            moves.extend(item, organiser, item.version, new_due=day + timedelta(days=13), reason="企业补充材料",
                         today=day + timedelta(days=8), now=at(8))
            moves.finish(item, organiser, item.version, result="批复已下达，已办结。",
                         evidence="批复文号 泰政字〔2026〕8号", now=at(12))
            moves.confirm(item, organiser, item.version, now=at(14))
        elif story == "done":
            due(item, today + timedelta(days=10))
            moves.finish(item, organiser, item.version, result="已完成现场踏勘并出具书面意见。", evidence="踏勘记录",
                         now=at(span - 1))
        elif story == "overdue":
            due(item, today - timedelta(days=3))
        elif story == "extended":
            due(item, today - timedelta(days=2))
            moves.extend(item, organiser, item.version, new_due=today + timedelta(days=20), reason="待规划调整方案批复",
                         today=today - timedelta(days=3), now=at(span - 3))
        else:
            due(item, today + timedelta(days=6 if story == "soon" else 40))
    db.session.flush()
    for story, item in plans:
        if story == "on_time":
            moves.company_verdict(item, accepted=True, rating=5, words=None)
        elif story == "disputed":
            moves.company_verdict(item, accepted=False, rating=2, words="用地手续只办了一半，土地证还没有拿到。")
    month = Period.of("month", day)
    for n, booth in enumerate(booths[:6]):
        enter_points(booth.department, day, Decimal(95 - 5 * n), "按时报送周进度，参加专题会商", organiser)
    publish_ranking(month, organiser, today=today)
    _demo_extension_requests(past, organiser, today)
    _demo_parking(past, organiser, today)
    _demo_supervision(organiser, today)
    db.session.commit()
    return past


def _demo_extension_requests(past: Fair, organiser: User, today: date) -> None:
    """Extensions asked for and decided (延期审批) on last month's plans: the first department's
    account has asked for one on its overdue item, waiting for an organiser; it asked for one on its
    item not yet due and was refused, with the reason it reads; and the item already extended once is
    extended a second time, flagged as such. Real moves, dated when they would have happened."""
    def on(day: date) -> datetime:  # 10:00 in Tai'an
        return datetime.combine(day, time(2, 0), tzinfo=UTC)

    staff = db.session.scalar(sa.select(User).filter_by(role=Role.department).order_by(User.id))
    open_items = db.session.scalars(sa.select(ServiceRequest).filter_by(fair_id=past.id, status=Status.planned)
                                    .order_by(ServiceRequest.id)).all()
    own = [item for item in open_items if item.booth.department_id == staff.department_id]
    overdue = next(item for item in own if item.current_due < today)
    later = next(item for item in own if item.current_due > today + timedelta(days=30))
    once = next(item for item in open_items if item.extension_count == 1)
    asked_on = today - timedelta(days=6)
    moves.ask_extension(later, staff, later.version, new_due=later.current_due + timedelta(days=60),
                        reason="企业调整建设方案，需重新编制供地方案", today=asked_on, now=on(asked_on))
    moves.refuse_extension(later, organiser, later.version, now=on(asked_on + timedelta(days=1)),
                           reason="调整方案不影响现有地块供地，请按原定时限推进；确需延期请附企业书面申请。")
    moves.extend(once, organiser, once.version, new_due=once.current_due + timedelta(days=15),
                 reason="规划调整方案仍在公示期，公示结束后办理", today=today - timedelta(days=2),
                 now=on(today - timedelta(days=2)))
    moves.ask_extension(overdue, staff, overdue.version, new_due=today + timedelta(days=14),
                        reason="需省自然资源厅出具用地预审意见，已行文请示", today=today - timedelta(days=1),
                        now=on(today - timedelta(days=1)))


def _demo_parking(past: Fair, organiser: User, today: date) -> None:
    """Parked items (挂账) on last month's plans, so that the ledger's 挂账 tabs and the bottleneck
    analysis (共性堵点) have something to show: an overdue item another department cannot finish
    without the province, parked with an organiser's approval until next month; an item parked for
    a historical land title and resumed when the district cleared it; and the first department's
    item whose extension was refused, now asked to be parked on the company's side, waiting for an
    organiser. Real moves (kiosk.supervision.parking)."""
    from kiosk.service_requests.after_fair import ParkCause
    from kiosk.supervision import parking

    open_items = db.session.scalars(sa.select(ServiceRequest).filter_by(fair_id=past.id, status=Status.planned)
                                    .order_by(ServiceRequest.id)).all()
    first = db.session.scalar(sa.select(User).filter_by(role=Role.department).order_by(User.id))

    def staff_of(item) -> User:
        return db.session.scalar(sa.select(User).filter_by(role=Role.department,
                                                           department_id=item.booth.department_id))

    others = [item for item in open_items if item.booth.department_id != first.department_id
              and item.handed_over_on is None and item.extension_asked_on is None]
    stuck = next(item for item in others if item.current_due < today)
    parking.ask(stuck, staff_of(stuck), stuck.version, cause=ParkCause.higher_level, today=today,
                explanation="项目用地需调整土地利用总体规划，须报省自然资源厅审批，市级无权限，已行文请示。",
                review_on=today + timedelta(days=30))
    parking.approve(stuck, organiser, stuck.version, note="同意挂账，由市工业推进办协调省厅，复核时报进展。",
                    today=today)
    legacy = next(item for item in others if item is not stuck and item.current_due >= today)
    parking.ask(legacy, staff_of(legacy), legacy.version, cause=ParkCause.legacy, today=today,
                explanation="地块存在2008年遗留的权属争议，需区政府先行处置。", review_on=today + timedelta(days=60))
    parking.approve(legacy, organiser, legacy.version, note=None, today=today)
    parking.resume(legacy, organiser, legacy.version, reason="区政府已完成权属处置，恢复办理。", today=today)
    own = next(item for item in open_items if item.booth.department_id == first.department_id
               and item.current_due > today + timedelta(days=30))
    parking.ask(own, first, own.version, cause=ParkCause.company, today=today,
                explanation="企业调整建设方案，项目暂停，待企业重新提交方案后办理。",
                review_on=today + timedelta(days=45))


def _demo_supervision(organiser: User, today: date) -> None:
    """A supervision notice (督办单) to the first department (the demo's ledger account) about its red
    and yellow items, issued yesterday with a week to reply; the department has replied on the first
    item and not yet on the other, so the notice shows partly replied on its home. Real moves
    (kiosk.supervision.notices)."""
    from kiosk.supervision import notices
    from kiosk.supervision.models import Colour

    staff = db.session.scalar(sa.select(User).filter_by(role=Role.department).order_by(User.id))
    issued = today - timedelta(days=1)
    rows, _total = notices.candidates(staff.department_id, {Colour.red, Colour.yellow}, issued)
    chosen = {item.id: item.version for item, _colour, _why in rows}
    notice = notices.issue(staff.department, organiser, chosen, reply_by=issued + timedelta(days=7), today=issued,
                           text="请逐项说明逾期或长期无进展的原因、已采取的措施和预计办结时间；确需延期或挂账的，"
                                "按程序申请。", now=datetime.combine(issued, time(7, 0), tzinfo=UTC))
    first = notice.items[0]
    notices.reply(first, staff, first.version,
                  text="已向省自然资源厅行文请示用地预审意见，预计两周内取得，取得后五个工作日内办结。")


def _demo_close_with_open_requests(past: Fair, booths, companies, organiser: User, rng, noon: datetime) -> None:
    """Last month's fair closed at 17:00 in Tai'an by the close itself (organiser.fair_lifecycle), its
    tally frozen then. Four requests were still open: the organiser handed three to their booths'
    departments (会后办理) with the default reply deadline, B01's one transferred to B05 before, so
    B05's department has it; and ended the fourth, whose company never came back. The three are past
    their deadline now and nobody has acknowledged them (签收): the ledger and supervision show it."""
    by_code = {booth.code: booth for booth in booths}
    left = [(by_code["B02"], Category.approvals, Status.waiting), (by_code["B03"], Category.land, Status.in_progress),
            (by_code["B01"], Category.environment, Status.waiting),
            (by_code["B04"], Category.utilities, Status.waiting)]
    items = [_demo_request(past, booth, companies[(n * 5 + 3) % len(companies)], category, status, organiser, rng,
                           noon=noon)
             for n, (booth, category, status) in enumerate(left)]
    moved = items[2]
    moved.events.append(RequestEvent(kind=EventKind.transferred, from_booth=moved.booth, to_booth=by_code["B05"],
                                     actor=organiser, detail="属环评事项，转生态环境局办理",
                                     created_at=moved.created_at + timedelta(minutes=8)))
    moved.booth = by_code["B05"]
    db.session.flush()
    close_fair(past, organiser, {items[0].id: None, items[1].id: None, moved.id: None,
                                 items[3].id: EndReason.no_return},
               now=datetime.combine(past.date, time(9, 0)))  # (stored in UTC, naive, as utcnow() gives it)


def _demo_slips(fair, rng):
    """Slips for most requests with an outcome; one bad one, flagged for a follow-up call."""
    done = [r for r in fair_requests(fair) if r.status.has_outcome]
    for n, item in enumerate(done):
        if n % 4 == 3:
            continue  # not every company fills the slip in
        overall = 2 if n == 0 else rng.choice([4, 5, 5])
        ratings = {name: max(1, overall - rng.choice([0, 0, 1])) for name in DIMENSIONS}
        db.session.add(SatisfactionSlip(
            request_id=item.id, channel=rng.choice(list(SlipChannel)), confirmed=n != 0, overall=overall,
            needs_followup=overall <= FOLLOW_UP_AT or n == 0, comment="等候时间较长" if n == 0 else None, **ratings))
        item.events.append(RequestEvent(kind=EventKind.slip, detail="phone"))


def fair_requests(fair):
    return db.session.scalars(sa.select(ServiceRequest).filter_by(fair_id=fair.id).order_by(ServiceRequest.id)).all()


def _demo_request(fair, booth, company, category, status, organiser, rng, *, noon=None) -> ServiceRequest:
    """A request filed during the morning before noon (UTC; by default, now)."""
    booth.last_seq += 1
    created = (noon or utcnow()) - timedelta(minutes=rng.randint(5, 240))
    item = ServiceRequest(
        fair=fair, booth=booth, company=company, company_name=company.name,
        ticket_no=f"{booth.code}-{booth.last_seq:03d}",
        # A token as intake.service makes one: a demo's links are no easier to guess than any other.
        token=secrets.token_urlsafe(18), channel=Channel.phone, category=category,
        need=NEEDS[category], contact_name=rng.choice(["王经理", "李会计", "张总", "刘主任"]),
        contact_mobile=f"139{rng.randint(10000000, 99999999)}", status=status, created_at=created,
        amount_wan=Decimal(rng.choice([200, 500, 1000, 3000])) if category is Category.funding else None)
    staff = organiser
    events = [RequestEvent(kind=EventKind.submitted, to_status=Status.waiting, to_booth=booth, created_at=created)]
    if status is not Status.waiting:
        events.append(RequestEvent(kind=EventKind.taken, from_status=Status.waiting, to_status=Status.in_progress,
                                   actor=staff, created_at=created + timedelta(minutes=3)))
    if status is Status.resolved:
        item.resolution = "已现场答复并办理完毕，相关材料当场交付企业。"
    if status.has_plan:
        item.plan_text = "会后五个工作日内组织现场踏勘，出具书面办理意见。"
        item.plan_unit = booth.name
        item.plan_person = rng.choice(["赵科长", "孙主任", "周经理"])
        item.plan_due = item.current_due = fair.date + timedelta(days=rng.choice([-3, 7, 14, 30]))
    if status in (Status.done, Status.closed_out):
        item.closeout_result = "已按方案办结，企业确认。"
        item.closeout_evidence = "现场核验"
        item.done_at = (created + timedelta(minutes=18)).replace(tzinfo=UTC)
    if status is Status.closed_out:
        item.closed_out_at = (created + timedelta(minutes=20)).replace(tzinfo=UTC)
        item.closed_out_on = fair.date
    if status.has_outcome:
        kind = EventKind.resolved if status is Status.resolved else EventKind.planned
        events.append(RequestEvent(kind=kind, from_status=Status.in_progress,
                                   to_status=Status.resolved if kind is EventKind.resolved else Status.planned,
                                   actor=staff, created_at=created + timedelta(minutes=12),
                                   detail=item.resolution or item.plan_text))
    if status in (Status.done, Status.closed_out):
        events.append(RequestEvent(kind=EventKind.done, from_status=Status.planned, to_status=Status.done,
                                   actor=staff, created_at=created + timedelta(minutes=18),
                                   detail=item.closeout_result))
    if status is Status.closed_out:
        events.append(RequestEvent(kind=EventKind.closed_out, from_status=Status.done, to_status=status,
                                   actor=organiser, created_at=created + timedelta(minutes=20),
                                   detail=item.closeout_result))
    if status is Status.withdrawn:
        events.append(RequestEvent(kind=EventKind.withdrawn, from_status=Status.in_progress, to_status=status,
                                   actor=staff, detail="与B02-001重复", created_at=created + timedelta(minutes=5)))
    item.events.extend(events)
    db.session.add(item)
    return item


def _demo_handover(past: Fair, organiser: User) -> None:
    """The handover the morning after last month's close (交办): every department's list printed
    at 09:30 in Tai'an (numbered, on each item's trail); each department acknowledged its plans from
    the fair (签收) on its ledger account that day or the next, but for two cases the handover page
    and supervision show: the first department (the demo's ledger account) has acknowledged
    nothing, and nobody has acknowledged the requests handed over at the close (会后办理)."""
    from kiosk.supervision.handover import acknowledge_all, record_print

    after = past.date + timedelta(days=1)
    record_print(past, organiser, now=datetime.combine(after, time(1, 30), tzinfo=UTC))
    first = db.session.scalar(sa.select(User).filter_by(role=Role.department).order_by(User.id))
    items = db.session.scalars(sa.select(ServiceRequest).filter_by(fair_id=past.id, status=Status.planned)
                               .order_by(ServiceRequest.id)).all()
    unknown = User(password_hash="")
    unknown.set_password(new_password())  # (hashed once: their passwords are known to nobody)
    by_department: dict = {}
    for item in items:
        if item.booth.department_id != first.department_id and item.handed_over_on is None:
            by_department.setdefault(item.booth.department, []).append(item.id)
    for n, (department, ids) in enumerate(by_department.items()):
        staff = db.session.scalar(sa.select(User).filter_by(role=Role.department, department_id=department.id))
        if staff is None:  # its ledger account, as an organiser issues one
            staff = User(username=f"d{department.id}", display_name=f"{department.name}台账专员",
                         role=Role.department, department=department, password_hash=unknown.password_hash)
            db.session.add(staff)
        when = datetime.combine(after + timedelta(days=n % 2), time(2 + n % 6, 10), tzinfo=UTC)
        acknowledge_all(staff, ids, now=when)
