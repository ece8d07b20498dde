"""A fair's layout (kiosk/fairs/setup.py): the rules for zones, booths and departments, one set for a
booth typed in by hand and a booth read from a sheet."""
from datetime import date

import pytest
import sqlalchemy as sa
from flask import render_template_string

from kiosk.extensions import db
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, FairStatus, Zone
from kiosk.fairs.setup import SetupRefused, add_booth, add_zone, booth_problems, fair_zone, zone_named
from tests.factories import booth, make_fair
from tests.helpers import HEADER, csrf_token, login, sheet

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
        assert (refused.code, refused.field, said(app, refused.message)) == ("no_zone", "zone", "请先添加专区，再选择专区")
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
