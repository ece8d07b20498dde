"""A fair's layout (kiosk/organiser/fair_setup.py): the rules for zones, booths and departments, one set for a
booth typed in by hand and a booth read from a sheet; corrections; re-importing a corrected sheet."""
import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask import render_template_string

from kiosk.auth.models import User
from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, FairStatus, Zone, fair_booths
from kiosk.organiser.fair_setup import (
    SetupRefused,
    add_booth,
    add_zone,
    booth_problems,
    delete_or_hide_booth,
    delete_zone,
    edit_department,
    fair_zone,
    move_booth,
    rename_booth,
    rename_zone,
    show_booth,
    zone_named,
)
from kiosk.service_requests.models import ServiceRequest, Status
from tests.factories import booth, make_fair, request_in
from tests.helpers import HEADER, apply_preview, csrf_token, form_data, login, sheet, upload_sheet

ZONE = "要素保障部门专区"
TAKEN_DEPARTMENT = "测试要素保障大集工业和信息化局"  # B07's, in make_fair


def zone_of(fair, name=ZONE):
    return next(z for z in fair.zones if z.name == name)


def said(app, message) -> str:
    """A lazy message as a Chinese-speaking organiser reads it (the language is the request's)."""
    with app.test_request_context():
        return str(message)


def refusal(fair, zone, code, department, kind=DepartmentKind.department) -> SetupRefused:
    with pytest.raises(SetupRefused) as refused:
        add_booth(fair, zone, code, department, kind)
    return refused.value


def test_a_booth_code_is_kept_in_capitals_without_spaces_however_it_was_typed(app, fair):
    added = add_booth(fair, zone_of(fair), " b20 ", "某市统计局", DepartmentKind.department)
    assert added.code == "B20" and added.id is not None  # flushed: the caller may use its id


@pytest.mark.parametrize("code", ["7", "B7", "B0001", "BB01", "Ｂ07", "B-07", ""])
def test_a_code_other_than_a_capital_letter_and_two_or_three_digits_is_refused(app, fair, code):
    refused = refusal(fair, zone_of(fair), code, "某市统计局")
    assert (refused.code, refused.field) == ("code_pattern", "code")
    assert said(app, refused.message) == "摊位号应为一个大写字母加两到三位数字，如 B07"


def test_a_code_the_fair_already_has_is_refused_naming_the_code(app, fair):
    refused = refusal(fair, zone_of(fair), "b07", "某市统计局")
    assert (refused.code, refused.field) == ("code_taken", "code")
    assert said(app, refused.message) == "摊位号 B07 在本场大集已存在"


def test_the_same_code_may_be_used_at_another_fair(app, fair):
    other = make_fair(status=FairStatus.draft, name="另一场大集", prefix="o-")
    assert add_booth(other, zone_of(other), "B30", "某市统计局", DepartmentKind.department).code == "B30"
    assert add_booth(fair, zone_of(fair), "B30", "某市档案局", DepartmentKind.department).code == "B30"


def test_a_department_has_one_booth_a_fair_and_keeps_it_across_fairs(app, fair):
    refused = refusal(fair, zone_of(fair), "B30", TAKEN_DEPARTMENT)
    assert (refused.code, refused.field) == ("department_taken", "department")
    assert said(app, refused.message) == f"“{TAKEN_DEPARTMENT}”在本场大集已有摊位"
    # At the next fair the same department is found by its name, not made again, and keeps its kind.
    other = Fair(name="下一场", date=date(2027, 1, 1), venue="会展中心", status=FairStatus.draft)
    db.session.add(other)
    added = add_booth(other, add_zone(other, "新专区"), "B07", TAKEN_DEPARTMENT, DepartmentKind.bank)
    assert added.department is booth(fair, "B07").department
    assert added.department.kind is DepartmentKind.department
    assert db.session.scalar(sa.select(sa.func.count()).where(Department.name == TAKEN_DEPARTMENT)) == 1


def test_a_new_department_is_made_with_the_kind_given(app, fair):
    added = add_booth(fair, "金融服务专区", "F09", "某村镇银行", DepartmentKind.bank)
    assert added.zone is zone_of(fair, "金融服务专区")
    assert added.department.id is not None and added.department.kind is DepartmentKind.bank


def test_a_booth_needs_one_of_the_fairs_own_zones(app, fair):
    other = make_fair(status=FairStatus.draft, name="另一场大集", prefix="o-")
    for zone in (None, zone_of(other)):
        refused = refusal(fair, zone, "B30", "某市统计局")
        assert (refused.code, refused.field, said(app, refused.message)) == (
            "no_zone", "zone", "请先添加专区，再选择专区")
    assert fair_zone(fair, zone_of(other).id) is None and fair_zone(fair, zone_of(fair).id) is zone_of(fair)


def test_a_zone_named_must_be_one_of_the_fairs_and_is_never_made_on_the_way(app, fair):
    assert zone_named(fair, f" {ZONE} ") is zone_of(fair)
    refused = refusal(fair, "普惠金融专区", "F20", "某村镇银行")
    assert (refused.code, refused.field) == ("unknown_zone", "zone")
    assert said(app, refused.message) == (
        "本场大集没有专区“普惠金融专区”，现有专区：要素保障部门专区、金融服务专区。请先在大集页面添加专区")
    assert [z.name for z in fair.zones] == [ZONE, "金融服务专区"]


def test_a_zone_name_the_fair_has_is_refused(app, fair):
    with pytest.raises(SetupRefused) as refused:
        add_zone(fair, f" {ZONE} ")
    assert (refused.value.code, refused.value.field, said(app, refused.value.message)) == (
        "zone_taken", "name", "本场大集已有这个专区")
    assert add_zone(fair, "新专区").position == 3


def test_names_longer_than_their_columns_are_refused(app, fair):
    assert [(p.code, p.field) for p in booth_problems(fair, "B30", "局" * 201, "区" * 101)] == [
        ("name_too_long", "department"), ("name_too_long", "zone")]
    with pytest.raises(SetupRefused):
        add_zone(fair, "区" * 101)


def test_every_rule_a_booth_breaks_is_listed_the_codes_first(app, fair):
    problems = booth_problems(fair, "B07", TAKEN_DEPARTMENT, None)
    assert [(p.code, p.field) for p in problems] == [
        ("code_taken", "code"), ("department_taken", "department"), ("no_zone", "zone")]
    assert booth_problems(fair, "B30", "某市统计局", zone_of(fair)) == []


def test_booths_added_earlier_in_the_same_unit_of_work_count(app, fair):
    add_zone(fair, "新专区")
    add_booth(fair, "新专区", "B30", "某市统计局", DepartmentKind.department)
    assert [p.code for p in booth_problems(fair, "B30", "某市统计局", "新专区")] == ["code_taken", "department_taken"]


def test_setting_up_does_not_commit(app, fair):
    add_zone(fair, "新专区")
    add_booth(fair, "新专区", "B30", "某市统计局", DepartmentKind.department)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booth).where(Booth.code == "B30")) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Zone).where(Zone.name == "新专区")) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(Department.name == "某市统计局")) == 0


def test_a_name_in_a_refusal_is_shown_as_text_not_markup(app, fair):
    refused = SetupRefused("department_taken", "department", name="<i>某局</i>")
    with app.test_request_context():
        html = render_template_string("{{ message }}", message=refused.message)
    assert "&lt;i&gt;某局&lt;/i&gt;" in html and "<i>" not in html


@pytest.mark.parametrize("language, message", [
    ("zh_CN", "摊位号应为一个大写字母加两到三位数字，如 B07"),
    ("en", "A booth code is a capital letter and two or three digits, like B07")])
def test_import_and_hand_entry_refuse_the_same_bad_code_with_the_same_message(app, fair, organiser, language,
                                                                               message):
    boss = login(app.test_client(), "organiser")
    boss.get(f"/lang/{language}")
    token = csrf_token(boss, f"/organiser/fairs/{fair.id}")
    by_hand = boss.post(f"/organiser/fairs/{fair.id}/booths", data={
        "csrf_token": token, "code": "x1", "department": "某市气象局", "kind": "department",
        "zone": str(zone_of(fair).id)})
    data, name = sheet([HEADER, ["x1", "某市气象局", "部门", ZONE]], "xlsx")
    imported = boss.post(f"/organiser/fairs/{fair.id}/import", data={"csrf_token": token, "file": (data, name)},
                         content_type="multipart/form-data")
    assert by_hand.status_code == imported.status_code == 422
    assert message in by_hand.get_data(as_text=True) and message in imported.get_data(as_text=True)
    db.session.expire_all()
    assert "X1" not in {b.code for b in fair.booths}


def test_hand_entry_shows_every_mistake_at_once(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    response = boss.post(f"/organiser/fairs/{fair.id}/booths", data={
        "csrf_token": csrf_token(boss, f"/organiser/fairs/{fair.id}"), "code": "b07",
        "department": TAKEN_DEPARTMENT, "kind": "department", "zone": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "摊位号 B07 在本场大集已存在" in html and "在本场大集已有摊位" in html and "请先添加专区" in html


def test_a_sheets_own_words_are_shown_as_text_not_markup(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    data, name = sheet([HEADER, ["B30", "某市气象局", "<b>部门</b>", ZONE]], "xlsx")
    response = boss.post(f"/organiser/fairs/{fair.id}/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(boss, f"/organiser/fairs/{fair.id}"), "file": (data, name)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "“&lt;b&gt;部门&lt;/b&gt;”不对" in html and "<b>部门</b>" not in html


# Corrections ---------------------------------------------------------------------------------------

def count(model, **where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def test_a_booth_is_renamed_to_a_free_code_in_capitals(app, fair):
    rename_booth(booth(fair, "B07"), " b17 ")
    db.session.commit()
    assert [b.code for b in fair.booths] == ["B01", "B02", "B17", "F01", "F02"]


def test_a_booth_is_not_renamed_to_a_code_another_booth_has_or_a_bad_one(app, fair):
    with pytest.raises(SetupRefused) as taken:
        rename_booth(booth(fair, "B07"), "b01")
    with pytest.raises(SetupRefused) as bad:
        rename_booth(booth(fair, "B07"), "B0005")
    assert (taken.value.code, bad.value.code) == ("code_taken", "code_pattern")
    rename_booth(booth(fair, "B07"), "B07")  # its own code is no clash
    assert booth(fair, "B07").code == "B07"


def test_a_booth_moves_only_to_a_zone_of_its_own_fair(app, fair):
    moved = booth(fair, "B07")
    move_booth(moved, zone_of(fair, "金融服务专区"))
    db.session.commit()
    assert moved.zone.name == "金融服务专区" and moved in zone_of(fair, "金融服务专区").booths
    other = make_fair(status=FairStatus.draft, name="另一场大集", prefix="o-")
    for wrong in (zone_of(other), None, "会展专区"):
        with pytest.raises(SetupRefused):
            move_booth(moved, wrong)


def test_a_booth_no_request_reached_is_deleted_with_its_account_and_its_own_department(app, fair):
    test_booth = add_booth(fair, ZONE, "B99", "测试摊位请删除", DepartmentKind.department)
    db.session.add(User(username="b99", display_name="B99工作人员", role="staff", booth=test_booth,
                        password_hash="x"))
    db.session.commit()
    assert delete_or_hide_booth(test_booth) == "deleted"
    db.session.commit()
    assert "B99" not in [b.code for b in fair.booths] and "B99" not in [b.code for b in fair_booths(fair.id)]
    assert count(User, username="b99") == 0 and count(Department, name="测试摊位请删除") == 0


def test_a_department_that_has_booths_at_other_fairs_outlives_a_deleted_booth(app, fair):
    other = make_fair(status=FairStatus.draft, name="另一场大集", prefix="o-")
    add_booth(other, zone_of(other), "B30", TAKEN_DEPARTMENT, DepartmentKind.department)
    department = booth(fair, "B07").department
    assert delete_or_hide_booth(booth(fair, "B07")) == "deleted"
    db.session.commit()
    assert count(Department, id=department.id) == 1


@pytest.mark.parametrize("how", ["filed", "transferred away", "joined"])
def test_a_booth_a_request_reached_is_hidden_not_deleted(app, fair, how):
    if how == "filed":
        request_in(fair, Status.resolved, at="B07")
    elif how == "transferred away":
        request_in(fair, at="B07", transferred_to="B01")
    else:
        request_in(fair, at="B01", joined=["B07"])
    b07 = booth(fair, "B07")
    assert delete_or_hide_booth(b07) == "hidden"
    db.session.commit()
    assert b07.hidden and b07 in fair.booths and b07 in zone_of(fair).booths  # on the tally still
    assert "B07" not in [b.code for b in fair_booths(fair.id)]  # offered by no picker
    show_booth(b07)
    db.session.commit()
    assert "B07" in [b.code for b in fair_booths(fair.id)]


def test_a_hidden_booths_address_says_it_takes_no_requests_and_its_form_leaves_it_out(app, client, fair):
    request_in(fair, Status.resolved, at="B07")
    delete_or_hide_booth(booth(fair, "B07"))
    db.session.commit()
    page = client.get("/b/B07")
    assert page.status_code == 410 and "已不再受理需求" in page.get_data(as_text=True)
    form = client.get(f"/f/{fair.id}").get_data(as_text=True)
    assert "B07" not in form and "B01" in form


def test_a_zone_is_renamed_to_a_name_the_fair_does_not_have(app, fair):
    rename_zone(zone_of(fair), " 部门专区 ")
    db.session.commit()
    assert [z.name for z in fair.zones] == ["部门专区", "金融服务专区"]
    for bad, code in (("金融服务专区", "zone_taken"), ("区" * 101, "name_too_long"), (" ", "name_missing")):
        with pytest.raises(SetupRefused) as refused:
            rename_zone(zone_of(fair, "部门专区"), bad)
        assert refused.value.code == code


def test_a_zone_with_booths_is_not_deleted_and_says_why(app, fair):
    with pytest.raises(SetupRefused) as refused:
        delete_zone(zone_of(fair, "金融服务专区"))
    assert said(app, refused.value.message) == "专区“金融服务专区”还有2个摊位，请先把摊位移到其他专区或删除"
    empty = add_zone(fair, "空专区")
    delete_zone(empty)
    db.session.commit()
    assert [z.name for z in fair.zones] == [ZONE, "金融服务专区"]


def test_a_departments_name_and_kind_are_corrected_unless_another_has_the_name(app, fair):
    department = booth(fair, "F01").department
    edit_department(department, " 泰安银行股份有限公司 ", DepartmentKind.department)
    db.session.commit()
    assert (booth(fair, "F01").name, department.kind) == ("泰安银行股份有限公司", DepartmentKind.department)
    with pytest.raises(SetupRefused) as refused:
        edit_department(department, TAKEN_DEPARTMENT, DepartmentKind.bank)
    assert refused.value.code == "department_name_taken"


def test_an_organiser_corrects_a_booth_by_hand_in_one_form(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    b07 = booth(fair, "B07")
    url = f"/organiser/fairs/{fair.id}/booths/{b07.id}"
    done = boss.post(url, data={"csrf_token": csrf_token(boss, f"/organiser/fairs/{fair.id}"), f"b{b07.id}-code": "b17",
                                f"b{b07.id}-department": "某市工信局", f"b{b07.id}-kind": "department",
                                f"b{b07.id}-zone": str(zone_of(fair, "金融服务专区").id)})
    assert done.status_code == 302
    db.session.expire_all()
    assert (b07.code, b07.name, b07.zone.name) == ("B17", "某市工信局", "金融服务专区")


def test_a_code_too_long_is_refused_by_hand_never_cut(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    b07 = booth(fair, "B07")
    token = csrf_token(boss, f"/organiser/fairs/{fair.id}")
    added = boss.post(f"/organiser/fairs/{fair.id}/booths", data={
        "csrf_token": token, "code": "B0005", "department": "某市气象局", "kind": "department",
        "zone": str(zone_of(fair).id)})
    edited = boss.post(f"/organiser/fairs/{fair.id}/booths/{b07.id}", data={
        "csrf_token": token, f"b{b07.id}-code": "B0005", f"b{b07.id}-department": "某市工信局",
        f"b{b07.id}-kind": "department", f"b{b07.id}-zone": str(zone_of(fair).id)})
    for response in (added, edited):
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and "摊位号应为一个大写字母加两到三位数字" in html
        assert 'value="B0005"' in html and 'maxlength="4"' not in html  # kept as typed, and the browser cuts nothing
    db.session.expire_all()
    assert {b.code for b in fair.booths} == {"B01", "B02", "B07", "F01", "F02"}
    assert b07.name == TAKEN_DEPARTMENT  # the department was not renamed either: the form is one change


def test_a_zone_with_booths_is_refused_on_the_page_too(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    response = boss.post(f"/organiser/fairs/{fair.id}/zones/{zone_of(fair).id}/delete",
                         data={"csrf_token": csrf_token(boss, f"/organiser/fairs/{fair.id}")})
    assert response.status_code == 409 and "还有3个摊位" in response.get_data(as_text=True)


# Re-importing --------------------------------------------------------------------------------------

def test_an_unknown_zone_in_a_sheet_is_an_error_line_naming_the_fairs_zones(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    response = upload_sheet(boss, fair.id, [HEADER, ["B30", "某市气象局", "部门", "会展专区"]])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第2行：本场大集没有专区“会展专区”，现有专区：要素保障部门专区、金融服务专区" in html
    db.session.expire_all()
    assert [z.name for z in fair.zones] == [ZONE, "金融服务专区"]


def test_a_sheets_value_too_long_for_its_column_is_an_error_line_never_cut(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    response = upload_sheet(boss, fair.id, [HEADER, ["B0005", "某市气象局", "部门", ZONE],
                                            ["B30", "局" * 201, "部门", ZONE],
                                            ["B31", "某市医保局", "部门", "区" * 101]])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第2行：摊位号应为一个大写字母加两到三位数字" in html
    assert "第3行：名称过长" in html and "第4行：名称过长" in html
    db.session.expire_all()
    assert {b.code for b in fair.booths} == {"B01", "B02", "B07", "F01", "F02"}


CORRECTED = [HEADER,
             ["B01", "测试要素保障大集自然资源和规划局", "部门", ZONE],         # line 2: unchanged
             ["B02", "测试要素保障大集行政审批服务局", "部门", "金融服务专区"],  # line 3: moved
             ["B07", "某市工业和信息化局", "部门", ZONE],                      # line 4: renamed
             ["F01", "测试要素保障大集泰安银行", "部门", "金融服务专区"],       # line 5: kind
             ["B30", "某市统计局", "部门", ZONE]]                              # line 6: new; F02 left out


def test_a_corrected_sheet_is_previewed_row_by_row_and_nothing_changes_before_apply(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    preview = upload_sheet(boss, fair.id, CORRECTED, "xlsx")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    rows = re.findall(r"<tr class=\"(new|same|changed)\">\s*<td>(\d+)</td><td>(\w+)</td>", html)
    assert [(kind, line, code) for kind, line, code in rows] == [
        ("same", "2", "B01"), ("changed", "3", "B02"), ("changed", "4", "B07"), ("changed", "5", "F01"),
        ("new", "6", "B30")]
    assert "专区 要素保障部门专区 → 金融服务专区" in html
    assert f"名称 {TAKEN_DEPARTMENT} → 某市工业和信息化局" in html and "类型 银行 → 部门" in html
    assert "表中没有的1个摊位（F02）保持不变，不会删除" in html
    db.session.expire_all()
    assert "B30" not in {b.code for b in fair.booths} and booth(fair, "B07").name == TAKEN_DEPARTMENT


def test_applying_the_preview_updates_booths_by_code_and_leaves_the_others(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    applied = apply_preview(boss, fair.id, upload_sheet(boss, fair.id, CORRECTED))
    assert applied.status_code == 302
    assert "已新增1个摊位，更新3个摊位" in boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    db.session.expire_all()
    assert {b.code: (b.name, b.department.kind.value, b.zone.name) for b in fair.booths} == {
        "B01": ("测试要素保障大集自然资源和规划局", "department", ZONE),
        "B02": ("测试要素保障大集行政审批服务局", "department", "金融服务专区"),
        "B07": ("某市工业和信息化局", "department", ZONE),
        "F01": ("测试要素保障大集泰安银行", "department", "金融服务专区"),
        "F02": ("测试要素保障大集齐鲁银行", "bank", "金融服务专区"),
        "B30": ("某市统计局", "department", ZONE)}


def test_a_sheet_equal_to_the_setup_offers_nothing_to_apply(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    preview = upload_sheet(boss, fair.id, CORRECTED[:2])
    assert preview.status_code == 200 and "无需导入" in preview.get_data(as_text=True)
    assert 'name="plan"' not in preview.get_data(as_text=True)


def test_apply_is_all_or_nothing(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    preview = upload_sheet(boss, fair.id, CORRECTED)
    # Meanwhile a department takes, at another fair, the name the sheet gives B07 (the last change).
    other = make_fair(status=FairStatus.draft, name="另一场大集", prefix="o-")
    add_booth(other, zone_of(other), "B40", "某市工业和信息化局", DepartmentKind.department)
    db.session.commit()
    refused = apply_preview(boss, fair.id, preview)
    assert (refused.status_code == 422
            and "第4行：已有名为“某市工业和信息化局”的部门或机构" in refused.get_data(as_text=True))
    db.session.expire_all()
    assert "B30" not in {b.code for b in fair.booths} and booth(fair, "B02").zone.name == ZONE


def test_a_preview_is_not_applied_after_the_setup_changed_or_when_tampered_with(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    preview = upload_sheet(boss, fair.id, CORRECTED)
    tampered = boss.post(f"/organiser/fairs/{fair.id}/import/apply", data={
        "csrf_token": csrf_token(boss, f"/organiser/fairs/{fair.id}"), "plan": "x" + "a" * 40})
    assert tampered.status_code == 409 and "这份预览已失效" in tampered.get_data(as_text=True)
    rename_zone(zone_of(fair, "金融服务专区"), "金融专区")
    db.session.commit()
    stale = apply_preview(boss, fair.id, preview)
    assert stale.status_code == 409 and "摊位设置在预览之后有了变动" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert "B30" not in {b.code for b in fair.booths}


def test_a_hidden_booths_staff_are_told_it_takes_no_walk_ins(app, fair):
    request_in(fair, Status.resolved, at="B07")
    b07 = booth(fair, "B07")
    delete_or_hide_booth(b07)
    db.session.commit()
    staff = login(app.test_client(), "b07")
    url = f"/staff/booths/{b07.id}/walk-in"
    assert "本摊位已停止受理" in staff.get(url).get_data(as_text=True)
    data = form_data(staff, url, booth=str(b07.id))
    response = staff.post(url, data=data)
    assert response.status_code == 409 and "本摊位已停止受理" in response.get_data(as_text=True)
    assert count(ServiceRequest, booth_id=b07.id) == 1


@pytest.mark.parametrize("correction", ["rename", "move", "hide", "delete", "rename zone", "delete zone",
                                        "edit department"])
def test_every_correction_moves_the_fairs_setup_version_for_the_pollers(app, fair, correction):
    request_in(fair, at="B07")
    empty = add_zone(fair, "空专区")
    db.session.commit()
    before = fair.setup_version
    b07, b01 = booth(fair, "B07"), booth(fair, "B01")
    {"rename": lambda: rename_booth(b07, "B17"),
     "move": lambda: move_booth(b07, zone_of(fair, "金融服务专区")),
     "hide": lambda: delete_or_hide_booth(b07),
     "delete": lambda: delete_or_hide_booth(b01),
     "rename zone": lambda: rename_zone(zone_of(fair), "部门专区"),
     "delete zone": lambda: delete_zone(empty),
     "edit department": lambda: edit_department(b07.department, "某市工信局", DepartmentKind.department)}[correction]()
    db.session.commit()
    db.session.refresh(fair)
    assert fair.setup_version > before


def test_a_fair_form_link_naming_a_hidden_booth_says_it_takes_no_requests(app, client, fair):
    request_in(fair, Status.resolved, at="B07")
    b07 = booth(fair, "B07")
    delete_or_hide_booth(b07)
    db.session.commit()
    page = client.get(f"/f/{fair.id}?booth={b07.id}")
    assert page.status_code == 410 and "已不再受理需求" in page.get_data(as_text=True)


def test_a_sheet_of_many_bad_rows_lists_fifty_and_counts_the_rest(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    rows = [HEADER] + [[f"B{n:03d}", f"某局{n}", "部门", "会展专区"] for n in range(100, 160)]
    html = upload_sheet(boss, fair.id, rows).get_data(as_text=True)
    assert "表中有60处错误" in html and html.count("没有专区“会展专区”") == 50 and "另有10处错误未列出" in html
