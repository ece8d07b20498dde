"""The departments' morning digest, at its hour on working days, once per department per day, with
the ledger's own counts; the organisers told once of each supervision notice unreplied past its day;
and two workers ticking at the same moment on PostgreSQL write each message once, without an error."""
import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.core.workdays import is_working_day
from kiosk.ledger import moves
from kiosk.notifications import channels, digest
from kiosk.notifications.models import Audience, Channel, OutboxMessage
from kiosk.service_requests.models import ServiceRequest, Status
from kiosk.supervision import notices
from kiosk.supervision.colours import ColourRules, colour_counts
from tests.conftest import POSTGRES_URL
from tests.factories import booth, department_staff, request_in

ZONE = ZoneInfo("Asia/Shanghai")


def _working_day_from(day):
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


#: the digest's day: the first working day from today (the moves refuse dates before today)
DAY = _working_day_from(datetime.now(ZONE).date())


def at(hour: int, minute: int = 0, day=DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


@pytest.fixture(autouse=True)
def robots(monkeypatch):
    reach = {Audience.department: [Channel.wecom], Audience.organisers: [Channel.wecom], Audience.company: []}
    monkeypatch.setattr(channels, "configured", lambda audience, department_id=None: list(reach[audience]))


def item_due(fair, due, at_booth="B07", **kwargs) -> ServiceRequest:
    """A planned item due on `due` (set directly: the plan refuses a day already past)."""
    item = request_in(fair, Status.planned, at_booth, **kwargs)
    item.plan_due = item.current_due = due
    db.session.commit()
    return item


@pytest.fixture
def ledger(app, fair, organiser):
    """B07's department: two red items (one on a notice unreplied, due back yesterday), one yellow
    (an extension waiting), two blue (one of them disputed by its company), three normal (one whose
    extension was approved this morning, one refused); B01's department one normal item only."""
    red = item_due(fair, DAY - timedelta(days=3))
    item_due(fair, DAY - timedelta(days=1))
    waiting = item_due(fair, DAY + timedelta(days=20))
    item_due(fair, DAY + timedelta(days=2))
    item_due(fair, DAY + timedelta(days=30))
    item_due(fair, DAY + timedelta(days=30), at_booth="B01")
    staff, morning = department_staff(red.booth.department), at(7)
    approved, refused = item_due(fair, DAY + timedelta(days=10)), item_due(fair, DAY + timedelta(days=25))
    for item, new_due in ((waiting, DAY + timedelta(days=40)), (approved, DAY + timedelta(days=40)),
                          (refused, DAY + timedelta(days=35))):
        moves.ask_extension(item, staff, item.version, new_due=new_due, reason="等待指标", today=DAY)
    moves.approve_extension(approved, organiser, approved.version, today=DAY, now=morning)
    moves.refuse_extension(refused, organiser, refused.version, reason="理由不足", now=morning)
    disputed = request_in(fair, Status.closed_out, due=DAY + timedelta(days=5))
    moves.company_verdict(disputed, accepted=False, rating=2, words="没有办好")
    notice = notices.issue(red.booth.department, organiser, {red.id: red.version}, reply_by=DAY - timedelta(days=1),
                           text="请说明", today=DAY - timedelta(days=10))
    db.session.commit()
    return {"department": red.booth.department_id, "other": booth(fair, "B01").department_id, "notice": notice}


def digests() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind.in_(["digest", "notice-overdue"]))
                                   .order_by(OutboxMessage.id)))


def test_nothing_before_the_hour(app, ledger):
    assert digest.tick(at(7, 59)) == 0
    assert digests() == []


def test_at_the_hour_each_department_with_news_gets_one_digest_with_the_ledgers_counts(app, ledger):
    assert digest.tick(at(8)) == 2
    db.session.commit()
    mine, overdue = digests()
    department = ledger["department"]
    assert mine.key == f"digest:{DAY.isoformat()}:dept:{department}:wecom" and mine.department_id == department
    counts = colour_counts(ColourRules.on(DAY), department_id=department)
    assert (counts.red, counts.yellow, counts.blue, counts.normal) == (2, 1, 2, 3)
    for line in ("> 逾期（红色）：2项", "> 滞后（黄色）：1项", "> 临期（蓝色，7天内到期）：2项",
                 "> 企业异议待重新办理：1项", "> 督办单待回复：1份（1项）",
                 "> 上次提醒以来的延期审批：批准1项，不予批准1项"):
        assert line in mine.body, line
    assert mine.subject.startswith(f"需求台账每日提醒 {DAY.isoformat()}") and mine.body.startswith("> 逾期")
    assert mine.body.count("完成时限") == 4  # the two red and the two blue, by name
    assert mine.body.endswith("[打开需求台账](http://127.0.0.1:5000/ledger)")
    assert overdue.key == f"notice-overdue:{ledger['notice'].id}:organisers:wecom"
    assert "未回复：1项（共1项）" in overdue.body


def test_a_second_tick_or_a_second_worker_writes_nothing_again(app, ledger):
    digest.tick(at(8))
    db.session.commit()
    assert digest.tick(at(9)) == 0
    current_app.extensions.pop("kiosk.digest_days", None)  # as a second worker would, remembering nothing
    assert digest.tick(at(10)) == 0
    db.session.commit()
    assert len(digests()) == 2


def test_a_digest_whose_commit_failed_is_written_at_the_next_round(app, ledger):
    assert digest.tick(at(8)) == 2
    # the worker's commit after the tick failed (the database away a moment): nothing of it landed
    db.session.rollback()
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.kind.in_(["digest", "notice-overdue"])))
    db.session.commit()
    assert digest.tick(at(8, 1)) == 2
    db.session.commit()
    assert len(digests()) == 2


def test_the_next_working_day_brings_the_next_digest_and_no_second_word_on_the_notice(app, ledger):
    digest.tick(at(8))
    db.session.commit()
    following = _working_day_from(DAY + timedelta(days=1))
    digest.tick(at(8, day=following))
    db.session.commit()
    assert [m.kind for m in digests()] == ["digest", "notice-overdue", "digest"]
    assert "批准0项，不予批准0项" in digests()[-1].body  # the decisions were the day before's


def test_no_digest_on_a_day_off(app, ledger):
    day_off = DAY + timedelta(days=1)
    while is_working_day(day_off):
        day_off += timedelta(days=1)
    assert digest.tick(at(9, day=day_off)) == 0


def test_a_department_with_nothing_to_hear_gets_nothing(app, fair):
    item_due(fair, DAY + timedelta(days=30))
    assert digest.tick(at(8)) == 0


@pytest.mark.skipif(not POSTGRES_URL, reason="two workers at once: PostgreSQL (SQLite lets one writer at a time)")
def test_two_workers_ticking_at_once_write_each_message_once_without_an_error(app, ledger):
    first_wrote, errors = threading.Event(), []

    def worker(first: bool):
        try:
            with app.app_context():
                if not first:
                    first_wrote.wait(10)
                    app.extensions.pop("kiosk.digest_days", None)  # another process: it remembers nothing
                digest.tick(at(8))
                db.session.flush()
                if first:
                    first_wrote.set()
                    threading.Event().wait(0.5)  # the other's INSERT now waits on this one's key
                db.session.commit()
        except Exception as error:  # (reported below)
            errors.append(error)
            first_wrote.set()

    threads = [threading.Thread(target=worker, args=(first,)) for first in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(digests()) == 2
