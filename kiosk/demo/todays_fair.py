"""The demo fair, held today: its booths with a staff account each, the organiser and one
department's ledger account, and its requests in every state, two of them handled jointly or
transferred."""
import random
from dataclasses import dataclass, field

from kiosk.auth.accounts import new_password
from kiosk.auth.models import Role, User
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.demo.content import BANKS, CITY, COMPANIES, DEPARTMENTS, VENUE, ZONES, demo_credit_code
from kiosk.demo.filing import file_request, fill_in_slips
from kiosk.fairs.models import Booth, DepartmentKind, Fair, FairStatus
from kiosk.organiser.fair_setup import add_booth, add_zone
from kiosk.service_requests.models import Category, EventKind, RequestEvent, Status


@dataclass
class TodaysFair:
    """What each step of today's demo fair builds on (kiosk.demo.TODAYS_FAIR)."""
    fair: Fair
    booths: list[Booth]
    organiser: User
    rng: random.Random
    companies: list[Company] = field(default_factory=list)


def open_with_accounts(password: str | None, logins: list) -> TodaysFair:
    """The fair, its zones and booths, and its accounts: every account gets password, or a random
    one of its own, and logins receives each (username, password), the organiser first."""
    def account(user: User) -> User:
        secret = password or new_password()
        user.set_password(secret)
        logins.append((user.username, secret))
        db.session.add(user)
        return user

    fair = Fair(name=f"2026年{CITY}要素保障大集（演示）", date=fair_today(), venue=VENUE, status=FairStatus.open)
    db.session.add(fair)
    zones = [add_zone(fair, name) for name in ZONES]
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
    return TodaysFair(fair, booths, organiser, random.Random(613))


def requests_in_every_state(demo: TodaysFair) -> None:
    """The companies, and their requests in every state at the booths; one handled jointly with
    the first department, one transferred to the approvals bureau: the trail shows both."""
    rng, booths = demo.rng, demo.booths
    demo.companies = [Company(name=name, credit_code=demo_credit_code(rng)) for name in COMPANIES]
    db.session.add_all(demo.companies)
    plan = [Status.waiting] * 6 + [Status.in_progress] * 4 + [Status.resolved] * 10 + [Status.planned] * 8 + [
        Status.done] + [Status.closed_out] * 2 + [Status.withdrawn]
    for n, status in enumerate(plan):
        booth = booths[n % len(booths)] if n % 3 else booths[(n * 7) % len(booths)]
        category = Category.funding if booth.code.startswith("F") else rng.choice(
            [c for c in Category if c is not Category.funding])
        item = file_request(demo.fair, booth, demo.companies[n % len(demo.companies)], category, status,
                            demo.organiser, rng)
        if n == 6:
            item.joint_booths.append(booths[0])
            item.events.append(RequestEvent(kind=EventKind.joined, to_booth=booths[0], actor=demo.organiser,
                                            detail="涉及用地，联合自然资源和规划局会商"))
        elif n == 7:
            item.events.append(RequestEvent(kind=EventKind.transferred, from_booth=item.booth, to_booth=booths[2],
                                            actor=demo.organiser, detail="属审批事项，转行政审批服务局办理"))
            item.booth = booths[2]
    db.session.flush()


def slips(demo: TodaysFair) -> None:
    fill_in_slips(demo.fair, demo.rng)
