"""A realistic demo fair, named as a demo: 15 departments, 10 banks, a staff account per booth,
requests in every state; and last month's fair, closed, whose plans are on the ledger in every
state of their own, with slips, efficiency points and that month's ranking published.

Only `flask demo load` makes it. Its accounts get random passwords on each install (the command
keeps them in instance/), and its tracking tokens are as random as any company's: the seeded
generator only picks the demo's content, so that it reads the same on every install.

Each fair is built by a list of steps, run in order, each a function given what the steps before
it built (`TodaysFair`, `LastMonth`): to show more in the demo, write a step in a module of its
own and add it to the list. A step flushes; the build commits once, at the end. A step that draws
from the fair's seeded generator changes what every later step draws, so add such steps last.
"""
from collections.abc import Callable

import sqlalchemy as sa

from kiosk.auth.models import User
from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.demo import calling, last_month, ledger, supervision, todays_fair
from kiosk.demo.content import BANKS, CITY, COMPANIES, DEPARTMENTS, NEEDS, demo_credit_code
from kiosk.demo.last_month import LastMonth
from kiosk.demo.todays_fair import TodaysFair
from kiosk.fairs.models import Fair
from kiosk.ledger import evidence_samples
from kiosk.notifications import demo as notifications

__all__ = ["BANKS", "CITY", "COMPANIES", "DEPARTMENTS", "NEEDS", "build_demo_fair", "build_demo_history",
           "demo_credit_code", "in_use"]

#: what today's demo fair holds, after its booths and accounts (todays_fair.open_with_accounts)
TODAYS_FAIR: list[Callable[[TodaysFair], None]] = [
    todays_fair.requests_in_every_state,
    todays_fair.slips,
    calling.calls,
]

#: what last month's demo fair holds, after its booths (last_month.open_last_months_fair)
LAST_MONTH: list[Callable[[LastMonth], None]] = [
    last_month.plans_and_requests,
    last_month.slips,
    last_month.close_with_open_requests,
    supervision.handover,
    ledger.plans_after_the_fair,
    evidence_samples.on_the_demo,  # the item awaiting close-out carries a photo and a PDF
    last_month.points_and_ranking,
    ledger.extension_requests,
    supervision.parked_items,
    supervision.supervision_notice,
    notifications.past_notices,  # last: its channels aimed at make run's fake, then the month's notices
]


def in_use() -> bool:
    """Whether the database holds a fair or an account: then it is someone's install, and the demo
    (with its accounts and its made-up companies) stays out of it."""
    return (db.session.scalar(sa.select(sa.func.count(Fair.id))) > 0
            or db.session.scalar(sa.select(sa.func.count(User.id))) > 0)


def build_demo_fair(password: str | None = None, logins: list | None = None) -> Fair:
    """The demo fair, committed. Every account gets password, or a random one of its own; logins,
    if given, receives each (username, password), the organiser first."""
    demo = todays_fair.open_with_accounts(password, [] if logins is None else logins)
    for step in TODAYS_FAIR:
        step(demo)
    db.session.commit()
    return demo.fair


def build_demo_history(fair: Fair) -> Fair:
    """Last month's fair (the 15th), closed, beside the demo fair, committed: the ledger then shows
    its plans closed out on time and late, extended, done and awaiting confirmation, open and
    overdue, due within 14 days, and one the company disputed; the scoreboard shows last month,
    with efficiency points for six departments and the ranking published."""
    month = last_month.open_last_months_fair(fair, fair_today())
    for step in LAST_MONTH:
        step(month)
    db.session.commit()
    return month.past
