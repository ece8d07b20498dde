"""The demo's notices (kiosk/notifications/demo.py): `flask demo load` aims every channel at the
local fake that `make run` starts, and the outbox holds last month's notices, sent in their day,
with the latest few left for the worker, which sends them to the fake."""
import pytest
import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.demo.last_month import LastMonth
from kiosk.fairs.models import Booth, Fair, FairStatus
from kiosk.notifications import demo, worker
from kiosk.notifications.channel_models import ChannelSettings
from kiosk.notifications.channels import wecom
from kiosk.notifications.models import MessageState, OutboxMessage
from tests.factories import PASSWORD
from tests.helpers import login
from tests.notify_fakes import point_channels_at


@pytest.fixture(autouse=True)
def instance(app, tmp_path):
    current_app.instance_path = str(tmp_path)


def test_the_demo_shows_last_months_notices_and_its_worker_sends_the_latest_to_the_fake(app, fake_sink, monkeypatch):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    past = db.session.scalar(sa.select(Fair).filter_by(status=FairStatus.closed))
    booths = db.session.scalars(sa.select(Booth).filter_by(fair_id=past.id)).all()
    demo.past_notices(LastMonth(past=past, day=past.date, today=past.date, booths=booths, companies=[],
                                organiser=None, rng=None, noon=None))  # (once more: the keys keep one each)
    db.session.commit()
    assert ChannelSettings.current().organisers_robot_url.startswith("http://127.0.0.1:8025/")
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    kinds = {row.kind for row in rows}
    assert {"notice-issued", "disputed", "extension-asked"} <= kinds, kinds
    sent = [row for row in rows if row.state is MessageState.sent]
    pending = [row for row in rows if row.state is MessageState.pending]
    assert len(pending) == demo.LEFT_TO_SEND and len(sent) >= 3
    assert max(row.created_at for row in sent) <= min(row.created_at for row in pending)

    monkeypatch.setattr(wecom, "PER_MINUTE", 1000)
    point_channels_at(fake_sink, *{booth.department_id for booth in booths})  # (the test's fake, not 8025)
    assert worker.run_round("demo") >= demo.LEFT_TO_SEND  # (and the morning digest, when it is due)
    assert {row.key for row in pending} <= set(fake_sink.counts())
    db.session.expire_all()
    assert {row.state for row in pending} == {MessageState.sent}
    page = login(app.test_client(), "admin").get("/notifications/outbox").get_data(as_text=True)
    shown = page.split('id="outbox-sent"')[1]
    assert all(f'id="message-{row.id}"' in shown for row in pending)
