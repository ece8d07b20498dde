"""How near DESIGN.md's burst (500 submissions at once, p99 within 1.5 x the floor's) a phone's
submission can come on this machine: the same burst of 500 POSTs (bench/burst.mjs: all at once, a
connection each) against five apps under the same gunicorn.conf.py, in one run (bench/floor_app.py):

    bare     a bare Flask route that reads the form
    floor    a bare Flask route that files the same rows with plain SQL on the same database: the
             floor DESIGN.md measures a submission against (its p99 within 1.5 x the floor's)
    hooks    the same route inside the kiosk: every hook it runs for every request
    filing   the kiosk filing the request as a phone's submission does and answering a fixed
             page of the ticket page's size
    submit   the kiosk's real submission: WTForms' checks, the CSRF token, the phone's cookies
             and the ticket's page (POST /f/<fair>, as bench/load_sim.py sends it)

(hooks, filing and submit are each a step closer to the real thing from bare.) For each: p50 and
p99 of the burst, and the app server's CPU per request (its processes' user and
system time over the burst), the median of --rounds bursts. The load generator and the database
share the machine's cores with the server, as in bench/bursts.py. Last, submit's p99 over floor's:
DESIGN.md's ratio (bench/burst_ratio.py measures it on SQLite, PostgreSQL and through nginx at once).

    .venv/bin/python bench/burst_floor.py [--rounds 3] [--phones 500]
    scripts/with-postgres .venv/bin/python bench/burst_floor.py --postgres
"""
import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import load_sim  # noqa: E402

VENV_BIN = Path(sys.executable).parent
APPS = {"bare": "floor_app:bare", "floor": "floor_app:floor", "hooks": "floor_app:kiosk", "filing": "floor_app:kiosk",
        "submit": "wsgi:app"}


def prepare(url: str) -> list[tuple[int, int]]:
    """The demo fair in a migrated database; its booths as (booth id, fair id)."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo", "load", "--password", "demo1234"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        booths = connection.execute(sa.text(
            "SELECT booth.id, booth.fair_id FROM booth JOIN fair ON fair.id = booth.fair_id "
            "WHERE fair.status = 'open' AND NOT booth.hidden ORDER BY booth.id")).all()
    engine.dispose()
    return [tuple(booth) for booth in booths]


def serve(target: str, url: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "--chdir", str(ROOT), "--pythonpath", str(ROOT / "bench"), target],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(base + "/healthz")
            time.sleep(1)  # every worker up (each compiles the templates first)
            return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"gunicorn did not start {target}")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def workers_of(server: subprocess.Popen) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


def typed(n: int, booth_id: int) -> dict:
    return {"booth": booth_id, "company_name": f"压测企业{n}有限公司", "credit_code": "91350100M000100Y43",
            "contact_name": "王经理", "mobile": "13912345678", "category": "land",
            "need": f"新建厂房需用地约{n % 80 + 5}亩。", "project_name": "", "amount_wan": ""}


def posts_for(way: str, base: str, booths, phones: int, round_no: int) -> list[dict]:
    if way == "submit":  # each phone loads its form first, as a real one does
        rng, recorder = random.Random(round_no), load_sim.Recorder()

        async def forms():
            clients = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(phones)]
            gate = asyncio.Semaphore(20)

            async def one(client):
                async with gate:
                    return await load_sim.load_form(client, load_sim.DEMO_CODES, 0, rng, recorder)
            try:
                return await asyncio.gather(*(one(client) for client in clients))
            finally:
                await asyncio.gather(*(client.aclose() for client in clients))
        return asyncio.run(forms())
    posts = []
    for n in range(phones):
        booth_id, fair_id = booths[n % len(booths)]
        path = {"bare": "/bench/hello", "hooks": "/bench/hello", "floor": "/bench/floor"}.get(
            way, f"/bench/file/{fair_id}")
        body = {**typed(n, booth_id), "submission_key": f"floor{round_no}x{n:05d}x{random.randrange(10**9)}"}
        posts.append({"path": path, "body": urlencode(body), "headers": {"HX-Request": "true"}})
    return posts


def burst(base: str, posts: list[dict], workers: list[int]) -> tuple[float, float, float]:
    """(p50 s, p99 s, server CPU ms per request) of one burst; every answer must be a 200."""
    before = cpu_seconds(workers)
    done = subprocess.run(["node", str(ROOT / "bench" / "burst.mjs")], capture_output=True, text=True, check=True,
                          input=json.dumps({"base": base, "requests": posts}))
    used = cpu_seconds(workers) - before
    answers = json.loads(done.stdout)
    failed = [answer for answer in answers if answer["status"] != 200]
    if failed:
        raise SystemExit(f"{len(failed)} answers were not 200, e.g. {failed[0]}")
    q = statistics.quantiles([answer["ms"] / 1000 for answer in answers], n=100, method="inclusive")
    return q[49], q[98], used / len(posts) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--postgres", action="store_true", help="use KIOSK_TEST_DATABASE_URL (scripts/with-postgres)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ["KIOSK_TEST_DATABASE_URL"] if args.postgres else f"sqlite:///{folder}/kiosk.db"
        booths = prepare(url)
        print(f"{'PostgreSQL' if args.postgres else 'SQLite'}; {args.phones} POSTs at once, {args.rounds} bursts each "
              f"(the median); gunicorn.conf.py; load average {os.getloadavg()[0]:.2f}")
        print(f"{'':<8}{'p50 s':>7}{'p99 s':>7}{'CPU ms':>8}   rounds' p99")
        p99s = {}
        for way, target in APPS.items():
            server, base = serve(target, url)
            try:
                workers = workers_of(server)
                runs = []
                for round_no in range(args.rounds):
                    posts = posts_for(way, base, booths, args.phones, round_no)
                    time.sleep(1)
                    runs.append(burst(base, posts, workers))
            finally:
                server.terminate()
                server.wait()
            p50, p99, cpu = (statistics.median(run[i] for run in runs) for i in range(3))
            p99s[way] = p99
            print(f"{way:<8}{p50:>7.2f}{p99:>7.2f}{cpu:>8.2f}   {', '.join(f'{run[1]:.2f}' for run in runs)}",
                  flush=True)
        print(f"submit's p99 / floor's: {p99s['submit'] / p99s['floor']:.2f} (DESIGN.md: at most 1.5)")


if __name__ == "__main__":
    main()
