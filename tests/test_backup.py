"""A backup taken in the middle of the rush is consistent, and restores; never under a serving kiosk."""
import os
import runpy
import sqlite3
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from kiosk import create_app
from kiosk.backup import SERVING_FILE, serving_pid
from kiosk.extensions import db
from kiosk.intake.service import Intake, submit_request
from kiosk.service_requests.models import Category, RequestEvent, ServiceRequest
from tests.factories import CODE_A, booth, make_fair


@pytest.fixture
def sqlite_app(tmp_path):
    """Backups are of SQLite: these tests use an SQLite kiosk even when the suite runs on PostgreSQL
    (which is backed up with pg_dump)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'k.db'}"})
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_backup_while_serving_then_restore(sqlite_app, tmp_path):
    app, fair = sqlite_app, make_fair()
    booth_id = booth(fair, "B07").id
    stop = threading.Event()

    def rush():
        with app.app_context():
            n = 0
            while not stop.is_set() and n < 400:
                submit_request(Intake(booth_id=booth_id, company_name="企业", credit_code=CODE_A, contact_name="王",
                                      mobile="13912345678", category=Category.land, need=f"需求{n}",
                                      submission_key=f"rush{n}"))
                n += 1

    writer = threading.Thread(target=rush)
    writer.start()
    while db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) < 20:
        pass
    runner = app.test_cli_runner()
    copy = tmp_path / "copy.db"
    result = runner.invoke(args=["backup", "create", "--to", str(copy)])
    stop.set()
    writer.join()
    assert result.exit_code == 0 and "Backup written" in result.output

    saved = sqlite3.connect(copy)
    requests = saved.execute("SELECT count(*) FROM service_request").fetchone()[0]
    events = saved.execute("SELECT count(DISTINCT request_id) FROM request_event").fetchone()[0]
    assert requests >= 20 and events == requests  # every request with its trail, none half-saved
    tickets = [t for (t,) in saved.execute("SELECT ticket_no FROM service_request ORDER BY id")]
    assert tickets == [f"B07-{n:03d}" for n in range(1, requests + 1)]
    saved.close()
    live = db.session.scalar(sa.select(sa.func.count(ServiceRequest.id)))
    assert live >= requests

    refused = runner.invoke(args=["backup", "restore", str(copy)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    db.session.remove()
    db.engine.dispose()
    with app.app_context():
        db.engine.dispose()
    restored = runner.invoke(args=["backup", "restore", str(copy), "--yes"])
    assert restored.exit_code == 0, restored.output
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == requests
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(RequestEvent.request_id)))) == requests


def test_a_damaged_backup_is_refused(sqlite_app, tmp_path):
    app = sqlite_app
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(broken), "--yes"])
    assert result.exit_code != 0


def test_restore_is_refused_while_the_kiosk_serves_unless_forced_offline(sqlite_app, tmp_path):
    app = sqlite_app
    app.instance_path = str(tmp_path / "instance")
    copy = tmp_path / "copy.db"
    assert app.test_cli_runner().invoke(args=["backup", "create", "--to", str(copy)]).exit_code == 0
    (tmp_path / "instance").mkdir()
    serving = tmp_path / "instance" / "serving.pid"
    serving.write_text(f"{os.getpid()}\n")  # a live process: this one stands in for gunicorn
    db.session.remove()
    db.engine.dispose()
    refused = app.test_cli_runner().invoke(args=["backup", "restore", str(copy), "--yes"])
    assert refused.exit_code != 0 and "The kiosk is serving" in refused.output and "--force-offline" in refused.output
    forced = app.test_cli_runner().invoke(args=["backup", "restore", str(copy), "--yes", "--force-offline"])
    assert forced.exit_code == 0, forced.output
    serving.write_text("999999999\n")  # left by a server that died: no such process
    stale = app.test_cli_runner().invoke(args=["backup", "restore", str(copy), "--yes"])
    assert stale.exit_code == 0, stale.output


def test_gunicorn_writes_the_serving_file_when_ready_and_removes_it_on_exit(tmp_path):
    settings = runpy.run_path(str(Path(__file__).parent.parent / "gunicorn.conf.py"))
    settings["when_ready"].__globals__["SERVING_PID"] = tmp_path / SERVING_FILE
    server = SimpleNamespace(pid=os.getpid())
    settings["when_ready"](server)
    assert serving_pid(tmp_path) == server.pid
    settings["on_exit"](server)
    assert serving_pid(tmp_path) is None and not (tmp_path / SERVING_FILE).exists()
