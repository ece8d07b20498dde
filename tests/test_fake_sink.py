"""The channels' fake far end (scripts/fake_sink.py) that the notification tests and the demo use:
it keeps each message once per idempotency key, counts repeats, and fails when told to."""
import smtplib
from email.message import EmailMessage

import httpx
import pytest


def test_the_sink_keeps_one_message_per_key_and_counts_repeats(fake_sink):
    for _ in range(2):
        answer = httpx.post(f"{fake_sink.http_url}/cgi-bin/webhook/send?key=k", json={"msgtype": "markdown"},
                            headers={"Idempotency-Key": "a"})
        assert answer.json() == {"errcode": 0, "errmsg": "ok"}
    httpx.post(f"{fake_sink.http_url}/", data={"Action": "SendSms", "OutId": "b"})
    assert fake_sink.counts() == {"a": 2, "b": 1}
    assert [r["key"] for r in fake_sink.delivered()] == ["a", "b"]
    assert fake_sink.delivered()[0]["query"] == {"key": "k"}
    assert httpx.get(f"{fake_sink.http_url}/_sink/received").json()["counts"] == {"a": 2, "b": 1}


def test_a_planned_500_is_not_a_delivery_and_a_hang_outlasts_the_client(fake_sink):
    fake_sink.plan(status=500)
    assert httpx.post(fake_sink.http_url, json={}, headers={"Idempotency-Key": "a"}).status_code == 500
    fake_sink.plan(hang=1.0)
    with pytest.raises(httpx.TimeoutException):
        httpx.post(fake_sink.http_url, json={}, headers={"Idempotency-Key": "a"}, timeout=0.2)
    assert fake_sink.wait_for(1)[0]["key"] == "a"  # it got there, late: the client cannot know
    assert [r["status"] for r in fake_sink.received()] == [500, 200]


def test_the_smtp_side_records_envelope_headers_and_the_key_from_the_message_id(fake_sink):
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "督办单", "kiosk@example.cn", "dept@example.cn"
    message["Message-ID"] = "<notice%3A7@example.cn>"
    message.set_content("请于三日内回复")
    with smtplib.SMTP(fake_sink.host, fake_sink.smtp_port, timeout=5) as smtp:
        smtp.send_message(message)
    fake_sink.plan(channel="smtp", smtp_reply="451 4.3.0 try again later")
    with smtplib.SMTP(fake_sink.host, fake_sink.smtp_port, timeout=5) as smtp, \
            pytest.raises(smtplib.SMTPDataError):
        smtp.send_message(message)
    (mail,) = fake_sink.delivered("smtp")
    assert (mail["key"], mail["subject"], mail["text"].strip()) == ("notice:7", "督办单", "请于三日内回复")
    assert mail["rcpt_tos"] == ["dept@example.cn"] and mail["mail_from"] == "kiosk@example.cn"
    assert fake_sink.counts("smtp") == {"notice:7": 1}
