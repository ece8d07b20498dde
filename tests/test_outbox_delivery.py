"""The outbox's rules through the real channels and their local fakes (scripts/fake_sink.py), on
SQLite and PostgreSQL: a worker process killed mid-send lets its message go again with the same key,
and the far end sees one message per key; two workers draining at once send each message once; a
channel's 500, its rate limit or its silence is tried again later."""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.core.timeutil import now_aware
from kiosk.notifications import worker
from kiosk.notifications.channels import wecom
from kiosk.notifications.models import Audience, Channel, MessageState, OutboxMessage
from kiosk.notifications.outbox import enqueue
from kiosk.service_requests.models import Status
from tests.factories import request_in
from tests.helpers import act, login, page_version
from tests.notify_fakes import point_channels_at

CHECKOUT = Path(__file__).resolve().parent.parent


def write(key):
    enqueue(key=key, kind="test", channel=Channel.wecom, audience=Audience.organisers, subject="督办提醒",
            body="**测试**")


def messages():
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def at(moment):
    return lambda: moment


def worker_process(tmp_path) -> subprocess.Popen:
    """`flask notifications work` in a process of its own, on the test's database."""
    env = {**os.environ, "DATABASE_URL": current_app.config["SQLALCHEMY_DATABASE_URI"],
           "KIOSK_INSTANCE": str(tmp_path / "instance"), "KIOSK_NOTIFY_TIMEOUT_SECONDS": "30",
           "KIOSK_NOTIFY_POLL_SECONDS": "0.2"}
    with open(tmp_path / "worker.log", "w") as log:  # (the child keeps its own copy of the file)
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "notifications", "work"],
                                cwd=CHECKOUT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until(condition, log: Path, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out; the worker said: {log.read_text()}"
        time.sleep(0.05)


def test_a_worker_process_killed_mid_send_sends_again_with_the_same_key(app, fake_sink, tmp_path):
    point_channels_at(fake_sink)
    write("notice-killed")
    db.session.commit()
    fake_sink.plan(hang=2)  # the robot takes the message, and answers late: the worker is killed meanwhile
    process = worker_process(tmp_path)
    try:
        wait_until(lambda: messages()[0].claimed_by is not None, tmp_path / "worker.log")
        time.sleep(0.5)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(10)
    fake_sink.wait_for(1)
    (message,) = messages()
    assert (message.state, message.attempts) == (MessageState.pending, 1)
    later = now_aware() + timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"] + 1)
    assert worker.run_round("after", now=at(later)) == 1
    assert fake_sink.counts() == {"notice-killed": 2}
    assert [record["key"] for record in fake_sink.delivered()] == ["notice-killed"]
    assert messages()[0].state == MessageState.sent


def test_sigterm_lets_the_worker_finish_the_message_in_hand_and_stop(app, fake_sink, tmp_path):
    point_channels_at(fake_sink)
    write("notice-term")
    db.session.commit()
    fake_sink.plan(hang=1)
    process = worker_process(tmp_path)
    wait_until(lambda: messages()[0].claimed_by is not None, tmp_path / "worker.log")
    process.send_signal(signal.SIGTERM)
    assert process.wait(20) == 0, (tmp_path / "worker.log").read_text()
    assert messages()[0].state == MessageState.sent and fake_sink.counts() == {"notice-term": 1}


def test_two_workers_draining_200_messages_at_once_deliver_each_key_exactly_once(app, fake_sink, monkeypatch):
    monkeypatch.setattr(wecom, "PER_MINUTE", 1000)  # (one robot takes 20 a minute: the workers would hold back)
    point_channels_at(fake_sink)
    for number in range(200):
        write(f"burst-{number}")
    db.session.commit()
    observer, tried = current_app._get_current_object(), {}

    def drain(name):
        with observer.app_context():
            tried[name] = worker.run_round(name)
            db.session.remove()
    threads = [threading.Thread(target=drain, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sum(tried.values()) == 200 and all(tried.values()), tried
    counts = fake_sink.counts()
    assert len(counts) == 200 and set(counts.values()) == {1}
    assert {m.state for m in messages()} == {MessageState.sent}


def test_a_channel_answering_500_or_silent_is_tried_again_after_its_backoff(app, fake_sink):
    app.config["NOTIFY_TIMEOUT_SECONDS"] = current_app.config["NOTIFY_TIMEOUT_SECONDS"] = 0.5
    point_channels_at(fake_sink)
    write("flaky")
    db.session.commit()
    now = now_aware()
    fake_sink.plan(status=500)
    assert worker.run_round("w", now=at(now)) == 1
    (message,) = messages()
    assert (message.state, message.attempts) == (MessageState.pending, 1) and message.last_error
    fake_sink.plan(hang=2)
    assert worker.run_round("w", now=at(now + timedelta(seconds=30))) == 1
    (message,) = messages()
    assert (message.state, message.attempts) == (MessageState.pending, 2) and "超时" in message.last_error
    assert message.next_attempt_at == now + timedelta(seconds=30 + 60)
    assert worker.run_round("w", now=at(now + timedelta(seconds=90))) == 1
    assert messages()[0].state == MessageState.sent
    assert [record["key"] for record in fake_sink.delivered()] == ["flaky"]


def test_a_booths_plan_step_never_waits_for_a_channel_that_hangs(app, fake_sink, fair):
    """The booth's real plan step writes the consenting company's SMS to the outbox; the fake SMS
    provider hangs, and the step answers at once all the same: nothing is sent during a request."""
    point_channels_at(fake_sink)
    fake_sink.plan(hang=5, times=10)
    item = request_in(fair, Status.in_progress, "B07", sms_consent=True)
    db.session.commit()
    client = login(app.test_client(), "b07")
    version = page_version(client, item.id, "plan")
    started = time.monotonic()
    response = act(client, item.id, "plan", version=version, plan_text="会后五日内踏勘", unit="工信局",
                   person="赵科长", due=(date.today() + timedelta(days=20)).isoformat())
    assert response.status_code < 400
    assert time.monotonic() - started < 2
    (message,) = messages()
    assert (message.kind, message.channel, message.state) == ("plan_given", Channel.sms, MessageState.pending)
    assert fake_sink.received() == []


def test_no_transaction_is_open_while_a_channel_answers(app, fake_sink, monkeypatch):
    """A robot may take up to NOTIFY_TIMEOUT_SECONDS to answer: the worker's reads (the settings, the
    robot's address) ended before it, or PostgreSQL would hold a transaction idle that long (and end
    it under idle_in_transaction_session_timeout)."""
    point_channels_at(fake_sink)
    write("notice-idle")
    db.session.commit()
    seen = []
    real = wecom.send

    def send(*args, **kwargs):
        seen.append(db.session().in_transaction())
        return real(*args, **kwargs)

    monkeypatch.setattr(wecom, "send", send)
    assert worker.run_round("one") == 1
    assert seen == [False]
    assert messages()[0].state is MessageState.sent


def test_the_worker_outlives_the_database_ending_its_session(app, monkeypatch):
    """PostgreSQL ending the worker's session (idle_in_transaction_session_timeout, a restart) comes
    as psycopg's InternalError as well as OperationalError: the round is tried again, not the end."""
    def lost(*_args, **_kwargs):
        raise sa.exc.InternalError("COMMIT", {}, Exception("terminating connection due to idle-in-transaction timeout"))

    monkeypatch.setattr(worker, "run_round", lost)
    assert worker.work(threading.Event(), once=True) == 0
