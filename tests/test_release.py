"""The README's production recipe, run as a city's IT staff would run it: the release built from
`git archive` of HEAD (`make release`), installed into a fresh venv outside the checkout, a database
upgraded, the first organiser created, the server started; then signed in, a fair created, /healthz
and every PDF the fair page links fetched, and a backup taken and restored with the server stopped.
On SQLite and on a PostgreSQL of its own.

The recipe's lines are read from README.md and run as they stand there, with the settings its
`export` lines name given by the test (paths in a temporary folder, a free port). It uses neither of
the suite's databases, so it runs once, in the SQLite pass of `make test`.
"""
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from datetime import date
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from kiosk import __version__

pytestmark = pytest.mark.release

ROOT = Path(__file__).resolve().parent.parent
MARK = "<!-- the production recipe: tests/test_release.py runs it -->\n```sh\n"
WHEEL = f"kiosk-{__version__}-py3-none-any.whl"
PASSWORD = "release-organiser-1"
FAIR = "发布测试要素保障大集"


def recipe() -> list[str]:
    text = (ROOT / "README.md").read_text()
    assert MARK in text, "README.md lost its production recipe"
    return [line for line in text.split(MARK, 1)[1].split("```", 1)[0].splitlines() if line.strip()]


def settings_named(lines) -> set[str]:
    return {re.match(r"export (\w+)=", line).group(1) for line in lines if line.startswith("export ")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`make release`, as the team builds a release: from what is committed (into a folder of the
    test's own, leaving the checkout's dist/ alone)."""
    work = tmp_path_factory.mktemp("release")
    built = subprocess.run(["make", "-s", "release", f"DIST={work / 'dist'}", f"RELEASE_TREE={work / 'tree'}"],
                           cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    names = sorted(path.name for path in (work / "dist").iterdir())
    assert names == [WHEEL, f"kiosk-{__version__}.tar.gz"]
    here = tmp_path_factory.mktemp("download") / WHEEL
    shutil.copy(work / "dist" / WHEEL, here)
    return here


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server of its own (scripts/postgres.sh), as a city's would be."""
    started = subprocess.run(["bash", "-c", '. scripts/postgres.sh && postgres_start 25491 && '
                              'echo "$POSTGRES_DATA $POSTGRES_BIN $POSTGRES_URL"'],
                             cwd=ROOT, capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    data, binaries, url = started.stdout.split()
    yield url
    subprocess.run(["bash", "-c", f'. scripts/postgres.sh && POSTGRES_DATA={data} POSTGRES_BIN={binaries} '
                    'postgres_stop'], cwd=ROOT, check=True)


def test_the_recipe_names_what_ci_installs_and_the_release_it_builds():
    lines = recipe()
    packages = set(next(line for line in lines if line.startswith("apt-get install")).split("#")[0].split()[2:])
    makefile = (ROOT / "Makefile").read_text()
    assert packages <= set(re.findall(r"[\w.+-]+", makefile.split("system-packages:", 1)[1]))
    assert any(WHEEL in line for line in lines), f"the recipe installs {WHEEL}, the release this code is"


# It uses neither of make test's databases (on PostgreSQL it starts a server of its own), so it runs
# in the PostgreSQL pass (the cluster mark), which the SQLite pass, with the browser tests, would
# otherwise outlast.
@pytest.mark.cluster
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_production_recipe_from_a_release(database, wheel, tmp_path, request):
    home, instance, port = tmp_path / "opt", tmp_path / "var", _free_port()
    url = (request.getfixturevalue("postgres_url") if database == "postgresql"
           else f"sqlite:///{instance / 'kiosk.db'}")
    settings = {"KIOSK_HOME": str(home), "KIOSK_INSTANCE": str(instance), "DATABASE_URL": url,
                "SECRET_KEY": secrets.token_hex(32), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                "KIOSK_BIND": f"127.0.0.1:{port}", "KIOSK_HTTPS": "0"}  # (no HTTPS on loopback)
    lines = recipe()
    assert settings_named(lines) == set(settings), "the test gives every setting the recipe names"
    # A clean environment: nothing of the checkout, its venv or the suite's database leaks in.
    env = {"PATH": _path_without_venvs(), "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8",
           "KIOSK_WORKERS": "1", **settings}
    kiosk = home / "venv" / "bin" / "kiosk"
    server = None
    for line in lines:
        if line.startswith(("apt-get", "export ")):
            continue  # the machine's packages (make system-packages); the settings, given above
        if line.split("#")[0].strip().endswith("kiosk\" serve"):
            server = _start(line, env, wheel.parent, tmp_path / "server.log")
            continue
        stdin = PASSWORD + "\n" if "create-organiser" in line else None
        done = subprocess.run(["bash", "-c", line], cwd=wheel.parent, env=env, input=stdin,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        if "create-organiser" in line:
            assert f"sign in at http://127.0.0.1:{port}/login" in done.stdout
    assert server is not None and kiosk.exists()
    assert not (ROOT / "kiosk").resolve().is_relative_to(home)

    base = f"http://127.0.0.1:{port}"
    try:
        health = _wait_healthy(base, server, tmp_path / "server.log")
        assert health.startswith(f"ok: kiosk {__version__}, database reachable")
        assert f"Listening at: 127.0.0.1:{port}" in (tmp_path / "server.log").read_text()
        assert (instance / "serving.pid").read_text().strip() == str(server.pid)
        with httpx.Client(base_url=base, timeout=60) as browser:
            fair_page = _sign_in_and_make_a_fair(browser)
            pdfs = _every_pdf_linked(browser, fair_page)
            assert {"posters.pdf", "tally.pdf"} <= {path.rsplit("/", 1)[1] for path in pdfs}
            for path, body in pdfs.items():
                text = "".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages)
                assert FAIR in text, f"{path}: the fair's name in Chinese, in the bundled font"
        # The server's pid file is where the commands look: no restore under a serving kiosk.
        (tmp_path / "copy").write_bytes(b"")
        refused = _kiosk(env, "backup", "restore", str(tmp_path / "copy"), "--yes", check=False)
        assert f"The kiosk is serving (gunicorn pid {server.pid})" in refused.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert not (instance / "serving.pid").exists()

    # Backed up and restored with the server stopped: what came after the backup is gone.
    made = _kiosk(env, "backup", "create", "--keep", "7")
    copy = Path(re.search(r"Backup written to (\S+)", made.stdout).group(1))
    assert copy.parent == instance / "backups" and copy.exists()
    _kiosk(env, "users", "create-organiser", "later", stdin=PASSWORD + "\n")
    _kiosk(env, "backup", "restore", str(copy), "--yes")
    assert "No account named later" in _kiosk(env, "users", "unlock", "later", check=False).stderr
    assert "admin may sign in again" in _kiosk(env, "users", "unlock", "admin").stdout
    server = _start(f'"{kiosk}" serve', env, wheel.parent, tmp_path / "again.log")
    try:
        _wait_healthy(base, server, tmp_path / "again.log")
        with httpx.Client(base_url=base, timeout=60) as browser:
            _sign_in(browser)
            assert FAIR in browser.get("/organiser/").text
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def _sign_in(browser):
    answer = browser.post("/login", data={"username": "admin", "password": PASSWORD,
                                          "csrf_token": _csrf(browser.get("/login").text)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/organiser/", answer.text[:2000]


def _sign_in_and_make_a_fair(browser) -> str:
    _sign_in(browser)
    made = browser.post("/organiser/", data={"name": FAIR, "date": date.today().isoformat(), "venue": "会展中心",
                                             "csrf_token": _csrf(browser.get("/organiser/").text)})
    assert made.status_code == 302, made.text[:2000]
    fair = made.headers["Location"]
    page = browser.get(fair).text
    assert browser.post(f"{fair}/zones",
                        data={"name": "要素保障部门专区", "csrf_token": _csrf(page)}).status_code == 302
    page = browser.get(fair).text
    zone = re.search(r'<option value="(\d+)"[^>]*>要素保障部门专区', page).group(1)
    added = browser.post(f"{fair}/booths", data={"code": "B01", "department": "市自然资源和规划局",
                                                 "kind": "department", "zone": zone, "csrf_token": _csrf(page)})
    assert added.status_code == 302, added.text[:2000]
    page = browser.get(fair).text
    assert "市自然资源和规划局" in page
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert browser.get(stylesheet).status_code == 200  # the installed package's static files
    return page


def _every_pdf_linked(browser, fair_page) -> dict[str, bytes]:
    """Every PDF the fair page links, directly or from a page it links (the tally's PDF is on the
    tally page)."""
    pdfs, seen = {}, set()
    pages = [fair_page]
    for depth in range(2):
        found = []
        for html in pages:
            for href in set(re.findall(r'href="(/organiser/fairs/\d+/[^"#?]*)"', html)) - seen:
                seen.add(href)
                answer = browser.get(href)
                assert answer.status_code == 200, f"{href}: {answer.status_code}"
                if answer.headers["Content-Type"].startswith("application/pdf"):
                    pdfs[href] = answer.content
                elif depth == 0 and answer.headers["Content-Type"].startswith("text/html"):
                    found.append(answer.text)
        pages = found
    return pdfs


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _kiosk(env, *args, stdin=None, check=True):
    done = subprocess.run([str(Path(env["KIOSK_HOME"]) / "venv" / "bin" / "kiosk"), *args], env=env,
                          cwd="/", input=stdin, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 or not check, f"kiosk {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def _start(line, env, folder, log):
    with open(log, "w") as out:
        return subprocess.Popen(["bash", "-c", f"exec {line}"], cwd=folder, env=env, stdout=out, stderr=out)


def _wait_healthy(base, server, log, timeout=90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server stopped: {log.read_text()[-3000:]}"
        try:
            answer = httpx.get(f"{base}/healthz", timeout=5)
            if answer.status_code == 200:
                return answer.text
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"not healthy in {timeout} s: {log.read_text()[-3000:]}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _path_without_venvs() -> str:
    return os.pathsep.join(part for part in os.environ["PATH"].split(os.pathsep)
                           if not (Path(part) / "activate").exists())
