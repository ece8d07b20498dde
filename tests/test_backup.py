"""A backup taken in the middle of the rush is consistent, and restores; never under a serving kiosk."""
import os
import runpy
import sqlite3
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade

from kiosk import create_app
from kiosk.core.backup import SERVING_FILE, serving_pid
from kiosk.core.extensions import db
from kiosk.intake.service import Intake, submit_request
from kiosk.service_requests.models import Category, RequestEvent, ServiceRequest, Status
from tests.conftest import POSTGRES_URL
from tests.factories import CODE_A, booth, make_fair, request_in


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


def test_a_backup_on_either_database_restores_what_it_held(app, fair, tmp_path):
    """`backup create` and `backup restore` on the database the suite runs on: SQLite's file, or
    PostgreSQL through pg_dump and pg_restore (the same commands; the daily timer needs no other)."""
    runner = app.test_cli_runner()
    current_app.instance_path = str(tmp_path / "instance")  # (the commands run in the test's own app)
    request_in(fair, Status.waiting)
    made = runner.invoke(args=["backup", "create"])
    assert made.exit_code == 0, made.output
    copies = list((tmp_path / "instance" / "backups").iterdir())
    assert len(copies) == 1 and copies[0].name.endswith(".dump" if POSTGRES_URL else ".db")
    request_in(fair, Status.waiting)  # saved after the copy: gone with the restore
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 2
    db.session.remove()
    with app.app_context():
        db.engine.dispose()
    restored = runner.invoke(args=["backup", "restore", str(copies[0]), "--yes"])
    assert restored.exit_code == 0, restored.output
    db.session.remove()
    db.engine.dispose()
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 1
    assert app.test_client().get("/healthz").status_code == 200  # the schema came back with the rows


def test_a_daily_backup_keeps_the_newest_copies_and_removes_nothing_else(sqlite_app, tmp_path):
    app = sqlite_app
    app.instance_path = str(tmp_path / "instance")
    backups = tmp_path / "instance" / "backups"
    backups.mkdir(parents=True)
    older = [backups / f"kiosk-2026010{day}-020000.db" for day in range(1, 5)]
    for path in older:
        path.write_bytes(b"old")
    (backups / "before-upgrade.db").write_bytes(b"the operator's own copy")
    made = app.test_cli_runner().invoke(args=["backup", "create", "--keep", "2"])
    assert made.exit_code == 0, made.output
    left = sorted(path.name for path in backups.iterdir())
    newest = [name for name in left if name.startswith("kiosk-") and name not in {p.name for p in older}]
    assert len(newest) == 1 and left == sorted(["before-upgrade.db", older[-1].name, *newest])
    assert made.output.count("Removed the older backup") == 3
    refused = app.test_cli_runner().invoke(args=["backup", "create", "--keep", "0"])
    assert refused.exit_code != 0 and len(list(backups.iterdir())) == 3  # keeping none is no backup
    copy = sqlite3.connect(backups / newest[0])
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
