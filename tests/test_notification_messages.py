"""What each move tells whom: departments at once (a 督办单, a dispute, an extension refused), the
organisers (an extension or a parking asked), the company by SMS only while it consents (a plan, an
extension approved, done, closed out). Each message has its key, its audience and its words; a move
refused or rolled back writes none; an SMS carries the ticket, a due date and the link, nothing else."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.intake import sms_consent
from kiosk.ledger import moves
from kiosk.ledger.moves import LedgerRefused
from kiosk.notifications import channels
from kiosk.notifications.models import Audience, Channel, MessageState, OutboxMessage
from kiosk.service_requests import workflow
from kiosk.service_requests.after_fair import ParkCause
from kiosk.service_requests.models import ServiceRequest, Status
from kiosk.supervision import notices, parking
from tests.factories import an_organiser, department_staff, request_in

TODAY = date.today()
DUE = TODAY + timedelta(days=10)
#: what the company typed, which no SMS may carry
PERSONAL = ("甲公司", "王", "13912345678", "用地需求")


@pytest.fixture(autouse=True)
def every_channel(monkeypatch):
    """Robots and e-mail for departments, a robot for organisers, SMS for companies (until the
    channels are configured, configured() answers [])."""
    reach = {Audience.department: [Channel.wecom, Channel.email], Audience.organisers: [Channel.wecom],
             Audience.company: [Channel.sms]}
    monkeypatch.setattr(channels, "configured", lambda audience, department_id=None: list(reach[audience]))


def sent(**where) -> list[OutboxMessage]:
    db.session.expire_all()
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query))


def keys(**where) -> list[str]:
    return [m.key for m in sent(**where)]


def planned(fair, *, consent=True) -> ServiceRequest:
    return request_in(fair, Status.planned, due=DUE, sms_consent=consent)


def test_a_plan_given_texts_the_company_that_consented_its_ticket_due_date_and_link_only(app, fair):
    item = planned(fair)
    [sms] = sent(audience=Audience.company)
    assert sms.key == f"plan_given:event:{item.events[-1].id}:company:sms"
    assert sms.channel is Channel.sms and sms.request_id == item.id and sms.kind == "plan_given"
    assert sms.params == {"ticket": item.ticket_no, "due": DUE.isoformat(),
                          "link": f"http://127.0.0.1:5000/t/{item.token}"}
    assert sms.body == f"您的需求{item.ticket_no}已有解决方案，完成时限{DUE}。办理进展：http://127.0.0.1:5000/t/{item.token}"
    assert not any(word in sms.body + str(sms.params) + sms.subject for word in PERSONAL)


def test_no_sms_without_consent(app, fair, organiser):
    item = planned(fair, consent=False)
    moves.finish(item, department_staff(item.booth.department), item.version, result="已办结", evidence="")
    moves.confirm(item, organiser, item.version)
    db.session.commit()
    assert sent(audience=Audience.company) == []


def test_no_sms_once_consent_is_withdrawn_and_the_unsent_ones_are_dropped(app, fair, organiser):
    item = planned(fair)
    assert sms_consent.withdraw(item) is True
    db.session.commit()
    assert [m.state for m in sent(audience=Audience.company)] == [MessageState.dropped]
    item = db.session.get(ServiceRequest, item.id)
    assert item.sms_consent_at is None and item.events[-1].kind.value == "sms_opted_out"
    assert "第1版" in item.events[-1].detail
    moves.finish(item, department_staff(item.booth.department), item.version, result="已办结", evidence="")
    db.session.commit()
    assert len(sent(audience=Audience.company)) == 1
    assert sms_consent.withdraw(item) is False  # a second tap writes nothing


def test_each_company_text_on_the_way_to_close_out(app, fair, organiser):
    item = planned(fair)
    staff = department_staff(item.booth.department)
    moves.ask_extension(item, staff, item.version, new_due=DUE + timedelta(days=20), reason="等待指标", today=TODAY)
    extension = item.pending_extension
    moves.approve_extension(item, organiser, item.version, today=TODAY)
    moves.finish(item, staff, item.version, result="已办结", evidence="")
    done_event = item.events[-1].id
    moves.confirm(item, organiser, item.version)
    db.session.commit()
    texts = sent(audience=Audience.company)
    assert [m.kind for m in texts] == ["plan_given", "extension_approved", "done_awaiting_confirmation", "closed_out"]
    assert texts[1].key == f"extension_approved:extension:{extension.id}:company:sms"
    assert texts[1].params["due"] == (DUE + timedelta(days=20)).isoformat()
    assert texts[2].key == f"done_awaiting_confirmation:event:{done_event}:company:sms" and "due" not in texts[2].params
    assert "确认是否满意" in texts[3].body
    for text in texts:
        assert set(text.params) <= {"ticket", "due", "link"}
        assert not any(word in text.body + str(text.params) for word in PERSONAL)


def test_an_extension_asked_goes_to_the_organisers_and_its_refusal_to_the_department(app, fair, organiser):
    item = planned(fair)
    department = item.booth.department_id
    moves.ask_extension(item, department_staff(item.booth.department), item.version, new_due=DUE + timedelta(days=5),
                        reason="等待省厅批复", today=TODAY)
    extension = item.pending_extension
    db.session.commit()
    [asked] = sent(audience=Audience.organisers)
    assert asked.key == f"extension-asked:{extension.id}:organisers:wecom" and asked.department_id is None
    assert asked.subject == f"延期申请待审批：{item.ticket_no}" and "等待省厅批复" in asked.body
    assert f"/ledger/items/{item.id})" in asked.body
    moves.refuse_extension(item, organiser, item.version, reason="理由不充分")
    db.session.commit()
    refused = sent(audience=Audience.department)
    assert [m.key for m in refused] == [f"extension-refused:{extension.id}:dept:{department}:wecom",
                                        f"extension-refused:{extension.id}:dept:{department}:email"]
    assert all(m.department_id == department and "理由不充分" in m.body for m in refused)
    assert refused[1].body.startswith(f"延期申请未获批准：{item.ticket_no}\n")  # e-mail: plain text
    assert f"查看事项：http://127.0.0.1:5000/ledger/items/{item.id}" in refused[1].body


def test_a_dispute_goes_to_the_department_with_the_companys_words_a_confirmation_to_nobody(app, fair, organiser):
    disputed, confirmed = request_in(fair, Status.closed_out), request_in(fair, Status.closed_out)
    before = len(sent())
    moves.company_verdict(confirmed, accepted=True, rating=5, words=None)
    db.session.commit()
    assert len(sent()) == before
    verdict = moves.company_verdict(disputed, accepted=False, rating=2, words="合同还没签")
    db.session.commit()
    department = disputed.booth.department_id
    assert keys(kind="disputed") == [f"disputed:{verdict.id}:dept:{department}:wecom",
                                     f"disputed:{verdict.id}:dept:{department}:email"]
    assert "合同还没签" in sent(kind="disputed")[0].body


def test_a_notice_issued_goes_to_its_department(app, fair, organiser):
    item = planned(fair)
    notice = notices.issue(item.booth.department, organiser, {item.id: item.version},
                           reply_by=TODAY + timedelta(days=5), text="请加快办理", today=TODAY)
    db.session.commit()
    department = item.booth.department_id
    [robot, mail] = sent(kind="notice-issued")
    assert robot.key == f"notice-issued:{notice.id}:dept:{department}:wecom" and mail.channel is Channel.email
    assert robot.subject == f"督办单 {notice.official_number}" and "请加快办理" in robot.body
    assert f"/supervision/notices/{notice.id})" in robot.body


def test_a_parking_asked_goes_to_the_organisers(app, fair, organiser):
    item = planned(fair)
    found = parking.ask(item, department_staff(item.booth.department), item.version, cause=ParkCause.policy,
                        explanation="需市政府协调", review_on=TODAY + timedelta(days=30), today=TODAY)
    db.session.commit()
    assert keys(kind="park-asked") == [f"park-asked:{found.id}:organisers:wecom"]
    assert "需市政府协调" in sent(kind="park-asked")[0].body


def test_a_refused_move_writes_no_message_and_a_rolled_back_one_leaves_none(app, fair, organiser):
    item = planned(fair)
    before = len(sent())
    with pytest.raises(LedgerRefused):
        moves.ask_extension(item, department_staff(item.booth.department), item.version,
                            new_due=TODAY - timedelta(days=1), reason="过去的日期", today=TODAY)
    db.session.rollback()
    item = db.session.get(ServiceRequest, item.id)
    moves.finish(item, department_staff(item.booth.department), item.version, result="已办结", evidence="")
    db.session.rollback()
    assert len(sent()) == before


def test_nothing_is_written_while_no_channel_is_configured(app, fair, monkeypatch):
    monkeypatch.setattr(channels, "configured", lambda audience, department_id=None: [])
    item = planned(fair)
    moves.finish(item, department_staff(item.booth.department), item.version, result="已办结", evidence="")
    db.session.commit()
    assert sent() == []


def test_a_plan_given_again_after_a_reopen_is_a_new_text(app, fair):
    item = planned(fair)
    actor = an_organiser()
    workflow.reopen(item, actor, item.version, reason="记错了")
    workflow.plan(item, actor, item.version, plan_text="新方案", unit="规划科", person="赵", due=DUE, today=TODAY)
    db.session.commit()
    assert len(sent(kind="plan_given")) == 2


def test_an_organisers_own_extension_texts_the_company_as_an_approval_does(app, fair, organiser):
    item = planned(fair)
    moves.extend(item, organiser, item.version, new_due=DUE + timedelta(days=9), reason="季度对账延期", today=TODAY)
    db.session.commit()
    [_, extended] = sent(audience=Audience.company)
    assert extended.kind == "extension_approved" and extended.params["due"] == (DUE + timedelta(days=9)).isoformat()
    assert extended.key == f"extension_approved:extension:{item.extension_requests[-1].id}:company:sms"


def test_a_companys_words_reach_a_robot_as_text_never_as_a_link_or_markup(app, fair, organiser):
    """What a company typed (its dispute's words) goes into a department's group chat: WeCom's Markdown
    must not make a link of it (a government group would tap it) nor a font, code or bold."""
    item = request_in(fair, Status.closed_out)
    words = '没办好，详见[官方整改通知](http://evil.example/x) <font color="warning">**紧急**</font> `x`'
    moves.company_verdict(item, accepted=False, rating=1, words=words)
    db.session.commit()
    robot, mail = sent(kind="disputed")
    assert robot.channel is Channel.wecom and mail.channel is Channel.email
    (said,) = [line for line in robot.body.splitlines() if line.startswith("> 企业意见")]
    assert "官方整改通知" in said and "evil.example" in said  # said, as text
    for markup in ("](", "<font", "**紧急", "`x`"):
        assert markup not in said
    assert robot.body.endswith(")") and robot.body.count("](") == 1  # the kiosk's own link, to the item
    assert words in mail.body  # plain text: as typed


def test_the_sent_pages_name_each_kind_in_the_kiosks_words(app):
    from kiosk.notifications.messages import kind_label

    with app.test_request_context():
        assert str(kind_label("done_awaiting_confirmation")) == "已办结，待销号"  # the organisers confirm next
        assert str(kind_label("test")) == "测试消息"  # a robot's or a mailbox's test as much as an SMS's
