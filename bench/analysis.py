"""The common-bottleneck analysis (共性堵点) at province scale (100 fairs, 100,000 requests), next to one
bare GROUP BY scan over the same table, in one run.

    PYTHONPATH=. .venv/bin/python bench/analysis.py [--runs 5]
    KIOSK_PG_PORT=25484 scripts/with-postgres .venv/bin/python bench/analysis.py --postgres

The floor is bench/scoreboard.py's: `SELECT booth_id, status, count(*) FROM service_request GROUP BY
booth_id, status`, reading every request's booth and state, which any count over the fairs must do.
Target (issue 24): the analysis page, rendered, within 3 x that scan. Timed cold (the first view
after a change: the figures computed, what the PDF and the XLSX are made from too) and as each app
server keeps it while nothing it counts has changed (kiosk.supervision.analysis_views.figures).

The data: 20,000 companies, a quarter of them at several fairs; every request's state as in
bench/scoreboard.py; on the ledger a fifth of the plans extended, a tenth of the close-outs disputed,
one open item in thirty parked (its cause and review day), due dates spread so that some are overdue.
"""
import argparse
import os
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_login import login_user
from flask_migrate import upgrade

from bench.scoreboard import timed  # the same turns and medians as the scoreboard's bench
from kiosk import create_app
from kiosk.auth.models import Role, User
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, FairStatus, Zone
from kiosk.ledger.models import CloseOutVerdict, Extension, ExtensionStatus
from kiosk.service_requests.after_fair import ParkCause
from kiosk.service_requests.analysis_copies import refill
from kiosk.service_requests.models import Category, ServiceRequest, Status
from kiosk.supervision.analysis import Scope, analysis

TODAY = date(2026, 1, 15)
FAIRS, BOOTHS, PER_FAIR, COMPANIES = 100, 25, 1000, 20_000
STATES = [Status.resolved] * 40 + [Status.planned] * 18 + [Status.done] * 7 + [Status.closed_out] * 20 + [
    Status.waiting] * 5 + [Status.in_progress] * 5 + [Status.withdrawn] * 5
FLOOR = sa.text("SELECT booth_id, status, count(*) FROM service_request GROUP BY booth_id, status")


def build(rng: random.Random) -> None:
    departments = [Department(name=f"泰安市第{n:02d}{'部门' if n < 15 else '银行'}",
                              kind=DepartmentKind.department if n < 15 else DepartmentKind.bank) for n in range(BOOTHS)]
    db.session.add_all(departments)
    db.session.add(User(username="bench-organiser", display_name="市工业推进办", role=Role.organiser,
                        password_hash="x"))
    db.session.execute(sa.insert(Company.__table__), [
        {"id": n + 1, "name": f"泰安测试企业{n:05d}有限公司", "credit_code": f"9137{n:014d}"}
        for n in range(COMPANIES)])
    db.session.flush()
    # A quarter of the companies come back fair after fair; the rest once or twice.
    regulars = list(range(1, COMPANIES // 4 + 1))
    days = sorted(date(2025, 1, 6) + timedelta(days=rng.randrange(350)) for _ in range(FAIRS))
    request_id = 0
    for number, day in enumerate(days, start=1):
        fair = Fair(name=f"2025年第{number}场要素保障大集", date=day, venue="会展中心", status=FairStatus.closed,
                    closed_at=datetime.combine(day, datetime.min.time()) + timedelta(hours=9))
        zones = [Zone(fair=fair, name="要素保障部门专区", position=1), Zone(fair=fair, name="金融服务专区", position=2)]
        booths = [Booth(fair=fair, zone=zones[d.kind is DepartmentKind.bank], department=d, code=f"B{n:02d}")
                  for n, d in enumerate(departments)]
        db.session.add(fair)
        db.session.flush()
        requests, extensions, verdicts = [], [], []
        for n in range(PER_FAIR):
            request_id += 1
            status = rng.choice(STATES)
            due = day + timedelta(days=rng.randint(20, 150)) if status.has_plan else None
            current_due, park, disputed = due, {"park_cause": None, "parked_until": None}, False
            if due is not None and rng.random() < 0.2:
                current_due = due + timedelta(days=rng.randint(15, 60))
                extensions.append({"request_id": request_id, "new_due": current_due, "reason": "待上级批复",
                                   "status": ExtensionStatus.approved,
                                   "at": datetime.combine(due, datetime.min.time(), tzinfo=UTC)})
            closed_on = due + timedelta(days=rng.randint(-30, 15)) if status is Status.closed_out else None
            if closed_on is not None and rng.random() < 0.1:  # disputed: back with the department
                verdicts.append({"request_id": request_id, "accepted": False, "rating": 2, "words": "未解决",
                                 "at": datetime.combine(closed_on, datetime.min.time(), tzinfo=UTC)})
                status, closed_on, disputed = Status.planned, None, True
            if status is Status.planned and rng.random() < 1 / 30:
                park = {"park_cause": rng.choice(list(ParkCause)),
                        "parked_until": TODAY + timedelta(days=rng.randint(-60, 90))}
            requests.append({
                "id": request_id, "fair_id": fair.id, "booth_id": booths[n % BOOTHS].id,
                "company_id": rng.choice(regulars) if rng.random() < 0.5 else rng.randint(1, COMPANIES),
                "company_name": "泰安测试企业有限公司", "ticket_no": f"B{n % BOOTHS:02d}-{n // BOOTHS + 1:03d}",
                "token": f"t{request_id:09d}", "channel": "phone", "category": rng.choice(list(Category)),
                "need": "企业扩大生产需要协调用地、用工和融资等要素保障。", "contact_name": "王经理",
                "contact_mobile": "13912345678", "status": status, "plan_due": due, "current_due": current_due,
                "plan_text": "会后踏勘" if due else None, "closed_out_on": closed_on,
                "closed_out_at": datetime.combine(closed_on, datetime.min.time(), tzinfo=UTC) if closed_on else None,
                "created_at": datetime.combine(day, datetime.min.time()), "version": 3, "disputed": disputed, **park})
        db.session.execute(sa.insert(ServiceRequest.__table__), requests)
        if extensions:
            db.session.execute(sa.insert(Extension.__table__), extensions)
        if verdicts:
            db.session.execute(sa.insert(CloseOutVerdict.__table__), verdicts)
    refill(db.session.connection())  # (the company × category copy, which filing keeps: written past it here)
    db.session.commit()


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
            build(random.Random(24))
            built = time.perf_counter() - start
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE" if args.postgres else "ANALYZE")
            requests = db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest))
            found = analysis(Scope(), TODAY)  # warm: the first run compiles the statements
            db.session.execute(FLOOR).all()
            page = app.view_functions["supervision.analysis_page"]

            def render(cold=True):
                if cold:
                    app.extensions.get("kept", {}).pop("bottleneck_analysis", None)
                with app.test_request_context("/supervision/analysis"):
                    login_user(db.session.scalar(sa.select(User).filter_by(username="bench-organiser")))
                    html, _status = page()
                    return html

            # (the page asks fair_today(): the figures alone are timed on the data's own day)
            render()
            spent = timed({"page": render, "kept": lambda: render(cold=False),
                           "figures": lambda: analysis(Scope(), TODAY),
                           "floor": lambda: db.session.execute(FLOOR).all()}, args.runs)
            size = len(render())
            db.session.remove()
            db.engine.dispose()
    ours, warm, figures, floor = spent["page"], spent["kept"], spent["figures"], spent["floor"]
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}: {FAIRS} fairs, {requests:,} requests, "
          f"{found.items:,} ledger items, {found.totals.flagged:,} stuck from {found.totals.companies:,} companies "
          f"(built in {built:.0f} s)")
    print(f"  the analysis page, rendered ({size // 1024} KB)                 {ours * 1000:7.1f} ms  "
          f"(median of {args.runs})")
    print(f"  its figures alone (what the PDF and XLSX are made from)    {figures * 1000:7.1f} ms")
    print(f"  the same page, kept (nothing it counts changed since)       {warm * 1000:7.1f} ms")
    print(f"  one bare GROUP BY booth_id, status over service_request     {floor * 1000:7.1f} ms")
    print(f"  ratio cold {ours / floor:.2f} x (figures {figures / floor:.2f} x), kept {warm / floor:.2f} x; "
          f"target within 3 x: cold {'met' if ours / floor <= 3 else 'MISSED'}, "
          f"kept {'met' if warm / floor <= 3 else 'MISSED'}")


if __name__ == "__main__":
    main()
