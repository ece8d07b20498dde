"""The kiosk scaled out as the README's recipe says, started by scripts/cluster: nginx with
deploy/nginx/kiosk.conf in front of two gunicorn app servers on one PostgreSQL of its own.

Asserts what scaling out must not break: a session made on one server holds on the other, a
request filed through either shows on every server at once, a burst through nginx loses and
doubles nothing, slow clients hold nginx's connections and no app server's threads, a body over
the limit gets the kiosk's own page whoever refused it, and a server that stalls or stops is passed
over. It needs nginx and a PostgreSQL server (make system-packages), and uses neither of the suite's
databases, so it runs once, in the PostgreSQL pass of `make test` (the shorter: no browser tests).
"""
import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from flask import Flask

from bench.load_sim import CSRF, DEMO_CODES, Recorder, check_database, phone_rounds
from kiosk.core import config
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


def test_slow_clients_hold_nginx_not_the_app_servers_and_phones_still_file(cluster):
    """Forty sockets, five times the app servers' threads, each sending half its request and then a
    byte at a time: straight to an app server, ten of them stopped its /healthz. nginx reads a
    request whole before it passes it on, so they wait at nginx while phones file through it."""
    nginx = httpx.URL(cluster["url"])
    slow = []
    for n in range(40):
        client = socket.create_connection((nginx.host, nginx.port), timeout=5)
        if n % 2:  # half its headers
            client.sendall(b"GET /b/B01 HTTP/1.1\r\nHost: kiosk\r\nX-Slow: ")
        else:  # its headers, then a form a byte at a time
            client.sendall(b"POST /f/1 HTTP/1.1\r\nHost: kiosk\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                           b"Content-Length: 100000\r\n\r\nneed=")
        slow.append(client)
    stop = threading.Event()

    def trickle():
        while not stop.wait(0.25):
            for client in slow:
                client.sendall(b"a")
    trickling = threading.Thread(target=trickle)
    trickling.start()
    try:
        time.sleep(1)
        tickets = [file_through(cluster["url"])[2] for _ in range(4)]
        for server in cluster["servers"].split():
            assert httpx.get(server + "/healthz", timeout=1).status_code == 200, server
        assert trickling.is_alive()  # the slow ones were still sending all along
    finally:
        stop.set()
        trickling.join()
        for client in slow:
            client.close()
    assert len(set(tickets)) == 4


def test_a_body_over_the_limit_gets_the_kiosks_own_413_page_through_nginx(cluster, tmp_path):
    """One limit, the app's, and one answer to a body over it, the app's page in the user's language,
    whether nginx refused it without reading it (client_max_body_size) or the app did."""
    app = Flask("limits", instance_path=str(tmp_path))
    config.load(app)
    limit = app.config["MAX_CONTENT_LENGTH"]
    conf = (ROOT / "deploy" / "nginx" / "kiosk.conf").read_text()
    assert int(re.search(r"^\s*client_max_body_size (\d+)m;", conf, re.M).group(1)) * 1024 * 1024 == limit

    with httpx.Client(base_url=cluster["url"], timeout=10) as phone:
        form = phone.get("/b/B01")
        action = re.search(r'<form id="intake-form"[^>]* action="([^"]+)"', form.text).group(1)
        token = CSRF.search(form.text).group(1)
        for size, language, sentence in ((limit + 1, "zh-CN", "上传的文件太大。"),
                                         (3 * limit, "en", "The uploaded file is too large.")):
            refused = phone.post(action, data={"csrf_token": token}, files={"file": ("a.csv", b"a" * size)},
                                 headers={"Accept-Language": language})
            assert refused.status_code == 413 and sentence in refused.text, (size, refused.text[:300])
            assert '<html lang="' + language + '">' in refused.text
        chunked = phone.post(action, content=(b"a" * 65536 for _ in range(3 * limit // 65536)),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert chunked.status_code == 413 and "上传的文件太大。" in chunked.text

    # A booth sheet over the limit: the fair's page, the limit beside the file field, as without nginx.
    with httpx.Client(base_url=cluster["url"], timeout=10) as organiser:
        page = organiser.get("/login")
        assert organiser.post("/login", data={"username": "admin", "password": PASSWORD,
                                              "csrf_token": CSRF.search(page.text).group(1)}).status_code == 302
        fair_id = re.search(r"/f/(\d+)", action).group(1)
        page = organiser.get(f"/organiser/fairs/{fair_id}")
        sheet = organiser.post(f"/organiser/fairs/{fair_id}/import",
                               data={"csrf_token": CSRF.search(page.text).group(1)},
                               files={"file": ("booths.csv", b"a" * (limit + 1), "text/csv")})
        assert sheet.status_code == 413 and "文件过大：摊位表最大2 MB" in sheet.text
    assert "client intended to send too large" in (Path(cluster["logs"]) / "nginx.error.log").read_text()


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_departments_evidence_post_passes_nginx_up_to_its_own_limit_and_is_answered_beside_the_field(cluster):
    """The two steps that take evidence files go through nginx with bodies over the 2 MB of every
    other route, and a body over their own limit (51 MB) gets the item's page with the limit beside
    the file field, whether nginx or the app refused it."""
    from kiosk.ledger.evidence import BODY_LIMIT
    with httpx.Client(base_url=cluster["url"], timeout=30) as tablet:
        page = tablet.get("/login")
        assert tablet.post("/login", data={"username": "d1", "password": PASSWORD,
                                           "csrf_token": CSRF.search(page.text).group(1)}).status_code == 302
        ledger = tablet.get("/ledger").text
        for item_id in dict.fromkeys(re.findall(r"/ledger/items/(\d+)", ledger)):
            item = tablet.get(f"/ledger/items/{item_id}")
            if f"/ledger/items/{item_id}/finish" in item.text:
                break
        else:
            pytest.fail("the demo's first department has no item to finish")
        fields = {"csrf_token": CSRF.search(item.text).group(1), "finish-result": "已办结", "finish-evidence": "确认书",
                  "finish-version": re.search(r'name="finish-version"[^>]*value="(\d+)"', item.text).group(1)}
        not_a_pdf = tablet.post(f"/ledger/items/{item_id}/finish", data=fields,
                                files={"finish-files": ("确认书.pdf", b"a" * (3 * 1024 * 1024), "application/pdf")})
        assert not_a_pdf.status_code == 422 and "不是PDF、JPG或PNG文件" in not_a_pdf.text
        too_large = tablet.post(f"/ledger/items/{item_id}/finish", data=fields,
                                files={"finish-files": ("大.pdf", b"%PDF-" + b"a" * BODY_LIMIT, "application/pdf")})
        assert too_large.status_code == 413 and "上传的文件合计过大" in too_large.text
        assert 'id="finish-files-error"' in too_large.text
        elsewhere = tablet.post(f"/ledger/items/{item_id}/reassign", data=fields,
                                files={"file": ("a.pdf", b"a" * (3 * 1024 * 1024), "application/pdf")})
        assert elsewhere.status_code == 413 and "上传的文件太大。" in elsewhere.text


def test_a_stalled_server_is_passed_over_once_a_health_check_through_nginx_times_out_on_it(cluster):
    """A server that accepts connections and answers nothing (its processes stopped): nginx's
    /healthz waits 2 s for it, asks the other, and passes the stalled one over for 10 s."""
    workers = children(int(cluster["pids"].split()[1]))
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    try:
        health = [httpx.get(cluster["url"] + "/healthz", timeout=10) for _ in range(2)]
        assert [answer.status_code for answer in health] == [200, 200]
        started = time.monotonic()
        pages = [httpx.get(cluster["url"] + "/b/B01", timeout=5).status_code for _ in range(10)]
        assert pages == [200] * 10 and time.monotonic() - started < 5
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGCONT)


def test_a_server_stopped_by_its_pid_is_passed_over_by_nginx(cluster):
    """Last: it stops one of the servers."""
    os.kill(int(cluster["pids"].split()[1]), signal.SIGTERM)
    time.sleep(1)
    answers = [httpx.get(cluster["url"] + "/b/B01").status_code for _ in range(10)]
    assert answers == [200] * 10
