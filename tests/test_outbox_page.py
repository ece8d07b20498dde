"""The organisers' outbox page (/notifications/outbox): what it shows, and its Retry and Drop, which
asks twice. On SQLite and PostgreSQL."""
from datetime import timedelta
from functools import partial

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.core.timeutil import now_aware
from kiosk.notifications import channels, worker
from kiosk.notifications.models import Audience, Channel, MessageState, OutboxMessage
from kiosk.notifications.outbox import enqueue
from tests.factories import booth, department_staff
from tests.helpers import csrf_token, login


def message(key, state, **values):
    record = enqueue(key=key, kind="test", channel=Channel.wecom, audience=Audience.organisers,
                     subject=f"通知 {key}", body="正文")
    for name, value in {"state": state, **values}.items():
        setattr(record, name, value)
    db.session.commit()
    return record


def state_of(record_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, record_id).state


def test_organisers_see_the_counts_the_failed_with_their_last_error_and_the_latest_sent(client, organiser, fair):
    message("a", MessageState.sent, sent_at=now_aware())
    message("b", MessageState.failed, attempts=8, last_error="HTTP 500 from the robot")
    message("c", MessageState.pending, attempts=2, last_error="timed out after 10 s")
    department = booth(fair, "B07").department
    enqueue(key="d", kind="test", channel=Channel.email, audience=Audience.department, subject="部门通知",
            body="正文", department_id=department.id)
    db.session.commit()
    page = login(client, "organiser").get("/notifications/outbox").get_data(as_text=True)
    assert 'id="count-failed">1<' in page and 'id="count-sent">1<' in page and 'id="count-pending">2<' in page
    failed = page.split('id="outbox-failed"')[1].split("</section>")[0]
    assert "通知 b" in failed and "HTTP 500 from the robot" in failed and "通知 a" not in failed
    assert "timed out after 10 s" in page.split('id="outbox-retrying"')[1].split("</section>")[0]
    assert "通知 a" in page.split('id="outbox-sent"')[1]
    assert 'id="outbox-late"' not in page


def test_a_message_due_for_minutes_says_the_worker_may_not_run(client, organiser):
    message("old", MessageState.pending, next_attempt_at=now_aware() - timedelta(minutes=12))
    page = login(client, "organiser").get("/notifications/outbox").get_data(as_text=True)
    assert "已等待12分钟" in page.split('id="outbox-late"')[1].split("</p>")[0]


def test_retry_makes_a_failed_message_pending_and_the_worker_sends_it(client, organiser, monkeypatch):
    record = message("again", MessageState.failed, attempts=8, last_error="timeout")
    login(client, "organiser")
    token = csrf_token(client, "/notifications/outbox")
    response = client.post(f"/notifications/outbox/{record.id}/retry", data={"csrf_token": token})
    assert response.status_code == 303
    assert state_of(record.id) == MessageState.pending
    sent = []
    monkeypatch.setattr(channels, "prepare", lambda m: partial(sent.append, m.key))
    assert worker.run_round("w") == 1
    assert sent == ["again"] and state_of(record.id) == MessageState.sent


def test_drop_asks_twice_and_then_the_message_is_never_sent(client, organiser, monkeypatch):
    record = message("gone", MessageState.failed, attempts=8, last_error="timeout")
    login(client, "organiser")
    token = csrf_token(client, "/notifications/outbox")
    refused = client.post(f"/notifications/outbox/{record.id}/drop", data={"csrf_token": token})
    assert refused.status_code == 422
    assert f'<details class="irreversible" id="drop-{record.id}" open>' in refused.get_data(as_text=True)
    assert state_of(record.id) == MessageState.failed
    done = client.post(f"/notifications/outbox/{record.id}/drop", data={"csrf_token": token, "confirmed": "yes"})
    assert done.status_code == 303 and state_of(record.id) == MessageState.dropped
    monkeypatch.setattr(channels, "prepare", lambda m: (_ for _ in ()).throw(AssertionError("sent")))
    assert worker.run_round("w") == 0
    counts = client.get("/notifications/outbox").get_data(as_text=True)
    assert 'id="count-dropped">1<' in counts and 'id="no-failed"' in counts


def test_only_organisers_reach_the_outbox(client, fair, organiser):
    record = message("private", MessageState.failed, last_error="x")
    department_staff(booth(fair, "B07").department, username="dept-b07")
    db.session.commit()
    for username in ("b07", "dept-b07"):
        staff = login(client.application.test_client(), username)
        assert staff.get("/notifications/outbox").status_code == 403
        token = csrf_token(staff, "/login")
        assert staff.post(f"/notifications/outbox/{record.id}/retry", data={"csrf_token": token}).status_code == 403
    assert state_of(record.id) == MessageState.failed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
