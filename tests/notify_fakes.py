"""The notification channels' far ends as fixtures: `fake_sink` starts scripts/fake_sink.py's
recorder (an HTTP server for the WeCom robots and the SMS provider, an SMTP server) on free
loopback ports, and stops it after the test. tests/conftest.py loads it as a
plugin, so every test can ask for it."""
import pytest

from scripts.fake_sink import FakeSink


@pytest.fixture
def fake_sink():
    """A started FakeSink: `.http_url`, `.host`/`.smtp_port`, `.received()`, `.delivered()`,
    `.counts()`, `.plan(status=500 | hang=seconds | reply={...} | smtp_reply="451 ...")`."""
    sink = FakeSink().start()
    yield sink
    sink.stop()


#: what point_channels_at() configures: the tests compare what the fake received with these
ROBOT_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
SMS_KEY_ID, SMS_SECRET = "LTAI5tFakeKeyId0001", "fake-secret-0123456789abcdef"
SMTP_USER, SMTP_PASSWORD = "notify@kiosk.example.cn", "smtp-password-4321"
SMS_TEMPLATES = {"plan_given": "SMS_100000001", "extension_approved": "SMS_100000002",
                 "done_awaiting_confirmation": "SMS_100000003", "closed_out": "SMS_100000004", "test": "SMS_100000009"}


def robot_url(sink, who="organisers"):
    return f"{sink.http_url}/cgi-bin/webhook/send?key={ROBOT_KEY}-{who}"


def point_channels_at(sink, *department_ids, tls="none"):
    """Every channel aimed at the fake sink, for the organisers and the given departments: a robot
    each (its key names whose it is), e-mail addresses, plain SMTP with a login, the SMS provider's
    endpoint with every template. Committed; returns the settings row."""
    from kiosk.core.extensions import db
    from kiosk.notifications.channel_models import ChannelSettings, DepartmentChannels, TlsMode

    settings = ChannelSettings.editable()
    settings.organisers_robot_url = robot_url(sink)
    settings.organisers_emails = "office@kiosk.example.cn, lead@kiosk.example.cn"
    settings.smtp_host, settings.smtp_port, settings.smtp_tls = sink.host, sink.smtp_port, TlsMode(tls)
    settings.smtp_user, settings.smtp_password = SMTP_USER, SMTP_PASSWORD
    settings.smtp_sender = "notify@kiosk.example.cn"
    settings.sms_access_key_id, settings.sms_access_key_secret = SMS_KEY_ID, SMS_SECRET
    settings.sms_endpoint, settings.sms_sign_name = f"{sink.http_url}/", "泰安市工业推进办"
    settings.sms_templates, settings.sms_test_mobile = dict(SMS_TEMPLATES), "13800000000"
    for department_id in department_ids:
        row = db.session.get(DepartmentChannels, department_id) or DepartmentChannels(department_id=department_id)
        row.robot_url = robot_url(sink, f"d{department_id}")
        row.emails = f"dept{department_id}@kiosk.example.cn"
        db.session.add(row)
    db.session.commit()
    return settings
