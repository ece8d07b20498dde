"""The organisers' channels page (/notifications/channels): configuring each channel, secrets
written once and shown masked, bad input refused beside its field with everything typed kept, and
the "send a test" buttons, whose message the worker sends to the fake sink."""
import re

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.notifications import worker
from kiosk.notifications.channel_models import ChannelSettings, DepartmentChannels, TlsMode
from kiosk.notifications.models import MessageState, OutboxMessage
from tests.helpers import csrf_token, login
from tests.notify_fakes import SMS_TEMPLATES, point_channels_at, robot_url

PAGE = "/notifications/channels"
ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def post(client, path, **data):
    return client.post(f"{PAGE}/{path}", data={"csrf_token": csrf_token(client, PAGE), **data})


def department_id(fair, code="B07"):
    return next(b for b in fair.booths if b.code == code).department_id


def stored():
    db.session.expire_all()
    return ChannelSettings.current()


def test_only_organisers_reach_the_page_and_its_menu_links_it(client, fair, organiser):
    assert client.get(PAGE).status_code == 302  # to sign in
    login(client, "b07")
    assert client.get(PAGE).status_code == 403
    client.get("/logout")
    html = login(client, "organiser").get(PAGE).get_data(as_text=True)
    assert f'href="{PAGE}"' in html and "通知通道" in html


def test_robots_and_emails_are_saved_for_organisers_and_departments_and_the_url_shown_masked(
        client, fair, organiser):
    login(client, "organiser")
    dept = department_id(fair)
    answer = post(client, "addresses", organisers_robot=ROBOT, organisers_emails="office@city.gov.cn；lead@city.gov.cn",
                  **{f"robot_{dept}": ROBOT + "-b07", f"emails_{dept}": "b07@city.gov.cn"})
    assert answer.status_code == 303
    assert stored().organisers_robot_url == ROBOT
    assert stored().organisers_emails == "office@city.gov.cn, lead@city.gov.cn"
    assert db.session.get(DepartmentChannels, dept).robot_url == ROBOT + "-b07"
    html = client.get(PAGE).get_data(as_text=True)
    assert "0a1b2c3d" not in html and "••••6789" in html and "••••-b07" in html
    assert "b07@city.gov.cn" in html  # addresses are not secrets
    # saved again with the robot fields empty: the stored URLs stay; the remove box clears one
    post(client, "addresses", organisers_emails="office@city.gov.cn", **{f"clear_{dept}": "y"})
    assert stored().organisers_robot_url == ROBOT and db.session.get(DepartmentChannels, dept).robot_url is None


def test_a_bad_robot_url_or_email_is_refused_beside_its_field_and_nothing_typed_is_lost(client, fair, organiser):
    login(client, "organiser")
    dept = department_id(fair)
    # a robot's real URL, key and all, pasted with http:// for https://: refused, and never written
    # back into the page (the key is a secret even in a URL the form refuses)
    answer = post(client, "addresses", organisers_robot=ROBOT.replace("https://", "http://"),
                  organisers_emails="office@city", **{f"emails_{dept}": "b07@city.gov.cn"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert re.search(r'id="organisers_robot-error">请粘贴企业微信群机器人的完整 Webhook 地址', html)
    assert 'id="organisers_emails-error">这不是有效的电子邮件地址：office@city' in html
    assert "0a1b2c3d" not in html and 'value="b07@city.gov.cn"' in html
    assert stored().organisers_emails is None  # nothing saved
    # plain http only to this machine (the demo's sink): a robot's key never crosses a network in the clear
    assert post(client, "addresses", organisers_robot="http://10.0.0.5/cgi-bin/webhook/send?key=1").status_code == 422
    assert post(client, "addresses", organisers_robot="http://127.0.0.1:8025/cgi-bin/webhook/send?key=1"
                ).status_code == 303


def test_smtp_settings_a_port_out_of_range_and_a_password_kept_write_only(client, fair, organiser):
    login(client, "organiser")
    answer = post(client, "smtp", host="smtp.city.gov.cn", port="70000", tls="ssl", user="notify",
                  password="s3cret-password", sender="notify@city.gov.cn")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="port-error">端口应是 1 到 65535 之间的整数' in html
    assert 'value="smtp.city.gov.cn"' in html and "s3cret-password" not in html
    assert post(client, "smtp", host="smtp.city.gov.cn", port="465", tls="ssl", user="notify",
                password="s3cret-password", sender="notify@city.gov.cn").status_code == 303
    settings = stored()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_tls) == ("smtp.city.gov.cn", 465, TlsMode.ssl)
    assert settings.smtp_password == "s3cret-password"
    html = client.get(PAGE).get_data(as_text=True)
    assert "s3cret-password" not in html and "••••word" in html
    post(client, "smtp", host="smtp.city.gov.cn", port="587", tls="starttls", sender="notify@city.gov.cn")
    assert stored().smtp_password == "s3cret-password" and stored().smtp_port == 587


def test_sms_settings_need_the_secret_once_and_check_template_codes_and_the_endpoint(client, fair, organiser):
    login(client, "organiser")
    base = {"access_key_id": "LTAI5tAbc", "sign_name": "泰安市工业推进办", **SMS_TEMPLATES}
    html = post(client, "sms", **base).get_data(as_text=True)
    assert 'id="access_key_secret-error">请填写 AccessKey Secret' in html
    html = post(client, "sms", **{**base, "access_key_secret": "k" * 30, "plan_given": "12345",
                                  "endpoint": "http://sms.example.com/"}).get_data(as_text=True)
    assert "模板 Code 形如 SMS_123456789" in html and "接口地址应以 https:// 开头" in html
    assert 'value="泰安市工业推进办"' in html and "k" * 30 not in html
    assert post(client, "sms", **{**base, "access_key_secret": "k" * 26 + "a1b2"}).status_code == 303
    settings = stored()
    assert settings.sms_ready and settings.sms_templates == SMS_TEMPLATES and settings.sms_endpoint is None
    assert "••••a1b2" in client.get(PAGE).get_data(as_text=True)


def test_send_a_test_saves_enqueues_and_the_worker_delivers_it_to_the_fake(client, fair, organiser, fake_sink):
    login(client, "organiser")
    dept = department_id(fair)
    point_channels_at(fake_sink, dept)
    answer = post(client, "addresses", organisers_emails="office@kiosk.example.cn",
                  **{f"emails_{dept}": "b07@kiosk.example.cn", "send_test": f"wecom:{dept}"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#tests")
    (test,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert (test.kind, test.department_id, test.state) == ("test", dept, MessageState.pending)
    html = client.get(PAGE).get_data(as_text=True)
    assert 'hx-trigger="every 3s"' in html and "等待发送" in html
    assert worker.run_round("test-worker") == 1
    (got,) = fake_sink.delivered()
    assert got["query"]["key"] == robot_url(fake_sink, f"d{dept}").rpartition("key=")[2]
    assert "测试消息" in got["json"]["markdown"]["content"]
    fragment = client.get(f"{PAGE}/tests")
    assert fragment.status_code == 286 and "已送达通道" in fragment.get_data(as_text=True)


def test_a_test_that_cannot_go_says_why_and_keeps_what_was_saved(client, fair, organiser):
    login(client, "organiser")
    answer = post(client, "addresses", organisers_emails="office@city.gov.cn", send_test="email:organisers")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "已保存，但没有发送测试：还没有配置 SMTP 服务器" in html
    assert stored().organisers_emails == "office@city.gov.cn"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    html = post(client, "addresses", send_test="wecom:organisers").get_data(as_text=True)
    assert "还没有填写群机器人地址" in html


def test_a_test_message_says_its_time_as_the_office_reads_its_clock(client, fair, organiser, fake_sink, monkeypatch):
    from datetime import UTC, datetime

    from kiosk.notifications import channel_views

    monkeypatch.setattr(channel_views, "now_aware", lambda: datetime(2026, 12, 7, 6, 30, tzinfo=UTC))
    login(client, "organiser")
    point_channels_at(fake_sink)
    post(client, "addresses", send_test="wecom:organisers")
    (test,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert "（2026-12-07 14:30）" in test.body and "UTC" not in test.body  # Beijing time, the fair's
