"""Last month's demo fair (the 15th), beside today's: its booths, its plans and resolved requests,
its slips, its close with four requests still open, and that month's efficiency points and
ranking. What happened to its plans after the fair is in kiosk.demo.ledger and
kiosk.demo.supervision."""
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from kiosk.auth.models import Role, User
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.demo.content import CITY, VENUE, ZONES
from kiosk.demo.filing import file_request, fill_in_slips
from kiosk.fairs.models import Booth, Fair, FairStatus
from kiosk.figures.periods import Period
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.organiser.fair_setup import add_booth, add_zone
from kiosk.scoreboard.service import enter_points, publish_ranking
from kiosk.service_requests.after_fair import EndReason
from kiosk.service_requests.models import Category, EventKind, RequestEvent, ServiceRequest, Status

#: what becomes of each of last month's plans after the fair (kiosk.demo.ledger), in filing order
STORIES = ["on_time"] * 6 + ["late"] + ["done"] * 2 + ["overdue"] * 2 + ["extended"] + ["soon"] * 2 + [
    "later"] * 2 + ["disputed"]


@dataclass
class LastMonth:
    """What each step of last month's demo fair builds on (kiosk.demo.LAST_MONTH)."""
    past: Fair
    day: date  # the fair's date
    today: date  # the ledger's day: the steps after the fair are dated from it
    booths: list[Booth]
    companies: list[Company]
    organiser: User
    rng: random.Random
    noon: datetime  # 12:00 in Tai'an on the fair's day (naive UTC): requests are filed in the morning before
    plans: list[tuple[str, ServiceRequest]] = field(default_factory=list)  # (story, item)

    def ledger_account(self) -> User:
        """The first department's ledger account: the one the demo's logins open."""
        return db.session.scalar(sa.select(User).filter_by(role=Role.department).order_by(User.id))

    def open_plans(self) -> list[ServiceRequest]:
        """The fair's plans still open now, in filing order."""
        return db.session.scalars(sa.select(ServiceRequest).filter_by(fair_id=self.past.id, status=Status.planned)
                                  .order_by(ServiceRequest.id)).all()


def open_last_months_fair(fair: Fair, today: date) -> LastMonth:
    """Last month's fair, open (closed later, as an organiser closes one), with today's fair's
    booths and the demo's companies."""
    day = (today.replace(day=1) - timedelta(days=1)).replace(day=15)
    organiser = db.session.scalar(sa.select(User).filter_by(role=Role.organiser).order_by(User.id))
    past = Fair(name=f"{day.year}年{day.month}月{CITY}要素保障大集（演示）", date=day, venue=VENUE,
                status=FairStatus.open)
    db.session.add(past)
    zones = [add_zone(past, name) for name in ZONES]
    booths = [add_booth(past, zones[0 if b.code.startswith("B") else 1], b.code, b.department.name, b.department.kind)
              for b in sorted(fair.booths, key=lambda b: b.code)]
    db.session.flush()
    companies = db.session.scalars(sa.select(Company).order_by(Company.id)).all()
    return LastMonth(past, day, today, booths, companies, organiser, random.Random(1015),
                     noon=datetime.combine(day, time(4, 0)))


def plans_and_requests(month: LastMonth) -> None:
    """A plan for each story, and 14 requests resolved (one withdrawn) at the banks and departments."""
    rng, booths = month.rng, month.booths
    for n, story in enumerate(STORIES):
        # The first department's ledger account has one closed out, one done, one overdue, one open.
        booth = booths[0] if n in (0, 7, 10, 15) else booths[1 + n % 14]
        category = rng.choice([c for c in Category if c is not Category.funding])
        month.plans.append((story, file_request(month.past, booth, month.companies[n % len(month.companies)],
                                                category, Status.planned, month.organiser, rng, noon=month.noon)))
    for n in range(14):
        booth = booths[15 + n % 10] if n % 2 else booths[(n * 3 + 1) % 15]
        category = Category.funding if booth.code.startswith("F") else Category.policy
        file_request(month.past, booth, month.companies[n % len(month.companies)], category,
                     Status.withdrawn if n == 13 else Status.resolved, month.organiser, rng, noon=month.noon)
    db.session.flush()


def slips(month: LastMonth) -> None:
    fill_in_slips(month.past, month.rng)


def close_with_open_requests(month: LastMonth) -> None:
    """Last month's fair closed at 17:00 in Tai'an by the close itself (organiser.fair_lifecycle), its
    tally frozen then. Four requests were still open: the organiser handed three to their booths'
    departments (会后办理) with the default reply deadline, B01's one transferred to B05 before, so
    B05's department has it; and ended the fourth, whose company never came back. The three are past
    their deadline now and nobody has acknowledged them (签收): the ledger and supervision show it."""
    by_code = {booth.code: booth for booth in month.booths}
    left = [(by_code["B02"], Category.approvals, Status.waiting), (by_code["B03"], Category.land, Status.in_progress),
            (by_code["B01"], Category.environment, Status.waiting),
            (by_code["B04"], Category.utilities, Status.waiting)]
    companies = month.companies
    items = [file_request(month.past, booth, companies[(n * 5 + 3) % len(companies)], category, status,
                          month.organiser, month.rng, noon=month.noon)
             for n, (booth, category, status) in enumerate(left)]
    moved = items[2]
    moved.events.append(RequestEvent(kind=EventKind.transferred, from_booth=moved.booth, to_booth=by_code["B05"],
                                     actor=month.organiser, detail="属环评事项，转生态环境局办理",
                                     created_at=moved.created_at + timedelta(minutes=8)))
    moved.booth = by_code["B05"]
    db.session.flush()
    close_fair(month.past, month.organiser, {items[0].id: None, items[1].id: None, moved.id: None,
                                             items[3].id: EndReason.no_return},
               now=datetime.combine(month.day, time(9, 0)))  # (stored in UTC, naive, as utcnow() gives it)


def points_and_ranking(month: LastMonth) -> None:
    """Efficiency points for six departments, and that month's ranking published."""
    for n, booth in enumerate(month.booths[:6]):
        enter_points(booth.department, month.day, Decimal(95 - 5 * n), "按时报送周进度，参加专题会商", month.organiser)
    publish_ranking(Period.of("month", month.day), month.organiser, today=month.today)
