"""The outbox's two costs, in one run:

1. 1,000 notices drained by one worker (kiosk.notifications.worker.run_round, as `kiosk
   notifications work` runs it) through the real WeCom channel to a local fake robot
   (scripts/fake_sink.py, in a process of its own on loopback): the time per notice, claim, send
   and record, and the fake's count (each key once).
2. A request path with and without its outbox write: the booth's plan step (POST
   /staff/requests/<id>/plan through the app, signed in as the booth, CSRF and all), which writes
   the company's SMS "plan given" to the outbox (kiosk.notifications.messages.plan_given). Both
   variants run the same step; "without" replaces plan_given with nothing, "with" with an outbox
   write of the same shape (its key looked up, the row inserted with the change), whatever the
   company's consent and the channels' settings, so that every step measured writes one. The two
   take turns step by step; the ratio is of their medians. Target (issue 25): at most 1.10.

    PYTHONPATH=. .venv/bin/python bench/outbox.py [--notices 1000] [--steps 200] [--rounds 5]
    KIOSK_PG_PORT=25486 scripts/with-postgres .venv/bin/python bench/outbox.py --postgres

A robot takes 20 messages a minute (kiosk/notifications/channels/wecom.py holds each robot to it):
the bench lifts that limit, to time the worker rather than WeCom's pace.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from kiosk import create_app
from kiosk.core.extensions import db
from kiosk.notifications import messages, worker
from kiosk.notifications.channels import wecom
from kiosk.notifications.models import Audience, Channel, MessageState, OutboxMessage
from kiosk.notifications.outbox import enqueue
from kiosk.service_requests.models import ServiceRequest, Status
from tests.factories import make_fair, request_in
from tests.helpers import csrf_token, login
from tests.notify_fakes import point_channels_at

CHECKOUT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SinkProcess:
    """scripts/fake_sink.py in a process of its own, seen as tests.notify_fakes expects a sink."""

    def __init__(self):
        self.host, self.http_port, self.smtp_port = "127.0.0.1", free_port(), free_port()
        self.http_url = f"http://{self.host}:{self.http_port}"

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, str(CHECKOUT / "scripts/fake_sink.py"), "--http-port", str(self.http_port),
             "--smtp-port", str(self.smtp_port)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                self.counts()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(10)

    def counts(self) -> dict:
        with urllib.request.urlopen(f"{self.http_url}/_sink/received", timeout=30) as answer:
            return json.load(answer)["counts"]


def drain(notices: int) -> tuple[float, dict]:
    """Seconds to send `notices` robot messages, and the fake's count per key."""
    wecom.PER_MINUTE = notices * 10
    with SinkProcess() as sink:
        point_channels_at(sink)
        for number in range(notices):
            enqueue(key=f"bench:{number}", kind="bench", channel=Channel.wecom, audience=Audience.organisers,
                    subject="督办提醒", body=f"**第{number}条** 测试通知")
        db.session.commit()
        start = time.perf_counter()
        tried = worker.run_round("bench")
        spent = time.perf_counter() - start
        counts = sink.counts()
    sent = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.state == MessageState.sent))
    assert tried == sent == notices, (tried, sent)
    return spent, counts


def with_outbox(item):
    """The plan step's SMS to the company, written as messages.plan_given writes it: one outbox row.
    Its due date is the plan's own column: messages.plan_given reads item.due_now, whose extensions
    are a lazy load of their own (0.3 ms), the message's making rather than the outbox's write."""
    enqueue(key=f"plan_given:event:{item.events[-1].id}:company:sms", kind="plan_given", channel=Channel.sms,
            audience=Audience.company, subject=f"{item.ticket_no} 已出方案",
            body=f"您在要素保障大集提交的需求{item.ticket_no}已有办理方案，计划{item.plan_due}前办结。",
            params={"ticket": item.ticket_no, "due": item.plan_due.isoformat(), "link": "https://x/t/abc"},
            request_id=item.id)
    return 1


def plan_steps(app, steps: int, rounds: int) -> dict[str, float]:
    """Median seconds of the booth's plan step, with and without its outbox write, rounds alternating."""
    fair = make_fair()
    ids = [request_in(fair, Status.in_progress, "B07").id for _ in range(steps * rounds * 2 + 20)]
    db.session.commit()
    client = app.test_client()
    login(client, "b07")
    token = csrf_token(client, "/login")
    due = (date.today() + timedelta(days=30)).isoformat()
    queue = iter(ids)

    def step():
        request_id = next(queue)
        version = db.session.scalar(sa.select(ServiceRequest.version).where(ServiceRequest.id == request_id))
        db.session.rollback()
        start = time.perf_counter()
        answer = client.post(f"/staff/requests/{request_id}/plan", data={
            "csrf_token": token, "plan-version": version, "plan-plan_text": "会后五日内踏勘",
            "plan-unit": "工信局", "plan-person": "赵科长", "plan-due": due})
        spent = time.perf_counter() - start
        assert answer.status_code < 400, answer.status_code
        return spent

    variants = {"without": lambda item: 0, "with": with_outbox}
    original = messages.plan_given
    times = {name: [] for name in variants}
    try:
        for variant in variants.values():  # warm both paths
            messages.plan_given = variant
            for _ in range(10):
                step()
        # One step of each in turn, the first of each pair alternating: each plan step adds a row to
        # the booth's pages, which its answer renders, so blocks of one then the other would favour the first.
        for number in range(steps * rounds):
            for name in sorted(variants, reverse=number % 2 == 1):
                messages.plan_given = variants[name]
                times[name].append(step())
    finally:
        messages.plan_given = original
    written = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.kind == "plan_given"))
    assert written == steps * rounds + 10, written
    return {name: statistics.median(spent) for name, spent in times.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=200, help="plan steps of each variant per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="use KIOSK_TEST_DATABASE_URL (scripts/with-postgres)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ["KIOSK_TEST_DATABASE_URL"] if args.postgres else f"sqlite:///{Path(folder) / 'kiosk.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b", "TESTING": True})
        with app.app_context():
            upgrade()
            spent, counts = drain(args.notices)
            steps = plan_steps(app, args.steps, args.rounds)
            db.session.remove()
            db.engine.dispose()
    ratio = steps["with"] / steps["without"]
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}; load before: {os.getloadavg()[0]:.2f}")
    print(f"  {args.notices:,} notices drained by one worker through a local fake robot: {spent:.2f} s, "
          f"{spent / args.notices * 1000:.2f} ms a notice; the fake counted {len(counts)} keys, "
          f"each {'once' if set(counts.values()) == {1} else 'MORE THAN ONCE'}")
    print(f"  the booth's plan step (median of {args.steps * args.rounds}): without its outbox write "
          f"{steps['without'] * 1000:.2f} ms, with it {steps['with'] * 1000:.2f} ms")
    print(f"  ratio {ratio:.3f}; target at most 1.10: {'met' if ratio <= 1.10 else 'MISSED'}")


if __name__ == "__main__":
    main()
