"""Each department sees what was sent to it, and when; never another department's messages;
organisers see every message, filtered by whom it was for; booth staff see none."""
from datetime import date, timedelta

import pytest

from kiosk.core.extensions import db
from kiosk.ledger import moves
from kiosk.notifications import channels
from kiosk.notifications.models import Audience, Channel
from kiosk.service_requests.models import Status
from tests.factories import booth, department_staff, request_in
from tests.helpers import login


@pytest.fixture
def sent(app, fair, organiser, monkeypatch):
    """An extension refused at B07 (to its department), one asked at F01 (to the organisers), and a
    text to B07's company."""
    reach = {Audience.department: [Channel.wecom], Audience.organisers: [Channel.email],
             Audience.company: [Channel.sms]}
    monkeypatch.setattr(channels, "configured", lambda audience, department_id=None: list(reach[audience]))
    for code in ("B07", "F01"):
        department_staff(booth(fair, code).department, username=f"dept-{code.lower()}")
    today, ours = date.today(), request_in(fair, Status.planned, "B07", sms_consent=True)
    theirs = request_in(fair, Status.planned, "F01")
    for item, reason in ((ours, "等待指标"), (theirs, "银行审批中")):
        moves.ask_extension(item, department_staff(item.booth.department), item.version,
                            new_due=today + timedelta(days=30), reason=reason, today=today)
    moves.refuse_extension(ours, organiser, ours.version, reason="理由不足")
    db.session.commit()
    return {"ours": ours, "theirs": theirs}


def page(client, url="/notifications/sent") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_department_sees_its_own_messages_with_their_time_channel_and_state(client, sent):
    shown = page(login(client, "dept-b07"))
    assert f"延期申请未获批准：{sent['ours'].ticket_no}" in shown and "理由不足" in shown
    assert "企业微信群机器人" in shown and "待发送" in shown
    assert "银行审批中" not in shown and "延期申请待审批" not in shown  # the organisers' message
    assert "已出解决方案" not in shown  # the company's text


def test_another_department_sees_none_of_them_whatever_it_asks(client, sent, fair):
    login(client, "dept-f01")
    department = booth(fair, "B07").department_id
    for url in ("/notifications/sent", f"/notifications/sent?to={department}", "/notifications/sent?to=organisers"):
        shown = page(client, url)
        assert "理由不足" not in shown and "银行审批中" not in shown and "no-sent" in shown, url


def test_organisers_see_every_message_and_filter_by_whom_it_was_for(client, sent, fair):
    login(client, "organiser")
    everything = page(client)
    assert "理由不足" in everything and "银行审批中" in everything and "已出解决方案" in everything
    assert f"/t/{sent['ours'].token}" not in everything  # a text's link stays in the outbox
    department = booth(fair, "B07").department_id
    theirs = page(client, f"/notifications/sent?to={department}")
    assert "理由不足" in theirs and "银行审批中" not in theirs
    organisers = page(client, "/notifications/sent?to=organisers")
    assert "银行审批中" in organisers and "理由不足" not in organisers
    assert "已出解决方案" in page(client, "/notifications/sent?to=company")


def test_the_ledger_home_and_the_organisers_menu_link_it_booth_staff_are_refused(client, sent):
    assert 'id="sent-link"' in page(login(client, "dept-b07"), "/ledger")
    boss = login(client.application.test_client(), "organiser")
    assert 'href="/notifications/sent"' in page(boss, "/ledger")
    staff = login(client.application.test_client(), "b07")
    assert staff.get("/notifications/sent").status_code == 403
