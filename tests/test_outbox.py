"""The outbox's rules (issue 25), on SQLite and PostgreSQL: a message is written with the change that
causes it and only then; the worker sends each one at least once with its key, and two workers never
send one message twice; a failure is tried again after a backoff and, when it keeps failing, waits
failed for an organiser; and a page never waits for a channel."""
import threading
import time
from collections import Counter
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from flask import abort, current_app

from kiosk.core.extensions import db
from kiosk.core.timeutil import now_aware
from kiosk.notifications import channels, digest, worker
from kiosk.notifications.models import Audience, Channel, MessageState, OutboxMessage
from kiosk.notifications.outbox import enqueue


class Sink:
    """A channel that records what it is given, one message per key as a real channel's fake
    dedupes them, and fails or hangs when told to."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sends, self.failure, self.hang = [], None, None

    def send(self, message):
        if self.hang:
            self.hang.wait(10)
        with self.lock:
            self.sends.append(message.key)
        if self.failure:
            raise self.failure

    @property
    def per_key(self) -> Counter:
        return Counter(self.sends)

    @property
    def delivered(self) -> set:
        return set(self.sends)


@pytest.fixture
def sink(monkeypatch):
    fake = Sink()
    monkeypatch.setattr(channels, "prepare", lambda message: partial(fake.send, message))
    return fake


def write(key, **values):
    enqueue(key=key, kind="test", channel=Channel.wecom, audience=Audience.organisers, subject="督办提醒",
            body="**测试**", **values)


def messages(key=None):
    db.session.expire_all()
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    return db.session.scalars(query.where(OutboxMessage.key == key) if key else query).all()


def at(moment):
    return lambda: moment


@pytest.fixture
def routes(app):
    """A page that enqueues a message, then answers as asked (its status, or an error)."""
    def change(outcome):
        write(f"page-{outcome}")
        if outcome == "error":
            raise RuntimeError("the change failed after it enqueued")
        if outcome == "slow":
            return "done"
        if outcome != "200":
            abort(int(outcome))
        return "done"
    app.add_url_rule("/test-outbox/<outcome>", "test_outbox", change)
    return app.test_client()


def test_a_change_refused_or_failed_after_it_enqueued_sends_nothing(app, routes, sink):
    for outcome in ("409", "422", "403"):
        assert routes.get(f"/test-outbox/{outcome}").status_code == int(outcome)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert routes.get("/test-outbox/error").status_code == 500
    assert routes.get("/test-outbox/200").status_code == 200
    assert worker.run_round("w") == 1
    assert sink.sends == ["page-200"]
    assert [m.key for m in messages()] == ["page-200"]


def test_a_page_never_waits_for_a_channel_that_hangs(routes, sink):
    sink.hang = threading.Event()
    started = time.monotonic()
    assert routes.get("/test-outbox/slow").status_code == 200
    assert time.monotonic() - started < 1
    assert sink.sends == [] and [m.state for m in messages()] == [MessageState.pending]
    sink.hang.set()


def test_a_key_written_twice_is_one_message(app, sink):
    write("once")
    write("once")
    db.session.commit()
    write("once")
    db.session.commit()
    assert worker.run_round("w") == 1
    assert sink.sends == ["once"]
    assert messages("once")[0].state == MessageState.sent


def test_a_worker_killed_mid_send_lets_the_message_go_again_with_its_key(app, sink):
    write("notice-1")
    db.session.commit()
    now = now_aware()
    claimed = worker.claim("killed", now)
    channels.send(claimed)  # it reached the channel; the worker was killed before recording it
    db.session.rollback()
    # Its lease holds the message from every other worker until it runs out...
    assert worker.run_round("other", now=at(now + timedelta(seconds=60))) == 0
    # ...then the message goes again, with the same key, and the channel's dedupe keeps one.
    later = now + timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"] + 1)
    assert worker.run_round("other", now=at(later)) == 1
    assert sink.sends == ["notice-1", "notice-1"] and sink.per_key == {"notice-1": 2}
    (message,) = messages()
    assert (message.state, message.attempts, message.claimed_by) == (MessageState.sent, 2, "other")


def test_two_workers_draining_at_once_send_each_message_exactly_once(app, sink, monkeypatch):
    for number in range(200):
        write(f"burst-{number}")
    db.session.commit()
    real_send = sink.send

    def slow_send(message):
        time.sleep(0.001)  # long enough for the other worker to claim in between
        real_send(message)
    monkeypatch.setattr(channels, "prepare", lambda message: partial(slow_send, message))
    observer = current_app._get_current_object()
    tried = {}

    def drain(name):
        with observer.app_context():
            tried[name] = worker.run_round(name)
            db.session.remove()
    threads = [threading.Thread(target=drain, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(tried.values()) == 200, tried
    assert all(tried.values()), f"one worker did everything: {tried}"
    assert len(sink.sends) == 200 and set(sink.per_key.values()) == {1}
    assert {m.state for m in messages()} == {MessageState.sent}


def test_a_failure_is_tried_again_after_a_backoff_that_grows(app, sink):
    write("flaky")
    db.session.commit()
    sink.failure = channels.DeliveryFailed("HTTP 500 from the robot")
    now = now_aware()
    assert worker.run_round("w", now=at(now)) == 1
    (message,) = messages()
    assert (message.state, message.attempts, message.last_error) == (MessageState.pending, 1, "HTTP 500 from the robot")
    assert message.next_attempt_at == now + timedelta(seconds=30)
    assert worker.run_round("w", now=at(now + timedelta(seconds=29))) == 0
    assert worker.run_round("w", now=at(now + timedelta(seconds=30))) == 1
    assert messages()[0].next_attempt_at == now + timedelta(seconds=30 + 60)
    sink.failure = None
    assert worker.run_round("w", now=at(now + timedelta(seconds=90))) == 1
    (message,) = messages()
    assert (message.state, message.attempts, message.last_error) == (MessageState.sent, 3, None)
    assert sink.per_key == {"flaky": 3}


def test_a_message_that_keeps_failing_is_failed_with_its_last_error(app, sink):
    app.config["NOTIFY_MAX_ATTEMPTS"] = current_app._get_current_object().config["NOTIFY_MAX_ATTEMPTS"] = 3
    write("doomed")
    db.session.commit()
    now = now_aware()
    for attempt in range(3):
        sink.failure = channels.DeliveryFailed(f"timeout {attempt + 1}")
        assert worker.run_round("w", now=at(now + timedelta(hours=attempt * 2))) == 1
    (message,) = messages()
    assert (message.state, message.attempts, message.last_error) == (MessageState.failed, 3, "timeout 3")
    assert worker.run_round("w", now=at(now + timedelta(days=1))) == 0


def test_an_undeliverable_message_fails_at_once(app, sink):
    write("nowhere")
    db.session.commit()
    sink.failure = channels.Undeliverable("no robot is configured for 发改委")
    assert worker.run_round("w") == 1
    (message,) = messages()
    assert (message.state, message.attempts, message.last_error) == (
        MessageState.failed, 1, "no robot is configured for 发改委")


def test_a_message_dropped_while_it_was_being_sent_stays_dropped(app, sink):
    write("dropped")
    db.session.commit()
    claimed = worker.claim("w", now_aware())
    db.session.execute(sa.update(OutboxMessage).values(state=MessageState.dropped))
    db.session.commit()
    worker.deliver(claimed, "w")
    assert messages()[0].state == MessageState.dropped


def test_the_command_sends_what_is_due_once(app, sink):
    write("by-command")
    db.session.commit()
    result = current_app._get_current_object().test_cli_runner().invoke(args=["notifications", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert sink.sends == ["by-command"]
    assert messages()[0].state == MessageState.sent


def test_a_digest_that_fails_does_not_hold_up_the_messages_already_written(app, sink, monkeypatch):
    write("waiting")
    db.session.commit()

    def broken(now):
        write("half-made digest")
        raise RuntimeError("a bug in the digest")
    monkeypatch.setattr(digest, "tick", broken)
    assert worker.run_round("w") == 1
    assert sink.sends == ["waiting"] and [m.key for m in messages()] == ["waiting"]
