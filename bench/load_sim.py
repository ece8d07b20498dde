"""The first minutes of a fair, simulated against gunicorn on loopback: phones submit in bursts while
every booth's tablet polls its queue and records outcomes, and companies give slips.

    .venv/bin/python bench/load_sim.py                       # SQLite: 300 phones, 1,000 requests
    .venv/bin/python bench/load_sim.py --phones 500 --requests 500     # one burst of 500 at once
    .venv/bin/python bench/load_sim.py --phones 500 --requests 500 --spread 60   # the opening minute
    scripts/with-postgres .venv/bin/python bench/load_sim.py --postgres
    KIOSK_CLUSTER_DEMO_PASSWORD=demo1234 scripts/cluster .venv/bin/python bench/load_sim.py --cluster
                              # through nginx, two app servers, one PostgreSQL (scripts/cluster)

bench/bursts.py runs the 500-phone burst all three ways in one go and sums them up.

It prints, per kind of request, counts and p50/p95/p99 latency, and checks that every request the
phones were told was filed is in the database exactly once, and that no answer was a 5xx.
DESIGN.md's targets: 500 submissions at once, none lost or doubled, no 5xx, p99 within 1.5 x the
floor's (bench/burst_floor.py); the opening minute (--spread 60: the 500 spread evenly over a
minute, the tablets polling) with a submission's p99 at most 300 ms.
"""
import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
#: one TLS context for every simulated client: httpx otherwise builds one per client (~10 ms of
#: the load generator's CPU each, which the 2-core machine would take from the server)
TLS = ssl.create_default_context()


class Recorder:
    def __init__(self):
        self.latency = defaultdict(list)
        self.statuses = defaultdict(lambda: defaultdict(int))

    async def call(self, kind, request):
        start = time.perf_counter()
        try:
            response = await request
        except httpx.HTTPError as error:
            self.statuses[kind][type(error).__name__] += 1
            return None
        self.record(kind, time.perf_counter() - start, response.status_code)
        return response

    def record(self, kind, seconds, status):
        """status: the HTTP status, or the name of what went wrong instead of an answer."""
        if isinstance(status, int):
            self.latency[kind].append(seconds)
        self.statuses[kind][status] += 1

    def server_errors(self) -> int:
        return sum(n for kinds in self.statuses.values() for status, n in kinds.items()
                   if not isinstance(status, int) or status >= 500)

    def report(self) -> str:
        lines = [f"{'kind':<10}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}   statuses"]
        for kind, times in sorted(self.latency.items()):
            q = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
            lines.append(f"{kind:<10}{len(times):>7}{q[49] * 1000:>9.0f}{q[94] * 1000:>9.0f}{q[98] * 1000:>9.0f}"
                         f"   {dict(self.statuses[kind])}")
        return "\n".join(lines)


async def load_form(client, codes, arrival, rng, recorder):
    """A phone arrives, scans a booth's code and the company types its need: the form's post,
    ready to send (path, body, headers), or None if the form did not come."""
    await asyncio.sleep(max(0.0, arrival - time.monotonic()))
    page = await recorder.call("form", client.get(f"/b/{rng.choice(codes)}"))
    if page is None or page.status_code != 200:
        return None
    html = page.text
    data = {"csrf_token": CSRF.search(html).group(1),
            "submission_key": re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html).group(1),
            "booth": re.search(r'<option selected value="(\d+)"', html).group(1),
            "company_name": f"压测企业{rng.randrange(10**6)}有限公司", "credit_code": "91350100M000100Y43",
            "contact_name": "王经理", "mobile": "13912345678", "category": "land",
            "need": f"新建厂房需用地约{rng.randint(5, 80)}亩。", "project_name": "", "amount_wan": ""}
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return {"path": re.search(r'<form id="intake-form"[^>]* action="([^"]+)"', html).group(1), "body": urlencode(data),
            "headers": {"HX-Request": "true", "Cookie": cookie}}


def fire(base, posts, recorder, filed, spread=0.0):
    """Send every post at the same moment, or spread evenly over `spread` seconds (bench/burst.mjs),
    record the answers and return them."""
    if spread:
        posts = [{**post, "at": n * spread * 1000 / len(posts)} for n, post in enumerate(posts)]
    if not shutil.which("node"):
        raise RuntimeError("the bursts are fired by Node.js: apt-get install nodejs (make system-packages)")
    done = subprocess.run(["node", str(ROOT / "bench" / "burst.mjs")], capture_output=True, text=True, check=True,
                          input=json.dumps({"base": base, "requests": posts}))
    answers = json.loads(done.stdout)
    for answer in answers:
        recorder.record("submit", answer["ms"] / 1000, answer["status"] or answer["error"])
        if answer["status"] == 200 and (answer["redirect"] or "").startswith("/t/"):
            filed.append(answer["redirect"])
    return answers


async def phone_rounds(base, codes, phone_count, requests, gap, lead, rng, recorder, filed, spread=0.0):
    """The phones, round by round: each loads its form (over a lead-in before the first burst, in the
    gap before the others), and at the round's start every phone of the round submits at once."""
    per_phone = [requests // phone_count + (1 if n < requests % phone_count else 0) for n in range(phone_count)]
    clients = [httpx.AsyncClient(base_url=base, timeout=60, verify=TLS) for _ in range(phone_count)]
    try:
        now = time.monotonic()
        first = now + lead + 1
        for round_no in range(max(per_phone)):
            start = first + round_no * gap
            in_round = [clients[n] for n in range(phone_count) if per_phone[n] > round_no]
            posts = await asyncio.gather(*(
                load_form(client, codes, now + (rng.uniform(0, lead) if round_no == 0 else 0), rng, recorder)
                for client in in_round))
            sending = [(client, post) for client, post in zip(in_round, posts, strict=True) if post]
            await asyncio.sleep(max(0.0, start - time.monotonic()))  # typing, until the burst
            answers = await asyncio.to_thread(fire, base, [post for _, post in sending], recorder, filed, spread)
            for (client, post), answer in zip(sending, answers, strict=True):
                # The phone keeps the cookies the answer set: its session, with the company it
                # remembers and the device id that the per-phone limit counts by.
                client.cookies.extract_cookies(httpx.Response(
                    answer["status"] or 599, headers=[("set-cookie", c) for c in answer.get("cookies", [])],
                    request=httpx.Request("POST", base + post["path"])))
            now = time.monotonic()
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


async def tablet(base, username, password, until, recorder, poll=3.0):
    """until: a dict whose "at" is the monotonic time to stop, set once the phones are done."""
    # A booth's tablet: signs in, polls its queue, takes each waiting request and resolves it.
    async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False, verify=TLS) as client:
        page = await client.get("/login")
        signed = await client.post("/login", data={"username": username, "password": password,
                                                   "csrf_token": CSRF.search(page.text).group(1)})
        queue_url, etag = signed.headers["Location"], None
        token = CSRF.search((await client.get(queue_url)).text).group(1)
        while time.monotonic() < until["at"]:
            headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
            answer = await recorder.call("poll", client.get(queue_url, headers=headers))
            if answer is not None and answer.status_code == 200:
                etag = answer.headers.get("ETag")
                for request_id in re.findall(r'<tr data-id="(\d+)" class="row-waiting">', answer.text)[:3]:
                    shown = await recorder.call("open", client.get(f"/staff/requests/{request_id}"))
                    version = shown and re.search(r'name="resolve-version" type="hidden" value="(\d+)"', shown.text)
                    if version:
                        await recorder.call("resolve", client.post(
                            f"/staff/requests/{request_id}/resolve", headers={"HX-Request": "true"},
                            data={"csrf_token": token, "resolve-version": version.group(1),
                                  "resolve-resolution": "已现场办结。"}))
            await asyncio.sleep(poll)


async def give_slips(base, filed, recorder, at_once=50):
    """Companies whose request was resolved open their tracking page and give the slip."""
    gate = asyncio.Semaphore(at_once)

    async def one(track):
        async with gate, httpx.AsyncClient(base_url=base, timeout=60, verify=TLS) as client:
            page = await recorder.call("track", client.get(track))
            if page is not None and 'action="/t/' in page.text:
                await recorder.call("slip", client.post(track + "/slip", headers={"HX-Request": "true"}, data={
                    "csrf_token": CSRF.search(page.text).group(1), "confirmed": "yes", "professionalism": "5",
                    "attitude": "5", "efficiency": "4", "problem_solving": "4", "integrity": "5", "overall": "5"}))
    await asyncio.gather(*(one(track) for track in filed))


async def simulate(base, codes, staff, phones=300, requests=1000, gap=4.0, tablets_for=None, seed=1, spread=0.0):
    """Run the simulation; returns (recorder, tracking URLs the phones were told were filed)."""
    rng = random.Random(seed)
    recorder, filed = Recorder(), []
    until = {"at": float("inf")}
    tablets = [tablet(base, username, password, until, recorder) for username, password in staff]

    async def phones_then_settle():
        # Phones arrive over a lead-in and load their forms; then the first burst of submissions.
        await phone_rounds(base, codes, phones, requests, gap, max(2.0, phones / 50), rng, recorder, filed, spread)
        # The tablets go on long enough to deal with what the last burst brought.
        until["at"] = time.monotonic() + (tablets_for if tablets_for is not None else 10)

    await asyncio.gather(phones_then_settle(), *tablets)
    await give_slips(base, filed, recorder)
    return recorder, filed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--gap", type=float, default=4.0, help="seconds between bursts")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="each burst's submissions spread evenly over this many seconds (0: all at once)")
    parser.add_argument("--postgres", action="store_true", help="use KIOSK_TEST_DATABASE_URL (scripts/with-postgres)")
    parser.add_argument("--cluster", action="store_true",
                        help="through the nginx of scripts/cluster (KIOSK_CLUSTER_DEMO_PASSWORD=demo1234)")
    parser.add_argument("--workers", default="", help="gunicorn settings besides gunicorn.conf.py's")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.cluster:
            url, base = os.environ["KIOSK_CLUSTER_DATABASE_URL"], os.environ["KIOSK_CLUSTER_URL"]
            server, codes, staff = None, DEMO_CODES, [(code.lower(), "demo1234") for code in DEMO_CODES]
        else:
            url = os.environ["KIOSK_TEST_DATABASE_URL"] if args.postgres else f"sqlite:///{folder}/kiosk.db"
            server, base, codes, staff = start_fair(url, args.workers)
        try:
            recorder, filed = asyncio.run(simulate(base, codes, staff, args.phones, args.requests, args.gap,
                                                   spread=args.spread))
        finally:
            if server is not None:
                server.terminate()
                server.wait()
        lost, extra = check_database(url, filed)
    where = (f"PostgreSQL through nginx, {len(os.environ['KIOSK_CLUSTER_SERVERS'].split())} app servers "
             f"(scripts/cluster; KIOSK_WORKERS={os.environ.get('KIOSK_WORKERS', 'one per core')} each)"
             if args.cluster else f"{'PostgreSQL' if args.postgres else 'SQLite'}, one app server")
    print(f"{where}; gunicorn.conf.py {args.workers}; {args.phones} phones, "
          f"{args.requests} requests in bursts every {args.gap:.0f} s"
          f"{f', each spread over {args.spread:.0f} s' if args.spread else ', each all at once'}; "
          "25 tablets polling every 3 s")
    print(recorder.report())
    print(f"filed and confirmed to the phone: {len(filed)}; lost: {lost}; in the database unconfirmed: {extra}; "
          f"5xx or dropped: {recorder.server_errors()}")


def start_fair(url, workers="", port=None):
    """A migrated database with the demo fair, and gunicorn serving it on loopback."""
    if port is None:
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load-simulation",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo", "load", "--password", "demo1234"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                               *workers.split(),
                               "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "wsgi:app"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(base + "/b/B01")
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    staff = [(code.lower(), "demo1234") for code in DEMO_CODES]
    return server, base, DEMO_CODES, staff


#: the demo fair's booths (kiosk/demo.py)
DEMO_CODES = [f"B{n:02d}" for n in range(1, 16)] + [f"F{n:02d}" for n in range(1, 11)]


def check_database(url, tracking_urls):
    """(lost, extra): requests the phones were told were filed but are not in the database, and the
    simulation's requests in the database that no phone was told about (a double, or a silent save)."""
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    told = {t.rsplit("/", 1)[-1] for t in tracking_urls}
    with engine.connect() as connection:
        saved = [token for (token,) in connection.execute(sa.text(
            "SELECT token FROM service_request WHERE company_id IN "
            "(SELECT id FROM company WHERE credit_code = '91350100M000100Y43')"))]
    engine.dispose()
    return len(told - set(saved)), len(saved) - len(told & set(saved))


if __name__ == "__main__":
    main()
