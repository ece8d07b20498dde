"""The demo fairs as `flask demo load --password` leaves them: today's fair with requests in every
state, last month's closed with its plans on the ledger, its ranking and its frozen tally.

The demo is loaded once for the module (about four seconds): on SQLite into the database every test
of the module starts from (a copy of it, as every test's is of the migrated one); on PostgreSQL,
where each test empties the tables after itself, by each test. The loads that need an empty
database (random passwords, an install in use) are tests/test_demo.py's."""
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from kiosk import create_app
from kiosk.auth.models import Role, User
from kiosk.core.extensions import db
from kiosk.core.workdays import add_working_days
from kiosk.fairs.models import Fair, FairStatus
from kiosk.service_requests.after_fair import EndReason
from kiosk.service_requests.models import ServiceRequest, Status
from tests.conftest import POSTGRES_URL, _config
from tests.helpers import csrf_token

LOAD = ["demo", "load", "--password", "pw-for-test"]
#: what the command printed, beside the loaded database (SQLite)
PRINTED = "demo-load-output.txt"


def _load(app) -> str:
    result = app.test_cli_runner().invoke(args=LOAD)
    assert result.exit_code == 0 and "was not loaded" not in result.output, result.output
    return result.output


@pytest.fixture(scope="module")
def migrated_db(migrated_db, tmp_path_factory):
    """What the module's tests start from (conftest's app copies it for each): on SQLite the
    migrated database with the demo loaded, what the command printed kept beside it."""
    if POSTGRES_URL:
        return migrated_db
    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(migrated_db.removeprefix("sqlite:///"), folder / "kiosk.db")
    url = f"sqlite:///{folder / 'kiosk.db'}"
    loader = create_app(_config(url))
    loader.instance_path = str(folder)  # (the demo's logins file: not the worktree's)
    with loader.app_context():
        (folder / PRINTED).write_text(_load(loader))
        db.session.remove()  # (its connection closed last, SQLite writes the log into the file: copies hold all)
        db.engine.dispose()
    return url


@pytest.fixture
def loaded(app, migrated_db, tmp_path) -> str:
    """The demo, loaded; what `demo load` printed."""
    current_app.instance_path = str(tmp_path)
    if POSTGRES_URL:
        return _load(app)
    return (Path(migrated_db.removeprefix("sqlite:///")).parent / PRINTED).read_text()


def test_demo_fair_loads_once_with_requests_in_every_state(app, loaded):
    assert "admin / pw-for-test" in loaded and "/b/B01" in loaded

    demo = db.session.scalar(sa.select(Fair).filter_by(status=FairStatus.open))
    assert len(demo.booths) == 25
    names = sorted(demo.booths, key=lambda b: b.code)
    assert names[0].name == "泰安市自然资源和规划局" and names[0].zone.name == "要素保障部门专区"
    assert sum(b.zone.name == "金融服务专区" for b in names) == 10
    statuses = set(db.session.scalars(sa.select(ServiceRequest.status).filter_by(fair_id=demo.id)))
    assert statuses == set(Status)
    staff = db.session.scalars(sa.select(User).filter_by(role=Role.staff)).all()
    assert len(staff) == 25 and all(u.booth_id for u in staff)
    organiser = db.session.scalar(sa.select(User).filter_by(username="admin"))
    assert organiser.check_password("pw-for-test") and not organiser.check_password("demo1234")

    again = app.test_cli_runner().invoke(args=["demo", "load"])
    assert "was not loaded" in again.output
    assert db.session.scalar(sa.select(sa.func.count(Fair.id))) == 2  # the demo fair and last month's


def test_last_months_demo_fair_fills_the_ledger_and_the_scoreboard(app, loaded):
    """What a city looks at after the fair is there on a new install: last month's fair, closed,
    its plans on the ledger in every state, and that month's ranking published."""
    from kiosk.core.timeutil import fair_today
    from kiosk.figures.periods import Period
    from kiosk.ledger.figures import ledger_figures
    from kiosk.scoreboard.models import PublishedRanking
    today = fair_today()
    past = db.session.scalar(sa.select(Fair).filter_by(status=FairStatus.closed))
    assert past.date == (today.replace(day=1) - timedelta(days=1)).replace(day=15) and "演示" in past.name
    figures = ledger_figures(today, fair_id=past.id)
    # 17 plans: 6 closed out on time and one late after two extensions, two done and waiting for
    # an organiser, two open and overdue, one extended, four open and not yet due, one disputed; and
    # three requests open at the close, handed over then (会后办理) and past their reply deadline now
    assert (figures.items, figures.closed_out, figures.closed_out_on_time, figures.done) == (20, 7, 6, 2)
    # (one of the overdue is parked, 挂账, so counted apart: kiosk.demo.supervision.parked_items)
    assert (figures.overdue, figures.extended_items, figures.disputed) == (5, 2, 1)  # the disputed one is late
    assert figures.parked == 1
    ranking = db.session.scalar(sa.select(PublishedRanking))
    assert ranking.period == Period.of("month", past.date).key and ranking.revision == 1
    # The first department's ledger account has items of its own to work on.
    staff = db.session.scalar(sa.select(User).filter_by(role=Role.department))
    client = app.test_client()
    signed_in = client.post("/login", data={"username": staff.username, "password": "pw-for-test",
                                            "csrf_token": csrf_token(client, "/login")})
    assert signed_in.status_code == 302
    own = client.get(f"/ledger?fair={past.id}").get_data(as_text=True)
    assert own.count("<tr id=\"item-") == 3 and own.count('class="row-overdue"') == 1  # done, overdue, open


def test_last_months_demo_fair_prints_the_tally_it_froze_at_its_close(app, loaded):
    past = db.session.scalar(sa.select(Fair).filter_by(status=FairStatus.closed))
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "pw-for-test",
                                "csrf_token": csrf_token(client, "/login")})
    page = client.get(f"/organiser/fairs/{past.id}/tally").get_data(as_text=True)
    assert "实时数据，大集尚未闭幕" not in page and f"统计时间：{past.date.isoformat()} 17:00" in page


def test_the_demos_past_fair_was_closed_with_requests_handed_over_and_one_ended(app, loaded):
    past = db.session.scalar(sa.select(Fair).filter_by(status=FairStatus.closed))
    items = db.session.scalars(sa.select(ServiceRequest).filter_by(fair_id=past.id)).all()
    assert not [i for i in items if i.status in (Status.waiting, Status.in_progress)]
    handed = [i for i in items if i.was_handed_over]
    assert len(handed) == 3 and [i for i in handed if i.acknowledged_at is None]
    assert {i.booth.code for i in handed} == {"B02", "B03", "B05"}
    assert [i.end_reason for i in items if i.ended_at_close] == [EndReason.no_return]
    assert (past.tally_snapshot["totals"]["handed_over"], past.tally_snapshot["totals"]["ended"]) == (3, 1)
    assert all(i.plan_due == add_working_days(past.date, 5) for i in handed)
    assert date.fromisoformat(past.tally_snapshot["taken_at"][:10]) == past.date
