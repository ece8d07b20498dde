"""The kiosk scaled out as the README's recipe says, started by scripts/cluster: nginx with
deploy/nginx/kiosk.conf in front of two gunicorn app servers on one PostgreSQL of its own.

Asserts what scaling out must not break: a session made on one server holds on the other, a
request filed through either shows on every server at once, a burst through nginx loses and
doubles nothing, and a server that stops is passed over. It needs nginx and a PostgreSQL server
(make system-packages), and uses neither of the suite's databases, so it runs once, in the SQLite
pass of `make test`.
"""
import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bench.load_sim import CSRF, DEMO_CODES, Recorder, check_database, phone_rounds
from tests.factories import CODE_B

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "cluster-demo-1"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """scripts/cluster serving the demo fair (every account's password PASSWORD): its addresses,
    PIDs, database and log folder, as it prints them. Stopped by its PID, as it stops what it started."""
    errors = tmp_path_factory.mktemp("cluster") / "stderr"
    env = {**os.environ, "VENV": str(Path(sys.executable).parent.parent), "KIOSK_CLUSTER_DEMO_PASSWORD": PASSWORD}
    env.pop("KIOSK_TEST_DATABASE_URL", None)
    with open(errors, "w") as stderr:
        script = subprocess.Popen([str(ROOT / "scripts" / "cluster")], env=env, stdout=subprocess.PIPE,
                                  stderr=stderr, text=True)
    try:
        yield _ready(script, errors)
    finally:
        script.send_signal(signal.SIGTERM)
        try:
            script.wait(timeout=60)
        except subprocess.TimeoutExpired:
            script.kill()
            raise
        finally:
            script.stdout.close()


def _ready(script, errors, timeout=120) -> dict:
    found = {}
    watchdog = threading.Timer(timeout, script.terminate)  # a script that hangs ends the wait with EOF
    watchdog.start()
    try:
        for line in script.stdout:
            if line.strip() == "ready":
                return found
            name, _, value = line.strip().partition("=")
            found[name.removeprefix("KIOSK_CLUSTER_").lower()] = value
    finally:
        watchdog.cancel()
    raise RuntimeError(f"scripts/cluster did not get ready:\n{errors.read_text()}")


def sign_in(server: str) -> tuple[dict, str]:
    """A booth tablet (B01) signs in on this server: its cookies and its queue's address."""
    with httpx.Client(base_url=server) as tablet:
        page = tablet.get("/login")
        signed = tablet.post("/login", data={"username": "b01", "password": PASSWORD,
                                             "csrf_token": CSRF.search(page.text).group(1)})
        assert signed.status_code == 302, signed.text
        return dict(tablet.cookies), signed.headers["Location"]


def poll(server: str, cookies: dict, queue: str, etag: str | None = None) -> httpx.Response:
    headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
    return httpx.get(server + queue, cookies=cookies, headers=headers)


def file_through(base: str) -> tuple[str, str, str]:
    """A phone loads B01's form and files it: (the form's action, its tracking path, its ticket)."""
    with httpx.Client(base_url=base) as phone:
        form = phone.get("/b/B01")
        data = {"csrf_token": CSRF.search(form.text).group(1),
                "submission_key": re.search(r'name="submission_key" type="hidden" value="([^"]+)"', form.text).group(1),
                "booth": re.search(r'<option selected value="(\d+)"', form.text).group(1),
                "company_name": "泰安集群测试有限公司", "credit_code": CODE_B, "contact_name": "李经理",
                "mobile": "13800000000", "category": "energy", "need": "新增用能指标。"}
        action = re.search(r'<form id="intake-form"[^>]* action="([^"]+)"', form.text).group(1)
        filed = phone.post(action, data=data, headers={"HX-Request": "true"})
        # The answer is the tracking page itself, its address pushed into the phone's address bar.
        assert filed.status_code == 200 and filed.headers["HX-Push-Url"].startswith("/t/"), filed.text
        tracking = filed.headers["HX-Push-Url"]
        ticket = re.search(r"B01-\d{3}", filed.text).group(0)
        assert phone.get(tracking).status_code == 200
        return action, tracking, ticket


def served_by(cluster, method_and_path: str) -> str:
    """The app server that nginx sent this request to, from nginx's access log."""
    log = (Path(cluster["logs"]) / "nginx.access.log").read_text()
    upstream, = re.findall(rf'"{re.escape(method_and_path)} HTTP/1.1" \d+ .* upstream=([\d.:]+) ', log)
    return f"http://{upstream}"


def test_a_tablet_signed_in_on_one_server_sees_a_phones_request_filed_through_nginx_on_the_other(cluster):
    one, other = cluster["servers"].split()
    cookies, queue = sign_in(one)
    first = poll(other, cookies, queue)  # the session made on one server holds on the other
    assert first.status_code == 200 and 'data-id="' in first.text
    assert poll(other, cookies, queue, first.headers["ETag"]).status_code == 304

    action, tracking, ticket = file_through(cluster["url"])
    filed_on = served_by(cluster, f"POST {action}")
    elsewhere = other if filed_on == one else one
    for server in (elsewhere, filed_on):  # at once, on every server: nothing is kept in a process
        changed = poll(server, cookies, queue, first.headers["ETag"])
        assert changed.status_code == 200 and ticket in changed.text, server
    # nginx's own log keeps the tracking link masked, as gunicorn's does.
    log = (Path(cluster["logs"]) / "nginx.access.log").read_text()
    assert tracking.removeprefix("/t/") not in log and "GET /t/*** " in log


def test_a_burst_of_200_through_nginx_loses_nothing_doubles_nothing_and_gets_no_5xx(cluster):
    recorder, filed = Recorder(), []
    # A thread of its own: Playwright's browser (tests/browser) may hold this thread's event loop.
    with ThreadPoolExecutor(1) as runner:
        runner.submit(lambda: asyncio.run(phone_rounds(
            cluster["url"], DEMO_CODES, 200, 200, gap=1, lead=2, rng=random.Random(7),
            recorder=recorder, filed=filed))).result()
    lost, extra = check_database(cluster["database_url"], filed)
    assert recorder.server_errors() == 0 and dict(recorder.statuses["submit"]) == {200: 200}, recorder.report()
    assert len(filed) == 200 and lost == 0 and extra == 0, recorder.report()
    # Both servers filed part of it.
    for port in re.findall(r":(\d+)", cluster["servers"]):
        posts = (Path(cluster["logs"]) / f"app-{port}.access.log").read_text().count('"POST /f/')
        assert posts >= 20, f"the server on {port} filed {posts} of 200"


def test_health_checks_answer_on_nginx_and_on_each_server_and_gzip_is_the_apps_alone(cluster):
    servers = cluster["servers"].split()
    for base in (cluster["url"], *servers):
        answer = httpx.get(base + "/healthz")
        assert answer.status_code == 200 and answer.text.startswith("ok") and "set-cookie" not in answer.headers
    # The phone gets the app's gzip through nginx as the app made it: one compression, in one place.
    # (Bytes 4-7 of a gzip header are its time stamp.)
    css = re.search(r'href="(/static/[^"]+\.css[^"]*)"', httpx.get(cluster["url"] + "/b/B01").text).group(1)
    through_nginx, direct = (gzipped(base + css) for base in (cluster["url"], servers[0]))
    assert through_nginx[:4] == b"\x1f\x8b\x08\x00" and through_nginx[8:] == direct[8:]


def gzipped(url: str) -> bytes:
    with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as answer:
        assert answer.headers["Content-Encoding"] == "gzip"
        return b"".join(answer.iter_raw())


def test_a_server_stopped_by_its_pid_is_passed_over_by_nginx(cluster):
    """Last: it stops one of the servers."""
    os.kill(int(cluster["pids"].split()[1]), signal.SIGTERM)
    time.sleep(1)
    answers = [httpx.get(cluster["url"] + "/b/B01").status_code for _ in range(10)]
    assert answers == [200] * 10
