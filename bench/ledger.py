"""The demand ledger at province scale, against a bare hello-world under the same gunicorn, in one run.

    apt-get install wrk
    .venv/bin/python bench/ledger.py [--fairs 100] [--per-fair 1000] [--seconds 10] [--connections 8]
    KIOSK_PG_PORT=25443 scripts/with-postgres .venv/bin/python bench/ledger.py --postgres

It builds 100 closed fairs of 1,000 requests each (25 booths: the same 25 departments at every fair),
about 40,000 of them planned items on the ledger (open, done, closed out; a fifth of the open ones
extended once or twice), then prints:
- the ledger page an organiser opens most, 50 rows filtered by department and overdue and sorted by
  due date, as req/s and as a share of hello-world (DESIGN.md: >= 0.2 x), and its poll when nothing
  changed (a 304); beside each, the server's CPU time an answer takes and hello-world's share of it
  (the machine is shared: its speed drifts between runs, which moves the rates more than the CPU);
- the overdue count the dashboard shows: its time, and the query plan, which must use the
  (status, current_due) index.

Requests are written straight into the tables (no trail events): the ledger list does not read the
trail, and the build stays under a minute.
"""
import argparse
import gzip
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
PORT = 5301
WORKERS = ["-c", str(ROOT / "gunicorn.conf.py"), *os.environ.get("BENCH_GUNICORN", "").split()]
PASSWORD = "bench-organiser-1"

from bench.queue_poll import start_server, wrk  # noqa: E402  (the same server and load generator)


def build(url: str, fairs: int, per_fair: int) -> dict:
    """The province's ledger in a fresh database; returns what the runs need (a department's id)."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    subprocess.run([VENV_BIN / "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    os.environ.update(DATABASE_URL=url, SECRET_KEY="bench")
    import sqlalchemy as sa

    from kiosk import create_app
    from kiosk.auth.models import Role, User
    from kiosk.companies.models import Company
    from kiosk.core.extensions import db
    from kiosk.core.timeutil import fair_today
    from kiosk.demo import BANKS, CITY, DEPARTMENTS, NEEDS, demo_credit_code
    from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, FairStatus, Zone
    from kiosk.ledger.models import Extension
    from kiosk.service_requests.models import Category, ServiceRequest, Status

    rng = random.Random(15)
    app = create_app()
    with app.app_context():
        today = fair_today()  # the ledger's day, as the page counts overdue (not the server's UTC day)
        organiser = User(username="bench-admin", display_name="市工业推进办", role=Role.organiser)
        organiser.set_password(PASSWORD)
        db.session.add(organiser)
        departments = [Department(name=CITY + n, kind=DepartmentKind.department) for n in DEPARTMENTS] + [
            Department(name=n, kind=DepartmentKind.bank) for n in BANKS]
        db.session.add_all(departments)
        db.session.flush()
        companies = [{"id": n + 1, "credit_code": demo_credit_code(rng), "name": f"泰安测试企业{n + 1}有限公司"}
                     for n in range(5000)]
        companies = list({c["credit_code"]: c for c in companies}.values())
        db.session.execute(sa.insert(Company.__table__), companies)
        categories = list(Category)
        request_rows, extension_rows, next_id = [], [], 1
        for f in range(fairs):
            day = today - timedelta(days=7 * (f + 1))
            fair = Fair(name=f"第{f + 1}场要素保障大集", date=day, venue="会展中心", status=FairStatus.closed)
            zones = [Zone(fair=fair, name="要素保障部门专区", position=1),
                     Zone(fair=fair, name="金融服务专区", position=2)]
            booths = [Booth(fair=fair, zone=zones[0] if d.kind is DepartmentKind.department else zones[1], department=d,
                            code=f"{'B' if d.kind is DepartmentKind.department else 'F'}{n + 1:02d}")
                      for n, d in enumerate(departments)]
            db.session.add(fair)
            db.session.flush()
            seq = dict.fromkeys((b.id for b in booths), 0)
            for _ in range(per_fair):
                booth = rng.choice(booths)
                seq[booth.id] += 1
                category = Category.funding if booth.code.startswith("F") else rng.choice(categories)
                row = {"id": next_id, "fair_id": fair.id, "booth_id": booth.id,
                       "company_id": rng.choice(companies)["id"], "company_name": "泰安测试企业有限公司",
                       "ticket_no": f"{booth.code}-{seq[booth.id]:03d}", "token": secrets.token_urlsafe(18),
                       "category": category, "need": NEEDS[category], "contact_name": "王经理",
                       "contact_mobile": "13912345678", "status": Status.resolved, "resolution": None,
                       "plan_text": None, "plan_unit": None, "plan_person": None, "plan_due": None,
                       "current_due": None, "closeout_result": None, "closed_out_at": None, "closed_out_on": None,
                       "done_at": None, "created_at": datetime.combine(day, datetime.min.time())}
                roll = rng.random()
                if roll < 0.40:
                    _planned(row, rng, day, today, extension_rows, organiser.id)
                elif roll < 0.43:
                    row["status"] = Status.withdrawn
                else:
                    row["resolution"] = "已现场答复并办理完毕。"
                request_rows.append(row)
                next_id += 1
            for b in booths:
                b.last_seq = seq[b.id]
            if len(request_rows) >= 20_000:
                db.session.execute(sa.insert(ServiceRequest.__table__), request_rows)
                request_rows = []
        for table, rows in ((ServiceRequest.__table__, request_rows), (Extension.__table__, extension_rows)):
            if rows:  # (an empty list would insert one row of defaults)
                db.session.execute(sa.insert(table), rows)
        if db.engine.dialect.name == "postgresql":  # the ids were given: the sequence moves past them
            db.session.execute(
                sa.text("SELECT setval('service_request_id_seq', (SELECT max(id) FROM service_request))"))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        counts = dict(db.session.execute(sa.select(ServiceRequest.status, sa.func.count())
                                         .group_by(ServiceRequest.status)).all())
        # The department with the most overdue items: the organisers' first question.
        from kiosk.service_requests.models import overdue_on_sql
        department_id, overdue = db.session.execute(
            sa.select(Booth.department_id, sa.func.count()).select_from(ServiceRequest)
            .join(Booth, ServiceRequest.booth_id == Booth.id).where(overdue_on_sql(today))
            .group_by(Booth.department_id).order_by(sa.func.count().desc()).limit(1)).one()
        return {"counts": {s.value: n for s, n in counts.items()}, "department_id": department_id,
                "department_overdue": overdue, "extensions": len(extension_rows)}


def _planned(row, rng, day, today, extension_rows, organiser_id):
    due = day + timedelta(days=rng.choice([7, 14, 30, 60, 90, 120]))
    row.update(plan_text="会后五个工作日内组织现场踏勘，出具书面办理意见。", plan_unit="规划科", plan_person="赵科长",
               plan_due=due, current_due=due, status=rng.choices(
                   ["planned", "done", "closed_out"], weights=[55, 10, 35])[0])
    from kiosk.service_requests.models import Status
    row["status"] = Status(row["status"])
    if row["status"] is not Status.closed_out and rng.random() < 0.2:
        for n in range(rng.choice([1, 2])):
            due = due + timedelta(days=30)
            extension_rows.append({"request_id": row["id"], "new_due": due, "reason": "等待上级批复",
                                   "by_user_id": organiser_id,
                                   "at": datetime.combine(day + timedelta(days=20 * (n + 1)), datetime.min.time(),
                                                          UTC)})
        row["current_due"] = due
    if row["status"] in (Status.done, Status.closed_out):
        row["closeout_result"] = "已按方案办结。"
        finished = min(today, row["plan_due"] + timedelta(days=rng.randint(-20, 25)))
        row["done_at"] = datetime.combine(finished, datetime.min.time(), UTC)
        if row["status"] is Status.closed_out:
            row["closed_out_at"], row["closed_out_on"] = (row["done_at"] + timedelta(days=2),
                                                          finished + timedelta(days=2))


def overdue_query_figures(url: str, department_id: int) -> dict:
    """The dashboard's overdue count, timed in-process, and its query plan."""
    os.environ.update(DATABASE_URL=url, SECRET_KEY="bench")
    import sqlalchemy as sa

    from kiosk import create_app
    from kiosk.core.extensions import db
    from kiosk.core.timeutil import fair_today
    from kiosk.ledger.figures import overdue_count
    from kiosk.service_requests.models import ServiceRequest, overdue_on_sql

    app = create_app()
    with app.app_context():
        today = fair_today()
        overdue_count(today)  # warm
        times = []
        for _ in range(50):
            started = time.perf_counter()
            total = overdue_count(today)
            times.append(time.perf_counter() - started)
        query = sa.select(sa.func.count()).select_from(ServiceRequest).where(overdue_on_sql(today))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
        plan = [" ".join(str(c) for c in row) for row in db.session.execute(sa.text(explain + str(compiled)))]
        # The list rendered from nothing kept (the first viewer after a change): read and rendered.
        from flask_login import login_user

        from kiosk.auth.models import User
        from kiosk.ledger.list_page import Shown, Versions, live
        from kiosk.ledger.listing import LedgerFilter
        with app.test_request_context(f"/ledger?department={department_id}&overdue=1"):
            login_user(db.session.scalar(sa.select(User).filter_by(username="bench-admin")))
            cold = []
            for n in range(20):
                kept = app.extensions.get("kept", {})
                kept.pop("ledger_list", None)
                kept.pop("ledger_row", None)
                started = time.perf_counter()
                live(Shown(LedgerFilter(department=department_id, overdue=True), True, today, Versions(n, (), 0)))
                cold.append(time.perf_counter() - started)
        return {"overdue": total, "ms": statistics.median(times) * 1000, "plan": plan,
                "cold_ms": statistics.median(cold) * 1000,
                "indexed": any(name in line for line in plan for name in (
                    "ix_service_request_status_current_due", "ix_service_request_awaiting_due")),
                "by_department": overdue_count(today, department_id)}


def sign_in() -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{PORT}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "bench-admin", "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(f"http://127.0.0.1:{PORT}/login", data)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def cpu_seconds(server) -> float:
    """The CPU time the server's workers have used so far (user + system), from /proc."""
    workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    total = 0
    for pid in workers:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measured(server, url: str, seconds: int, connections: int, headers: dict) -> tuple[float, dict, float]:
    """wrk's rate and statuses, and the server's CPU milliseconds per answer over the same run: a
    second figure, less moved than the rate by what else the shared machine does meanwhile."""
    before = cpu_seconds(server)
    rate, statuses = wrk(url, seconds, connections, headers)
    return rate, statuses, (cpu_seconds(server) - before) * 1000 / max(1, sum(statuses.values()))


def fetch(url: str, headers: dict) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request) as response:
        return response.status, dict(response.headers), response.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fairs", type=int, default=100)
    parser.add_argument("--per-fair", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--postgres", action="store_true", help="use KIOSK_TEST_DATABASE_URL (scripts/with-postgres)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ["KIOSK_TEST_DATABASE_URL"] if args.postgres else f"sqlite:///{Path(folder) / 'kiosk.db'}"
        started = time.perf_counter()
        built = build(url, args.fairs, args.per_fair)
        built_in = time.perf_counter() - started
        query = overdue_query_figures(url, built["department_id"])
        server = start_server(url, PORT)
        try:
            cookie = sign_in()
            page_url = f"http://127.0.0.1:{PORT}/ledger?department={built['department_id']}&overdue=1"
            browser = {"Cookie": cookie, "Accept-Encoding": "gzip"}
            status, headers, body = fetch(page_url, browser)
            if headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            rows = body.count(b'class="row-overdue"')
            assert status == 200 and rows == min(50, built["department_overdue"]), (status, rows)
            poll = {**browser, "HX-Request": "true"}
            _, poll_headers, _ = fetch(page_url, poll)
            runs = {
                "hello-world": (f"http://127.0.0.1:{PORT}/bench/hello", {}),
                "ledger page (50 rows)": (page_url, browser),
                "ledger list alone (as polled)": (page_url, poll),
                "ledger poll, unchanged (304)": (page_url, {**poll, "If-None-Match": poll_headers["ETag"]}),
                # the floor of any signed-in page here: the frame, the session, no data
                "signed-in page, no data": (f"http://127.0.0.1:{PORT}/organiser/password", browser),
            }
            # Rounds, each run in turn, and each figure the median of its rounds' ratios to the
            # hello-world of the same round: the machine is shared, and its load drifts over minutes.
            rounds = []
            for _ in range(args.rounds):
                rounds.append({name: measured(server, url_, args.seconds, args.connections, hdrs)
                               for name, (url_, hdrs) in runs.items()})
        finally:
            server.terminate()
            server.wait()
    counts = built["counts"]
    planned = sum(counts.get(s, 0) for s in ("planned", "done", "closed_out"))
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; {args.fairs} fairs x {args.per_fair} requests "
          f"built in {built_in:.0f} s: {sum(counts.values())} requests, {planned} planned items "
          f"(open {counts.get('planned', 0)}, done {counts.get('done', 0)}, closed out {counts.get('closed_out', 0)}), "
          f"{built['extensions']} extensions")
    print(f"gunicorn {' '.join(WORKERS)}; wrk {args.connections} connections, {args.seconds}s each, "
          f"{args.rounds} rounds (medians); "
          f"{os.cpu_count()} cores")
    print(f"  page: /ledger?department={built['department_id']}&overdue=1 "
          f"({built['department_overdue']} overdue in that department; rows on the page: {rows}, "
          f"{len(body) // 1024} KB before gzip)")
    shares = {}
    for name in runs:
        rates = [r[name][0] for r in rounds]
        shares[name] = statistics.median(r[name][0] / r["hello-world"][0] for r in rounds)
        statuses = {}
        for r in rounds:
            for status, n in r[name][1].items():
                statuses[status] = statuses.get(status, 0) + n
        each = ", ".join(f"{r[name][0] / r['hello-world'][0]:.2f}" for r in rounds)
        cpu = statistics.median(r[name][2] for r in rounds)
        cpu_share = statistics.median(r["hello-world"][2] / r[name][2] for r in rounds)
        print(f"  {name:<32} {statistics.median(rates):>8.0f} req/s  {shares[name]:>5.2f} x hello   "
              f"(rounds: {each})   statuses {statuses}; server CPU {cpu:.2f} ms an answer, {cpu_share:.2f} x hello's")
    share = shares["ledger page (50 rows)"]
    print(f"  the list rendered from nothing kept (first viewer after a change): median {query['cold_ms']:.1f} ms "
          f"in-process (queries and rendering)")
    print(f"  overdue count (dashboard): {query['overdue']} items, median {query['ms']:.2f} ms over 50 runs; "
          f"one query, {'on an index' if query['indexed'] else 'NOT ON AN INDEX'}")
    for line in query["plan"]:
        print(f"    plan: {line}")
    print(f"target: ledger page >= 0.20 x hello ({'met' if share >= 0.2 else 'MISSED'}: {share:.3f}); "
          f"overdue count indexed ({'met' if query['indexed'] else 'MISSED'})")


if __name__ == "__main__":
    main()
