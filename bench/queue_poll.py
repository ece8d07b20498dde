"""The booth queue poll against a bare hello-world, under gunicorn on loopback, in one run.

    apt-get install wrk            # the load generator (C, so it is not the bottleneck)
    .venv/bin/python bench/queue_poll.py [--seconds 10] [--connections 8]
    BENCH_GUNICORN="--threads 4" .venv/bin/python bench/queue_poll.py    # besides gunicorn.conf.py's

DESIGN.md's targets: an unchanged poll (304) at >= 0.6 x hello-world, a changed 25-row queue at >= 0.3 x.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PORT = 8731
WORKERS = ["-c", str(ROOT / "gunicorn.conf.py"), *os.environ.get("BENCH_GUNICORN", "").split()]


def prepare_database(folder: Path) -> str:
    """A demo fair whose booth B07 has 25 requests in its queue."""
    url = f"sqlite:///{folder / 'kiosk.db'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    subprocess.run([VENV_BIN / "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    code = """
from kiosk import create_app
from kiosk.demo import build_demo_fair
from kiosk.core.extensions import db
from kiosk.intake.service import Intake, submit_request
from kiosk.service_requests.models import Category, ServiceRequest
from kiosk.fairs.models import Booth
import sqlalchemy as sa
app = create_app()
with app.app_context():
    build_demo_fair(password="demo1234")
    b07 = db.session.scalar(sa.select(Booth).filter_by(code="B07"))
    have = db.session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)
                             .where(ServiceRequest.booth_id == b07.id))
    for n in range(25 - have):
        submit_request(Intake(booth_id=b07.id, company_name=f"泰安测试企业{n}有限公司",
                              credit_code="91350100M000100Y43", contact_name="王经理", mobile="13912345678",
                              category=Category.land,
                              need="新建厂房项目需用地约30亩，希望了解园区可供地块和供地流程。" * 2,
                              submission_key=f"bench{n}"))
"""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    return url


def start_server(url: str, port: int = PORT):
    """gunicorn serving the kiosk with a hello-world route (bench/hello_app.py) on loopback."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    server = subprocess.Popen(
        [VENV_BIN / "gunicorn", *WORKERS, "--bind", f"127.0.0.1:{port}",
         "--chdir", str(ROOT), "--pythonpath", str(ROOT / "bench"), "hello_app:app"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/hello")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def sign_in() -> tuple[str, str]:
    """Sign in as B07's staff; return the session cookie and the queue URL."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{PORT}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "b07", "password": "demo1234", "csrf_token": token}).encode()
    response = opener.open(f"http://127.0.0.1:{PORT}/login", data)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, response.geturl()


def etag_of(url: str, cookie: str) -> str:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "HX-Request": "true", "Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        body = response.read()
        assert response.status == 200 and body, "the queue did not answer"
        return response.headers["ETag"]


def wrk(url: str, seconds: int, connections: int, headers: dict) -> tuple[float, dict]:
    args = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    # A Lua hook counts answers by status, so a run of errors is not mistaken for speed.
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    # Each wrk thread has its own Lua state: counters live per thread and are summed in done().
    script.write_text("""
local threads = {}
setup = function(thread) table.insert(threads, thread) end
response = function(status, headers, body)
  local key = "s" .. status
  _G[key] = (_G[key] or 0) + 1
end
done = function(summary, latency, requests)
  for _, status in ipairs({200, 286, 302, 304, 401, 403, 404, 500, 502, 503}) do
    local n = 0
    for _, thread in ipairs(threads) do n = n + (thread:get("s" .. status) or 0) end
    if n > 0 then io.write(string.format("status %d %d\\n", status, n)) end
  end
end
""")
    out = subprocess.run([*args, "-s", str(script), url], capture_output=True, text=True, check=True).stdout
    script.unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    statuses = {int(s): int(n) for s, n in re.findall(r"status (\d+) (\d+)", out)}
    return rate, statuses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(prepare_database(Path(folder)))
        try:
            cookie, queue_url = sign_in()
            poll = {"Cookie": cookie, "HX-Request": "true", "Accept-Encoding": "gzip"}
            etag = etag_of(queue_url, cookie)
            runs = {
                "hello-world": (f"http://127.0.0.1:{PORT}/bench/hello", {}),
                "queue poll, unchanged (304)": (queue_url, {**poll, "If-None-Match": etag}),
                "queue poll, changed (25 rows)": (queue_url, poll),
            }
            results = {}
            for name, (url, headers) in runs.items():
                results[name] = wrk(url, args.seconds, args.connections, headers)
        finally:
            server.terminate()
            server.wait()
    hello = results["hello-world"][0]
    print(f"gunicorn {' '.join(WORKERS)}; wrk {args.connections} connections, {args.seconds}s each; "
          f"{os.cpu_count()} cores")
    for name, (rate, statuses) in results.items():
        print(f"  {name:<32} {rate:>8.0f} req/s  {rate / hello:>5.2f} x hello   statuses {statuses}")
    unchanged, changed = (results[k][0] / hello for k in list(results)[1:])
    print(f"targets: unchanged >= 0.60 x ({'met' if unchanged >= 0.6 else 'MISSED'}), "
          f"changed >= 0.30 x ({'met' if changed >= 0.3 else 'MISSED'})")


if __name__ == "__main__":
    main()
