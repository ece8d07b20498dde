"""The handover after a fair's close (交办) and the departments' receipts (签收): the lists an organiser
prints, department by department, with exactly that department's items of that fair; the handover
recorded once on each item's trail; a department acknowledging one item or all it was shown, and
nothing else; the organisers' view of who has not acknowledged."""
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from kiosk.core.extensions import db
from kiosk.fairs.models import Fair
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status
from kiosk.supervision import handover, handover_figures
from kiosk.supervision.handover import HandoverRefused
from kiosk.supervision.handover_models import HandoverEntry, HandoverList
from tests.factories import booth, department_staff, make_fair, request_in
from tests.helpers import csrf_token, login, pdf_text

DUE = date.today() + timedelta(days=20)


def fresh(item) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


def closed(fair, organiser, now=None):
    close_fair(db.session.get(Fair, fair.id), organiser, now=now)
    db.session.commit()
    return fair


def second_fair(name, prefix):
    """Another fair with the same departments at its booths (the same day, as make_fair's)."""
    fair = make_fair(prefix=prefix)
    fair.name = name
    db.session.commit()
    return fair


def events(item, kind) -> list[RequestEvent]:
    return db.session.scalars(sa.select(RequestEvent).filter_by(request_id=item.id, kind=kind)).all()


def print_list(client, fair, department=None):
    token = csrf_token(client, f"/supervision/handover/fairs/{fair.id}")
    data = {"csrf_token": token, **({"department": department.id} if department is not None else {})}
    return client.post(f"/supervision/handover/fairs/{fair.id}/print", data=data)


@pytest.fixture
def world(app, organiser):
    """Two fairs on one day, both closed: at the first, B07 (工业和信息化局) has two plans (one done
    since) and B01 one, with a request resolved on the spot and one withdrawn, none of them on a
    list; at the second, B07 has one plan of the same ticket number as the first's."""
    fair = make_fair()
    items = {
        "b07": request_in(fair, Status.planned, "B07", due=DUE, need="新建厂房用地30亩"),
        "b07_done": request_in(fair, Status.done, "B07", due=DUE, need="技改项目能耗指标"),
        "b01": request_in(fair, Status.planned, "B01", due=DUE, need="规划许可证办理"),
        "resolved": request_in(fair, Status.resolved, "B07", need="政策咨询当场答复"),
        "withdrawn": request_in(fair, Status.withdrawn, "B07", need="重复提交的需求"),
    }
    other = second_fair("第二场要素保障大集", "x")
    items["other"] = request_in(other, Status.planned, "B07", due=DUE, need="另一场大集的用地需求")
    closed(fair, organiser)
    closed(other, organiser)
    # (B07's department has its account already: the done item was recorded done by it)
    staff = department_staff(booth(fair, "B07").department)
    other_staff = department_staff(booth(fair, "B01").department)
    db.session.commit()
    return {"fair": fair, "other": other, "items": items, "staff": staff, "other_staff": other_staff}


@pytest.fixture
def boss(app, organiser):
    return login(app.test_client(), "organiser")


@pytest.fixture
def dept(app, world):
    return login(app.test_client(), world["staff"].username)


def test_a_departments_list_holds_exactly_its_items_of_that_fair_with_its_columns_and_signatures(boss, world):
    fair, items = world["fair"], world["items"]
    answer = print_list(boss, fair, booth(fair, "B07").department)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].endswith(f'handover-{fair.id}-{booth(fair, "B07").department_id}.pdf"')
    text = pdf_text(answer.data)
    flat = re.sub(r"\s+", "", text)
    # That department's plans of that fair, done or not; nothing of B01, nothing resolved on the
    # spot or withdrawn, nothing of the other fair (whose ticket number is the same as one here).
    for key in ("b07", "b07_done"):
        assert items[key].need in flat and items[key].qualified_no in flat
    for key in ("b01", "resolved", "withdrawn", "other"):
        assert items[key].need not in flat
    assert items["other"].qualified_no not in flat
    assert items["other"].ticket_no == items["b07"].ticket_no  # (the same ticket at both fairs)
    for heading in ("序号", "需求编号", "企业", "需求", "解决方案", "责任单位/责任人", "完成时限"):
        assert heading in flat
    assert "会后踏勘" in flat and "规划科" in flat and "赵科长" in flat and DUE.isoformat() in flat
    assert fair.name in flat and "举办日期：2026-06-13" in flat
    assert booth(fair, "B07").department.name in flat and "共2项" in flat
    assert "交办〔" in flat and "接收单位（盖章）：" in flat and "签收人：" in flat and "签收日期：" in flat
    assert "第1页/共1页" in flat


def test_printing_records_the_handover_once_per_item_naming_the_list(boss, world):
    fair, items = world["fair"], world["items"]
    department = booth(fair, "B07").department
    assert print_list(boss, fair, department).status_code == 200
    listed = db.session.scalar(sa.select(HandoverList).filter_by(fair_id=fair.id, department_id=department.id))
    assert listed.prints == 1 and listed.number == f"交办〔{listed.year}〕1号"
    dispatched = events(items["b07"], EventKind.dispatched)
    assert len(dispatched) == 1 and dispatched[0].detail.startswith(listed.number)
    assert department.name in dispatched[0].detail and fair.name in dispatched[0].detail
    assert events(items["b01"], EventKind.dispatched) == []  # another department's list, not printed
    # Printed again, and with every list: nothing recorded twice; B01's list is numbered next.
    assert print_list(boss, fair, department).status_code == 200
    assert print_list(boss, fair).status_code == 200
    db.session.expire_all()
    assert len(events(items["b07"], EventKind.dispatched)) == 1
    assert len(events(items["b07_done"], EventKind.dispatched)) == 1
    assert len(events(items["b01"], EventKind.dispatched)) == 1
    assert db.session.get(HandoverList, listed.id).prints == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoverEntry)) == 3
    b01 = db.session.scalar(sa.select(HandoverList).filter_by(department_id=booth(fair, "B01").department_id))
    assert b01.seq == 2


def test_every_departments_list_in_one_pdf_each_on_pages_of_its_own(boss, world):
    fair = world["fair"]
    answer = print_list(boss, fair)
    assert answer.status_code == 200 and answer.headers["Content-Disposition"].endswith(f'handover-{fair.id}-all.pdf"')
    pages = [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(answer.data)).pages]
    assert len(pages) == 2
    names = [booth(fair, code).department.name for code in ("B07", "B01")]
    # Each page holds one department's list, numbered from its own first page.
    assert sorted(next(n for n in names if n in page) for page in pages) == sorted(names)
    assert all("第1页" in page and "接收单位（盖章）" in page for page in pages)
    assert world["items"]["b01"].need in next(page for page in pages if names[1] in page)
    assert world["items"]["b01"].need not in next(page for page in pages if names[0] in page)


def test_a_fair_not_yet_closed_has_no_list_to_print(app, boss, organiser):
    fair = make_fair()
    request_in(fair, Status.planned, "B07", due=DUE)
    answer = print_list(boss, fair)
    assert answer.status_code == 303
    page = boss.get(answer.headers["Location"]).get_data(as_text=True)
    assert "还没有闭幕" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoverList)) == 0


def test_a_department_acknowledges_one_item_on_its_page_and_a_double_post_is_harmless(dept, world):
    item = world["items"]["b07"]
    page = dept.get(f"/ledger/items/{item.id}").get_data(as_text=True)
    assert "签收这项交办事项" in page and "未签收，签收期限" in page
    url = f"/supervision/handover/items/{item.id}/acknowledge"
    data = {"csrf_token": csrf_token(dept, f"/ledger/items/{item.id}"), "version": fresh(item).version}
    # Without the tick: the page again, the box open, nothing kept.
    refused = dept.post(url, data=data)
    assert refused.status_code == 422 and "还没有勾选确认" in refused.get_data(as_text=True)
    assert fresh(item).acknowledged_at is None
    answer = dept.post(url, data={**data, "confirmed": "yes"})
    assert answer.status_code == 303
    assert "已签收" in dept.get(answer.headers["Location"]).get_data(as_text=True)
    done = fresh(item)
    assert done.acknowledged_at is not None and done.status is Status.planned
    receipts = events(item, EventKind.acknowledged)
    assert len(receipts) == 1 and receipts[0].actor_id == world["staff"].id
    # The same POST again (a double tap, its version now stale): harmless, nothing written twice.
    again = dept.post(url, data={**data, "confirmed": "yes"})
    assert again.status_code == 303
    assert "已经签收过了" in dept.get(again.headers["Location"]).get_data(as_text=True)
    assert len(events(item, EventKind.acknowledged)) == 1 and fresh(item).acknowledged_at == done.acknowledged_at


def test_a_receipt_on_a_stale_page_is_a_conflict(dept, world):
    item = world["items"]["b07"]
    url = f"/supervision/handover/items/{item.id}/acknowledge"
    data = {"csrf_token": csrf_token(dept, f"/ledger/items/{item.id}"), "version": fresh(item).version - 1,
            "confirmed": "yes"}
    answer = dept.post(url, data=data)
    assert answer.status_code == 409 and "刚被其他人更新过" in answer.get_data(as_text=True)
    assert fresh(item).acknowledged_at is None and events(item, EventKind.acknowledged) == []


def test_acknowledge_all_takes_the_items_the_home_showed_and_nothing_that_came_since(app, dept, world, organiser):
    home = dept.get("/ledger").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'name="items" value="(\d+)"', home)]
    items = world["items"]
    # B07's planned items of both fairs (the done one was plainly received): nothing of B01.
    assert sorted(shown) == sorted([items["b07"].id, items["other"].id])
    assert "签收全部 2 项" in home
    # Another fair closes after the page was shown: its item waits for the next receipt.
    third = second_fair("第三场要素保障大集", "y")
    later = request_in(third, Status.planned, "B07", due=DUE)
    closed(third, organiser)
    data = {"csrf_token": csrf_token(dept, "/ledger"), "items": shown}
    assert dept.post("/supervision/handover/acknowledge", data=data).status_code == 422  # no tick
    assert fresh(items["b07"]).acknowledged_at is None
    answer = dept.post("/supervision/handover/acknowledge", data={**data, "confirmed": "yes"})
    assert answer.status_code == 303
    assert "已签收 2 项交办事项" in dept.get(answer.headers["Location"]).get_data(as_text=True)
    assert all(fresh(items[k]).acknowledged_at is not None for k in ("b07", "other"))
    assert fresh(later).acknowledged_at is None and fresh(items["b01"]).acknowledged_at is None
    assert fresh(items["b07_done"]).acknowledged_at is None
    # The home now offers the one that came since, and the same POST again records nothing.
    home = dept.get("/ledger").get_data(as_text=True)
    assert re.findall(r'name="items" value="(\d+)"', home) == [str(later.id)] and "签收全部 1 项" in home
    again = dept.post("/supervision/handover/acknowledge", data={**data, "confirmed": "yes"})
    assert "这些事项都已签收过了" in dept.get(again.headers["Location"]).get_data(as_text=True)
    assert len(events(items["b07"], EventKind.acknowledged)) == 1


def test_another_departments_forged_receipt_is_refused_and_keeps_nothing(app, world):
    other_department = login(app.test_client(), world["other_staff"].username)
    items = world["items"]
    token = csrf_token(other_department, "/ledger")
    forged = other_department.post("/supervision/handover/acknowledge", data={
        "csrf_token": token, "items": [items["b01"].id, items["b07"].id], "confirmed": "yes"})
    assert forged.status_code == 404
    one = other_department.post(f"/supervision/handover/items/{items['b07'].id}/acknowledge", data={
        "csrf_token": token, "version": fresh(items["b07"]).version, "confirmed": "yes"})
    assert one.status_code == 404
    # Nothing of the forged batch was kept, not even B01's own item in it.
    assert fresh(items["b07"]).acknowledged_at is None and fresh(items["b01"]).acknowledged_at is None
    with pytest.raises(HandoverRefused) as refused:
        handover.acknowledge(fresh(items["b07"]), department_staff(booth(world["fair"], "B01").department),
                             fresh(items["b07"]).version)
    assert refused.value.code == "not_yours"


def test_an_organiser_cannot_acknowledge_for_a_department(boss, world, organiser):
    item = world["items"]["b07"]
    answer = boss.post(f"/supervision/handover/items/{item.id}/acknowledge", data={
        "csrf_token": csrf_token(boss, f"/ledger/items/{item.id}"), "version": fresh(item).version,
        "confirmed": "yes"})
    assert answer.status_code == 409 and "组织方不能代为签收" in answer.get_data(as_text=True)
    assert "签收这项交办事项" not in boss.get(f"/ledger/items/{item.id}").get_data(as_text=True)
    assert fresh(item).acknowledged_at is None


def test_the_trail_shows_the_handover_and_the_receipt(boss, dept, world):
    item = world["items"]["b07"]
    print_list(boss, world["fair"], booth(world["fair"], "B07").department)
    handover.acknowledge(fresh(item), world["staff"], fresh(item).version)
    db.session.commit()
    number = db.session.scalar(sa.select(HandoverList.seq))
    page = boss.get(f"/ledger/items/{item.id}").get_data(as_text=True)
    trail = page[page.index("办理轨迹"):]
    assert "交办" in trail and f"交办〔{date.today().year}〕{number}号" in trail and "签收" in trail
    assert trail.index("交办〔") < trail.rindex("签收")
    assert "已签收" in page and world["staff"].display_name in page
    # The company's page leaves both out: dealings between the organisers and the department.
    company = boss.get(f"/t/{item.token}").get_data(as_text=True)
    assert "交办〔" not in company


def test_organisers_see_per_department_who_has_not_acknowledged(app, boss, world):
    fair, items = world["fair"], world["items"]
    handover.acknowledge(fresh(items["b01"]), department_staff(booth(fair, "B01").department),
                         fresh(items["b01"]).version)
    db.session.commit()
    page = boss.get(f"/supervision/handover/fairs/{fair.id}").get_data(as_text=True)
    b07, b01 = booth(fair, "B07").department, booth(fair, "B01").department
    row = re.search(rf'<tr id="department-{b07.id}">(.*?)</tr>', page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>|\s+", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[1:4] == ["2", "0", "1"] and cells[4] == "未打印"  # items, acknowledged, awaiting
    assert re.search(rf'<tr id="department-{b01.id}">.*?已全部签收', page, re.S)
    waiting = page[page.index(f'id="awaiting-{b07.id}"'):]
    assert items["b07"].ticket_no in waiting and items["b07"].company_name in waiting
    assert f'id="awaiting-{b01.id}"' not in page
    overview = boss.get("/supervision/handover").get_data(as_text=True)
    fair_row = re.search(rf'<tr id="fair-{fair.id}">(.*?)</tr>', overview, re.S).group(1)
    assert [re.sub(r"<[^>]+>|\s+", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", fair_row, re.S)][1:] == [
        "3", "1", "1", "2", "0/2"]


def test_an_item_not_acknowledged_within_the_working_days_is_late(app, boss, organiser):
    # Closed on Tuesday 29 September 2026, before the National Day holiday: three working days
    # later is after the holiday, not three calendar days.
    fair = make_fair()
    item = request_in(fair, Status.planned, "B07", due=DUE)
    closed(fair, organiser, now=datetime(2026, 9, 29, 9, 0))
    due = handover_figures.receipt_due(date(2026, 9, 29))
    assert due > date(2026, 10, 2)
    page = boss.get(f"/supervision/handover/fairs/{fair.id}").get_data(as_text=True)
    assert due.isoformat() in page and "超时未签收" in page  # (today is long after)
    assert handover_figures.receipt_of(fresh(item), organiser, date(2026, 9, 30)).late is False
    assert handover_figures.receipt_of(fresh(item), organiser, due).late is False
    assert handover_figures.receipt_of(fresh(item), organiser, due + timedelta(days=1)).late is True


def test_an_item_of_a_fair_still_open_waits_for_the_close(app, organiser):
    fair = make_fair()
    item = request_in(fair, Status.planned, "B07", due=DUE)
    staff = department_staff(booth(fair, "B07").department)
    db.session.commit()
    with pytest.raises(HandoverRefused) as refused:
        handover.acknowledge(fresh(item), staff, fresh(item).version)
    assert refused.value.code == "fair_open"
    db.session.rollback()
    assert handover_figures.awaiting_receipt(staff.department_id) == ([], 0)
    page = login(app.test_client(), staff.username).get(f"/ledger/items/{item.id}").get_data(as_text=True)
    assert "大集闭幕后交办" in page and "签收这项交办事项" not in page


def test_the_receipt_time_is_kept_as_an_aware_moment(app, world):
    item = world["items"]["other"]
    moment = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    handover.acknowledge(fresh(item), world["staff"], fresh(item).version, now=moment)
    db.session.commit()
    assert fresh(item).acknowledged_at == moment


def test_the_upgrade_acknowledges_the_items_of_fairs_already_closed_without_a_trail(empty_database):
    """Migration 0031: an item of a fair closed before receipts were kept does not turn yellow at
    the upgrade; an item of a fair still open waits for its close and its receipt."""
    from flask_migrate import upgrade

    from kiosk import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(revision="0030")
        old = sa.MetaData()
        old.reflect(db.engine)

        def insert(table, **values):
            return db.session.execute(sa.insert(old.tables[table]).values(**values)
                                      .returning(old.tables[table].c.id)).scalar_one()

        department_id = insert("department", name="自然资源和规划局", kind="department", ledger_version=0)
        company_id = insert("company", credit_code="91350100M000100Y43", name="甲公司",
                            created_at=datetime(2026, 6, 13))
        made = {}
        for n, status in enumerate(("closed", "open")):
            fair_id = insert("fair", name=f"大集{n}", date=date(2026, 6, 13), venue="", status=status,
                             created_at=datetime(2026, 6, 1), setup_version=0, screen_token=str(n) * 43)
            zone_id = insert("zone", fair_id=fair_id, name="专区", position=1)
            booth_id = insert("booth", fair_id=fair_id, zone_id=zone_id, department_id=department_id, code="B01",
                              last_seq=2, queue_version=0, hidden=False)
            for plan in ("planned", "resolved"):
                made[(status, plan)] = insert(
                    "service_request", fair_id=fair_id, booth_id=booth_id, company_id=company_id,
                    company_name="甲公司", ticket_no=f"B01-00{1 + (plan == 'resolved')}",
                    token=f"{n}{plan}".ljust(24, "x"),
                    channel="phone", category="land", need="用地需求", contact_name="王", contact_mobile="13912345678",
                    status=plan, created_at=datetime(2026, 6, 13), updated_at=datetime(2026, 6, 13), version=1,
                    rated_on_closeout=False)
        db.session.commit()
        db.session.remove()
        before = datetime.now(UTC).replace(tzinfo=None)
        upgrade()
        stamps = dict(db.session.execute(sa.select(ServiceRequest.id, ServiceRequest.acknowledged_at)).all())
        acknowledged = stamps[made[("closed", "planned")]]
        assert acknowledged is not None and acknowledged.replace(tzinfo=None) >= before.replace(microsecond=0)
        assert stamps[made[("open", "planned")]] is None
        assert stamps[made[("closed", "resolved")]] is None  # not on a list: nothing to acknowledge
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RequestEvent)) == 0
        db.session.remove()
        db.engine.dispose()


def test_a_reprint_records_only_the_items_that_joined_the_list_since(boss, world, organiser):
    """A fair reopened and closed again (a request given a plan meanwhile): the department's list,
    printed again, holds the new item too, and records the handover of that one alone."""
    from kiosk.organiser.fair_lifecycle import reopen_fair

    fair, items = world["fair"], world["items"]
    department = booth(fair, "B07").department
    print_list(boss, fair, department)
    reopen_fair(db.session.get(Fair, fair.id), organiser, "补录一项现场需求")
    db.session.commit()
    late = request_in(fair, Status.planned, "B07", due=DUE, need="补录的现场需求")
    closed(fair, organiser)
    text = re.sub(r"\s+", "", pdf_text(print_list(boss, fair, department).data))
    assert late.need in text and items["b07"].need in text and "共3项" in text
    db.session.expire_all()
    assert len(events(late, EventKind.dispatched)) == 1 and len(events(items["b07"], EventKind.dispatched)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoverList)) == 1
