"""The notification channels against local fakes of their far ends (scripts/fake_sink.py): the
exact requests each sends (the WeCom robot's JSON, Alibaba Cloud SMS's signed form, the e-mail's
envelope and headers), a 500 and a timeout failing for now, a refusal failing for good, and no
secret in any error or log line."""
import hashlib
import hmac
import json
import logging
import shutil
import ssl
import subprocess
import traceback
import urllib.parse
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import current_app

from kiosk.core.extensions import db
from kiosk.notifications import channels, worker
from kiosk.notifications.channel_models import ChannelSettings, DepartmentChannels
from kiosk.notifications.channels import DeliveryFailed, Undeliverable, sms, wecom
from kiosk.notifications.channels import email as email_channel
from kiosk.notifications.models import Audience, Channel, MessageState, OutboxMessage
from kiosk.notifications.outbox import enqueue
from kiosk.service_requests.models import Status
from scripts.fake_sink import FakeSink
from tests.factories import request_in
from tests.notify_fakes import (
    ROBOT_KEY,
    SMS_KEY_ID,
    SMS_SECRET,
    SMTP_PASSWORD,
    SMTP_USER,
    point_channels_at,
    robot_url,
)


@pytest.fixture(autouse=True)
def fresh_robot_counts():
    wecom._recent.clear()


def message(channel, audience=Audience.organisers, department_id=None, request_id=None, kind="test",
            key="test:1", subject="督办提醒", body="**工业和信息化局**：有 2 项需求已逾期。", params=None):
    found = enqueue(key=key, kind=kind, channel=channel, audience=audience, subject=subject, body=body,
                    department_id=department_id, request_id=request_id, params=params)
    db.session.commit()
    return found


def department_of(fair, code="B07"):
    return next(b for b in fair.booths if b.code == code).department_id


def test_a_robot_gets_the_documented_markdown_json_with_the_key_as_a_header(app, fair, fake_sink):
    dept = department_of(fair)
    point_channels_at(fake_sink, dept)
    channels.send(message(Channel.wecom, Audience.department, dept))
    (got,) = fake_sink.delivered()
    assert got["path"] == "/cgi-bin/webhook/send" and got["query"] == {"key": f"{ROBOT_KEY}-d{dept}"}
    assert got["headers"]["Content-Type"] == "application/json"
    assert got["headers"]["Idempotency-Key"] == "test:1"
    assert got["json"] == {"msgtype": "markdown",
                           "markdown": {"content": "### 督办提醒\n**工业和信息化局**：有 2 项需求已逾期。"}}


def test_a_long_robot_message_is_cut_on_a_character_boundary_with_a_note():
    text = wecom.content("标题", "逾" * 3000)  # 9,000 bytes of UTF-8
    assert len(text.encode()) <= wecom.MAX_BYTES and text.endswith(wecom.CUT_NOTE)
    assert "\ufffd" not in text and text.startswith("### 标题\n逾逾")
    assert wecom.content("标题", "短") == "### 标题\n短"


def test_a_robot_500_or_a_hang_past_the_timeout_fails_for_now(app, fair, fake_sink):
    point_channels_at(fake_sink)
    current_app.config["NOTIFY_TIMEOUT_SECONDS"] = 0.3
    fake_sink.plan(status=500)
    with pytest.raises(DeliveryFailed) as failed:
        channels.send(message(Channel.wecom))
    assert not isinstance(failed.value, Undeliverable) and "HTTP 500" in str(failed.value)
    fake_sink.plan(hang=1.5)
    with pytest.raises(DeliveryFailed) as failed:
        channels.send(message(Channel.wecom, key="test:2"))
    assert not isinstance(failed.value, Undeliverable) and "超时" in str(failed.value)


def test_the_robots_errcodes_the_rate_limit_later_a_bad_key_for_good(app, fair, fake_sink):
    point_channels_at(fake_sink)
    fake_sink.plan(reply={"errcode": 45009, "errmsg": "api freq out of limit"})
    with pytest.raises(DeliveryFailed) as failed:
        channels.send(message(Channel.wecom))
    assert not isinstance(failed.value, Undeliverable) and failed.value.retry_after == 60
    fake_sink.plan(reply={"errcode": 93000, "errmsg": f"invalid webhook url, key {ROBOT_KEY}-organisers"})
    with pytest.raises(Undeliverable) as failed:
        channels.send(message(Channel.wecom, key="test:2"))
    assert "93000" in str(failed.value) and ROBOT_KEY not in str(failed.value)
    assert fake_sink.delivered() == []


def test_the_worker_keeps_each_robot_under_20_a_minute_without_calling_it():
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    for second in range(20):
        wecom.hold_to_limit(url, now=1000.0 + second)
    with pytest.raises(DeliveryFailed) as failed:
        wecom.hold_to_limit(url, now=1030.0)
    assert failed.value.retry_after == pytest.approx(30) and "key=k" not in str(failed.value)
    wecom.hold_to_limit(url, now=1060.0)  # the first one is a minute old
    wecom.hold_to_limit("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=other", now=1030.0)


def recomputed_signature(got):
    """Alibaba Cloud's V3 signature (ACS3-HMAC-SHA256) worked out anew from what the fake received,
    step by step as the provider documents it."""
    def enc(value):
        return urllib.parse.quote(value, safe="-_.~")
    headers = {k.lower(): v for k, v in got["headers"].items()}
    auth = headers["authorization"]
    assert auth.startswith("ACS3-HMAC-SHA256 ")
    parts = dict(p.split("=", 1) for p in auth.removeprefix("ACS3-HMAC-SHA256 ").split(","))
    names = parts["SignedHeaders"].split(";")
    canonical = "\n".join([
        "POST", got["path"], "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(got["query"].items())),
        "".join(f"{n}:{headers[n].strip()}\n" for n in names), ";".join(names),
        hashlib.sha256(got["raw"].encode()).hexdigest()])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    return parts, hmac.new(SMS_SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def test_a_consenting_company_gets_an_sms_signed_as_alibaba_cloud_documents(app, fair, fake_sink):
    point_channels_at(fake_sink)
    item = request_in(fair, Status.planned)
    item.sms_consent_at = datetime.now(UTC)
    db.session.commit()
    channels.send(message(Channel.sms, Audience.company, request_id=item.id, kind="plan_given", key="plan:7",
                          params={"ticket": "B07-001", "due": "2026-12-31"}))
    (got,) = fake_sink.delivered()
    assert got["form"] == {"PhoneNumbers": "13912345678", "SignName": "泰安市工业推进办",
                           "TemplateCode": "SMS_100000001",
                           "TemplateParam": '{"ticket": "B07-001", "due": "2026-12-31"}', "OutId": "plan:7"}
    assert json.loads(got["form"]["TemplateParam"]) == {"ticket": "B07-001", "due": "2026-12-31"}
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert headers["x-acs-action"] == "SendSms" and headers["x-acs-version"] == "2017-05-25"
    assert headers["x-acs-content-sha256"] == hashlib.sha256(got["raw"].encode()).hexdigest()
    assert datetime.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ")
    parts, signature = recomputed_signature(got)
    assert parts["Credential"] == SMS_KEY_ID and parts["Signature"] == signature
    assert parts["SignedHeaders"] == ("content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;"
                                      "x-acs-signature-nonce;x-acs-version")


def test_the_signature_matches_a_fixed_request_worked_by_hand():
    headers, body = sms.signed_request("https://dysmsapi.aliyuncs.com/", "id", "secret",
                                       {"PhoneNumbers": "139", "SignName": "签 名*"},
                                       datetime(2026, 12, 7, 8, 0, tzinfo=UTC), "nonce")
    assert body == "PhoneNumbers=139&SignName=%E7%AD%BE%20%E5%90%8D%2A"
    canonical = ("POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:dysmsapi.aliyuncs.com\n"
                 "x-acs-action:SendSms\nx-acs-content-sha256:" + hashlib.sha256(body.encode()).hexdigest() +
                 "\nx-acs-date:2026-12-07T08:00:00Z\nx-acs-signature-nonce:nonce\nx-acs-version:2017-05-25\n\n"
                 "content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
                 "x-acs-version\n" + hashlib.sha256(body.encode()).hexdigest())
    expected = hmac.new(b"secret", ("ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()).encode(),
                        hashlib.sha256).hexdigest()
    assert headers["authorization"].endswith(f",Signature={expected}")


def test_no_sms_without_consent_and_a_refused_template_fails_for_good(app, fair, fake_sink):
    point_channels_at(fake_sink)
    item = request_in(fair, Status.planned)
    with pytest.raises(Undeliverable, match="同意"):
        channels.send(message(Channel.sms, Audience.company, request_id=item.id, kind="plan_given"))
    item.sms_consent_at = datetime.now(UTC)
    db.session.commit()
    fake_sink.plan(reply={"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法 13912345678"})
    with pytest.raises(Undeliverable) as failed:
        channels.send(message(Channel.sms, Audience.company, request_id=item.id, kind="plan_given", key="k2"))
    assert "isv.SMS_TEMPLATE_ILLEGAL" in str(failed.value) and "13912345678" not in str(failed.value)
    fake_sink.plan(status=400, reply={"Code": "InvalidAccessKeyId.NotFound", "Message": "access key is not found"})
    with pytest.raises(Undeliverable, match="InvalidAccessKeyId"):
        channels.send(message(Channel.sms, Audience.company, request_id=item.id, kind="plan_given", key="k3"))
    fake_sink.plan(reply={"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"})
    with pytest.raises(DeliveryFailed) as failed:
        channels.send(message(Channel.sms, Audience.company, request_id=item.id, kind="plan_given", key="k4"))
    assert not isinstance(failed.value, Undeliverable)
    fake_sink.plan(status=500)
    with pytest.raises(DeliveryFailed) as failed:
        channels.send(message(Channel.sms, Audience.company, request_id=item.id, kind="plan_given", key="k5"))
    assert not isinstance(failed.value, Undeliverable)


def test_an_email_goes_with_its_envelope_login_utf8_subject_and_a_message_id_from_its_key(app, fair, fake_sink):
    dept = department_of(fair)
    point_channels_at(fake_sink, dept)
    channels.send(message(Channel.email, Audience.department, dept, key="notice:12.a", subject="督办单：请于三日内回复",
                          body="工业和信息化局：\n请于三日内回复督办单。"))
    (got,) = fake_sink.delivered("smtp")
    assert got["mail_from"] == "notify@kiosk.example.cn" and got["rcpt_tos"] == [f"dept{dept}@kiosk.example.cn"]
    assert got["auth"] == {"mechanism": "PLAIN", "login": SMTP_USER, "password": SMTP_PASSWORD}
    assert got["key"] == "notice:12.a" and got["headers"]["Message-ID"] == "<notice%3A12%2Ea@kiosk.example.cn>"
    assert got["subject"] == "督办单：请于三日内回复" and got["text"] == "工业和信息化局：\n请于三日内回复督办单。\n"
    assert got["headers"]["From"] == "notify@kiosk.example.cn"
    assert got["headers"]["To"] == f"dept{dept}@kiosk.example.cn"
    assert 'charset="utf-8"' in got["headers"]["Content-Type"]


def test_smtp_failures_a_4xx_or_a_hang_later_a_5xx_or_no_starttls_for_good(app, fair, fake_sink):
    point_channels_at(fake_sink)
    current_app.config["NOTIFY_TIMEOUT_SECONDS"] = 0.3
    fake_sink.plan(channel="smtp", smtp_reply="451 4.3.0 try again later")
    with pytest.raises(DeliveryFailed) as failed:
        channels.send(message(Channel.email))
    assert not isinstance(failed.value, Undeliverable) and "451" in str(failed.value)
    fake_sink.plan(channel="smtp", hang=1.5)
    with pytest.raises(DeliveryFailed) as failed:
        channels.send(message(Channel.email, key="test:2"))
    assert not isinstance(failed.value, Undeliverable)
    fake_sink.plan(channel="smtp", smtp_reply="554 5.7.1 rejected")
    with pytest.raises(Undeliverable, match="554"):
        channels.send(message(Channel.email, key="test:3"))
    point_channels_at(fake_sink, tls="starttls")  # the fake offers no STARTTLS: nothing goes in the clear
    with pytest.raises(Undeliverable, match="STARTTLS"):
        channels.send(message(Channel.email, key="test:4"))
    assert all(not r["delivered"] for r in fake_sink.received("smtp"))


def test_configured_names_the_channels_that_reach_an_audience(app, fair, fake_sink):
    dept = department_of(fair)
    assert channels.configured(Audience.department, dept) == []
    assert channels.configured(Audience.company) == []
    point_channels_at(fake_sink, dept)
    assert channels.configured(Audience.department, dept) == [Channel.wecom, Channel.email]
    assert channels.configured(Audience.department, department_of(fair, "B01")) == []
    assert channels.configured(Audience.organisers) == [Channel.wecom, Channel.email]
    assert channels.configured(Audience.company) == [Channel.sms]
    ChannelSettings.current().smtp_host = None
    db.session.get(DepartmentChannels, dept).robot_url = None
    assert channels.configured(Audience.department, dept) == []


def test_no_secret_reaches_an_error_or_a_log_line(app, fair, fake_sink, caplog):
    caplog.set_level(logging.DEBUG)
    point_channels_at(fake_sink)
    channels.send(message(Channel.wecom))
    channels.send(message(Channel.sms, kind="test", key="test:sms"))
    channels.send(message(Channel.email, key="test:mail"))
    failures = []
    echoed_key = {"errcode": 40001, "errmsg": f"{ROBOT_KEY}-organisers"}
    for plan, channel in [({"status": 500}, Channel.wecom), ({"reply": echoed_key}, Channel.wecom),
                          ({"reply": {"Code": "SignatureDoesNotMatch", "Message": SMS_SECRET}}, Channel.sms),
                          ({"channel": "smtp", "smtp_reply": f"535 {SMTP_PASSWORD}"}, Channel.email)]:
        fake_sink.plan(**plan)
        with pytest.raises(DeliveryFailed) as failed:
            channels.send(message(channel, kind="test", key=f"fail:{len(failures)}"))
        failures.append(str(failed.value))
    fake_sink.stop()  # nothing listens: a refused connection names the host only
    with pytest.raises(DeliveryFailed) as failed:
        channels.send(message(Channel.wecom, key="fail:down"))
    failures.append(str(failed.value))
    # the kiosk's own log lines and its HTTP client's (the fake SMTP server's own, "mail.log", echo
    # what the test made it answer)
    said = "\n".join(failures + [r.getMessage() for r in caplog.records if not r.name.startswith("mail.")])
    assert "HTTP Request: POST" in said  # httpx did log the requests, without their query
    for secret in (ROBOT_KEY, SMS_SECRET, SMTP_PASSWORD, robot_url(fake_sink)):
        assert secret not in said


def test_reading_the_settings_never_writes_even_before_any_are_saved(app, fair):
    db.session.execute(sa.delete(ChannelSettings))
    db.session.commit()
    assert channels.configured(Audience.organisers) == [] and not db.session.new
    assert ChannelSettings.editable() in db.session.new  # a save adds the row


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl makes the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_smtp_over_tls_checks_the_servers_certificate(app, fair, certificate, mode, monkeypatch):
    cert, key = certificate
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    with FakeSink(**{f"smtp_{mode}": server}) as sink:  # STARTTLS required before any mail
        point_channels_at(sink, tls=mode)
        with pytest.raises(Undeliverable, match="证书无法验证"):  # self-signed: not trusted by the system
            channels.send(message(Channel.email))
        monkeypatch.setattr(email_channel, "tls_context", lambda: ssl.create_default_context(cafile=str(cert)))
        channels.send(message(Channel.email, key="test:tls"))
        (got,) = sink.delivered("smtp")
        assert got["key"] == "test:tls" and got["auth"]["login"] == SMTP_USER


def test_a_channel_that_breaks_unexpectedly_leaves_no_secret_in_the_trace_or_last_error(app, fair, fake_sink,
                                                                                       caplog, monkeypatch):
    """A bug in a channel (an exception neither failure names) quoting the robot's URL: the worker
    records and logs it as a failure for now, the URL scrubbed from its text and its trace."""
    caplog.set_level(logging.DEBUG)
    point_channels_at(fake_sink)

    def broken(url, key, subject, body):
        raise ValueError(f"cannot post to {url}")

    monkeypatch.setattr(wecom, "send", broken)
    sent = message(Channel.wecom, key="broken:1")
    with pytest.raises(DeliveryFailed) as failed:
        channels.send(sent)
    assert "ValueError" in str(failed.value) and ROBOT_KEY not in str(failed.value)
    worker.run_round("test-worker")
    db.session.expire_all()
    kept = db.session.get(OutboxMessage, sent.id)
    assert kept.state is MessageState.pending and "ValueError" in kept.last_error
    logged = "\n".join(r.getMessage() + ("".join(traceback.format_exception(*r.exc_info)) if r.exc_info else "")
                       for r in caplog.records)
    assert "cannot post to" in logged  # the trace is kept for whoever mends the bug ...
    for secret in (ROBOT_KEY, robot_url(fake_sink)):
        assert secret not in kept.last_error and secret not in logged  # ... without the robot's key


def test_a_moves_message_reaches_the_robot_with_its_heading_once(app, fair, fake_sink):
    """The robot's heading is the message's subject, which the channel puts above its body: the
    body a move writes does not say it again."""
    from kiosk.ledger import moves

    item = request_in(fair, Status.closed_out)
    point_channels_at(fake_sink, item.booth.department_id)
    moves.company_verdict(item, accepted=False, rating=2, words="合同还没签")
    db.session.commit()
    worker.run_round("test-worker")
    (robot,) = [got for got in fake_sink.delivered("http") if got["key"].startswith("disputed:")]
    content = robot["json"]["markdown"]["content"]
    assert content.startswith(f"### 企业对销号结果提出异议：{item.ticket_no}\n")
    assert content.count("企业对销号结果提出异议") == 1 and "> 企业意见：合同还没签" in content
