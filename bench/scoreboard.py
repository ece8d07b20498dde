"""The year's scoreboard at province scale (100 fairs, 100,000 requests), next to one bare GROUP BY
scan over the same table, in one run.

    PYTHONPATH=. .venv/bin/python bench/scoreboard.py [--runs 5]
    KIOSK_PG_PORT=25445 scripts/with-postgres .venv/bin/python bench/scoreboard.py --postgres

The floor is `SELECT booth_id, status, count(*) FROM service_request GROUP BY booth_id, status`:
reading every request's booth and state, which any scoreboard must do. Target (DESIGN.md): the
year's scoreboard within 3 x that scan.
"""
import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from kiosk import create_app
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, FairStatus, Zone
from kiosk.figures.periods import Period
from kiosk.ledger.models import CloseOutVerdict, Extension
from kiosk.scoreboard.figures import scoreboard
from kiosk.scoreboard.models import EfficiencyPoints
from kiosk.service_requests.models import Category, EventKind, RequestEvent, ServiceRequest, Status
from kiosk.slips.models import SatisfactionSlip, SlipChannel

YEAR = 2025
FAIRS, BOOTHS, PER_FAIR = 100, 25, 1000
STATES = [Status.resolved] * 40 + [Status.planned] * 18 + [Status.done] * 7 + [Status.closed_out] * 20 + [
    Status.waiting] * 5 + [Status.in_progress] * 5 + [Status.withdrawn] * 5
FLOOR = sa.text("SELECT booth_id, status, count(*) FROM service_request GROUP BY booth_id, status")


def build(rng: random.Random) -> None:
    """A year of fairs, each with the same 25 departments and banks, 1,000 requests in every state,
    slips on most outcomes, a trail for every request, closed on its day; on the ledger a fifth of
    the plans extended, and the company's verdict on half the close-outs."""
    departments = [Department(name=f"泰安市第{n:02d}{'部门' if n < 15 else '银行'}",
                              kind=DepartmentKind.department if n < 15 else DepartmentKind.bank) for n in range(BOOTHS)]
    db.session.add_all(departments)
    db.session.add_all(Company(name=f"泰安测试企业{n:03d}有限公司", credit_code=f"9137{n:014d}") for n in range(300))
    db.session.flush()
    company_ids = list(db.session.scalars(sa.select(Company.id)))
    days = sorted(date(YEAR, 1, 6) + timedelta(days=rng.randrange(350)) for _ in range(FAIRS))
    request_id = 0
    for number, day in enumerate(days, start=1):
        fair = Fair(name=f"{YEAR}年第{number}场要素保障大集", date=day, venue="会展中心", status=FairStatus.closed,
                    closed_at=datetime.combine(day, datetime.min.time()) + timedelta(hours=9))
        zones = [Zone(fair=fair, name="要素保障部门专区", position=1), Zone(fair=fair, name="金融服务专区", position=2)]
        booths = [Booth(fair=fair, zone=zones[d.kind is DepartmentKind.bank], department=d, code=f"B{n:02d}")
                  for n, d in enumerate(departments)]
        db.session.add(fair)
        db.session.flush()
        requests, slips, events, extensions, verdicts = [], [], [], [], []
        for n in range(PER_FAIR):
            request_id += 1
            booth = booths[n % BOOTHS]
            status = rng.choice(STATES)
            filed = datetime.combine(day, datetime.min.time()) + timedelta(hours=1, seconds=n * 20)
            due = day + timedelta(days=rng.randint(20, 120)) if status.has_plan else None
            current_due = due
            if due is not None and rng.random() < 0.2:
                current_due = due + timedelta(days=rng.randint(15, 60))
                extensions.append({"request_id": request_id, "new_due": current_due, "reason": "待上级批复",
                                   "at": datetime.combine(due, datetime.min.time(), tzinfo=UTC)})
            closed_on = due + timedelta(days=rng.randint(-30, 15)) if status is Status.closed_out else None
            # The matter's one rating, as kiosk.scoreboard.ratings keeps it: the verdict's, else the slip's
            rating, on_closeout = None, False
            if closed_on is not None and rng.random() < 0.5:
                rating, on_closeout = rng.choice([5, 5, 4, 3, 2]), True
                verdicts.append({"request_id": request_id, "accepted": True, "rating": rating,
                                 "at": datetime.combine(closed_on, datetime.min.time(), tzinfo=UTC)})
            requests.append({
                "id": request_id, "fair_id": fair.id, "booth_id": booth.id, "company_id": rng.choice(company_ids),
                "company_name": "泰安测试企业有限公司", "ticket_no": f"{booth.code}-{n // BOOTHS + 1:03d}",
                "token": f"t{request_id:09d}", "channel": "phone", "category": rng.choice(list(Category)),
                "need": "企业扩大生产需要协调用地、用工和融资等要素保障。", "contact_name": "王经理",
                "contact_mobile": "13912345678", "status": status, "plan_due": due, "current_due": current_due,
                "plan_text": "会后踏勘" if due else None, "closed_out_on": closed_on,
                "closed_out_at": datetime.combine(closed_on, datetime.min.time(), tzinfo=UTC) if closed_on else None,
                "created_at": filed, "updated_at": filed, "version": 3, "rating": rating,
                "rated_on_closeout": on_closeout})
            events.append({"request_id": request_id, "kind": EventKind.submitted, "to_status": Status.waiting,
                           "created_at": filed})
            if status is not Status.waiting:
                events.append({"request_id": request_id, "kind": EventKind.taken, "to_status": Status.in_progress,
                               "created_at": filed + timedelta(minutes=3)})
            if status.has_outcome:
                kind = EventKind.resolved if status is Status.resolved else EventKind.planned
                events.append({"request_id": request_id, "kind": kind, "to_status": status,
                               "created_at": filed + timedelta(minutes=9)})
                if rng.random() < 0.6:
                    overall = rng.choice([5, 5, 5, 4, 4, 3, 2, 1])
                    requests[-1]["rating"] = rating if on_closeout else overall
                    slips.append({"request_id": request_id, "channel": SlipChannel.phone, "confirmed": True,
                                  "professionalism": overall, "attitude": overall, "efficiency": overall,
                                  "problem_solving": overall, "integrity": overall, "overall": overall,
                                  "needs_followup": overall <= 2, "created_at": filed + timedelta(minutes=12)})
        db.session.execute(sa.insert(ServiceRequest.__table__), requests)
        db.session.execute(sa.insert(RequestEvent.__table__), events)
        db.session.execute(sa.insert(SatisfactionSlip.__table__), slips)
        if extensions:
            db.session.execute(sa.insert(Extension.__table__), extensions)
        if verdicts:
            db.session.execute(sa.insert(CloseOutVerdict.__table__), verdicts)
    for department in departments:
        for month in range(1, 13):
            db.session.add(EfficiencyPoints(department=department, month=date(YEAR, month, 1),
                                            points=rng.randint(60, 100), note="按时完成交办任务"))
    db.session.commit()


def timed(works: dict, runs: int) -> dict:
    """The median time of each piece of work, run in turns (a busy machine slows all alike)."""
    times = {name: [] for name in works}
    for _ in range(runs):
        for name, work in works.items():
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(spent) for name, spent in times.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="use KIOSK_TEST_DATABASE_URL (scripts/with-postgres)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ["KIOSK_TEST_DATABASE_URL"] if args.postgres else f"sqlite:///{Path(folder) / 'kiosk.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b"})
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            build(random.Random(16))
            built = time.perf_counter() - start
            # A year's requests were written months ago: PostgreSQL's autovacuum has long since marked
            # their pages all-visible (which lets it answer from an index alone) and gathered statistics.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE" if args.postgres else "ANALYZE")
            requests = db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest))
            year = Period(YEAR, "year")
            as_of = date(YEAR + 1, 1, 15)
            scoreboard(year, as_of=as_of)  # warm: the first run compiles the statements
            db.session.execute(FLOOR).all()
            board = scoreboard(year, as_of=as_of)
            spent = timed({"ours": lambda: scoreboard(year, as_of=as_of),
                           "floor": lambda: db.session.execute(FLOOR).all(),
                           "month": lambda: scoreboard(Period(YEAR, "month", 6), as_of=as_of)}, args.runs)
            ours, floor, month = spent["ours"], spent["floor"], spent["month"]
            db.session.remove()
            db.engine.dispose()
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}: "
          f"{len(board.fairs)} fairs, {requests:,} requests, {len(board.rows)} departments and banks "
          f"(built in {built:.0f} s)")
    print(f"  the year's scoreboard (every input, score, rank, change)   {ours * 1000:7.1f} ms  "
          f"(median of {args.runs})")
    print(f"  one bare GROUP BY booth_id, status over service_request     {floor * 1000:7.1f} ms")
    print(f"  a month's scoreboard (with the month before)                {month * 1000:7.1f} ms")
    print(f"  ratio {ours / floor:.2f} x; target within 3 x: {'met' if ours / floor <= 3 else 'MISSED'}")


if __name__ == "__main__":
    main()
