"""Organisers' set-up and documents: posters that scan, imports that are all or nothing, exports
that are safe to open, accounts whose sheet signs in, and nobody else on these pages."""
import csv
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Fair, FairStatus
from kiosk.service_requests.models import Category, Status
from tests.factories import CODE_A, CODE_B, answers, booth, make_fair, request_in
from tests.helpers import HEADER, apply_preview, csrf_token, login, pdf_text, scanned, sheet, upload_sheet


@pytest.fixture
def boss(app, organiser):
    return login(app.test_client(), "organiser")


def post(client, url, data=None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, "/login"), **(data or {})}, **kwargs)


def test_posters_qr_codes_scan_to_the_booth_urls(app, fair, boss):
    app.config["PUBLIC_BASE_URL"] = "https://fair.example.gov.cn"
    response = boss.get(f"/organiser/fairs/{fair.id}/posters.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    decoded = scanned(response.data)
    assert decoded == [f"https://fair.example.gov.cn/b/{fair.id}/{b.code}" for b in fair.booths] + [
        f"https://fair.example.gov.cn/f/{fair.id}"]
    text = pdf_text(response.data).replace("\n", "")
    assert "B01" in text and "自然资源和规划局" in text and f"fair.example.gov.cn/b/{fair.id}/B01" in text


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_import_a_good_file(app, boss, kind):
    fair = make_fair(status=FairStatus.draft, name="新大集", prefix="new-")
    preview = upload_sheet(boss, fair.id, [HEADER, ["B20", "某市统计局", "部门", "要素保障部门专区"], [],
                                           ["F20", "某市村镇银行", "银行", "金融服务专区"]], kind)
    assert preview.status_code == 200 and "导入预览" in preview.get_data(as_text=True)
    assert apply_preview(boss, fair.id, preview).status_code == 302
    db.session.expire_all()
    codes = {b.code: (b.department.name, b.department.kind.value, b.zone.name) for b in fair.booths}
    assert codes["B20"] == ("某市统计局", "department", "要素保障部门专区")
    assert codes["F20"] == ("某市村镇银行", "bank", "金融服务专区")


def test_import_reports_every_bad_row_and_imports_nothing(app, boss, fair):
    before = db.session.scalar(sa.select(sa.func.count(Booth.id)))
    data, name = sheet([HEADER,
                        ["B30", "某市统计局", "部门", "要素保障部门专区"],     # line 2: good
                        ["B34", "某市档案局", "部门", "会展专区"],             # line 3: no such zone
                        ["X1", "某市气象局", "部门", "要素保障部门专区"],      # line 4: bad code
                        ["B31", "某市统计局", "部门", "要素保障部门专区"],     # line 5: same department as line 2
                        ["B32", "某市医保局", "事业单位", "要素保障部门专区"],  # line 6: bad kind
                        ["B33", "", "部门", "要素保障部门专区"]])             # line 7: empty cell
    response = post(boss, f"/organiser/fairs/{fair.id}/import", {"file": (data, name)},
                    content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    reported = re.findall(r"<li>第(\d+)行：", html)
    assert reported == ["3", "4", "5", "6", "7"]
    assert "没有专区“会展专区”" in html and "与第2行重复" in html and "“事业单位”不对" in html
    assert db.session.scalar(sa.select(sa.func.count(Booth.id))) == before


def test_import_refuses_a_file_without_the_header_or_of_another_type(app, boss, fair):
    data, name = sheet([["code", "name"], ["B40", "x"]])
    response = post(boss, f"/organiser/fairs/{fair.id}/import", {"file": (data, name)},
                    content_type="multipart/form-data")
    assert response.status_code == 422 and "第一行须为表头" in response.get_data(as_text=True)
    response = post(boss, f"/organiser/fairs/{fair.id}/import", {"file": (io.BytesIO(b"x"), "booths.pdf")},
                    content_type="multipart/form-data")
    assert response.status_code == 422 and "只接受 CSV 或 XLSX 文件" in response.get_data(as_text=True)


def test_the_import_templates_import_cleanly(app, boss):
    fair = make_fair(status=FairStatus.draft, name="模板大集", prefix="tpl-")
    for booth_obj in list(fair.booths):
        db.session.delete(booth_obj)
    db.session.commit()
    template = boss.get("/organiser/import-template.xlsx")
    assert template.status_code == 200
    response = post(boss, f"/organiser/fairs/{fair.id}/import", {"file": (io.BytesIO(template.data), "t.xlsx")},
                    content_type="multipart/form-data")
    assert response.status_code == 200 and "确认导入" in response.get_data(as_text=True)
    assert apply_preview(boss, fair.id, response).status_code == 302
    assert boss.get("/organiser/import-template.csv").data.decode("utf-8-sig").startswith("摊位号,")


def test_exports_hold_every_request_and_neutralise_formulas(app, boss, fair):
    request_in(fair, at="F01", company_name="=HYPERLINK(\"http://x\")", contact_name="@王",
               category=Category.funding, need="+贷款500万元", amount_wan=500)
    request_in(fair, company_name="正常企业", credit_code=CODE_B, contact_name="李", mobile="13812345678",
               need="-用地")
    rows = list(csv.reader(io.StringIO(boss.get(f"/organiser/fairs/{fair.id}/requests.csv").data.decode("utf-8-sig"))))
    header = rows[0]
    first = next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[0] == "F01-001")
    assert len(rows) == 3 and "统一社会信用代码" in header and "手机号码" in header and "完成时限" in header
    assert first["企业名称"] == "'=HYPERLINK(\"http://x\")" and first["联系人"] == "'@王"
    assert first["需求内容"] == "'+贷款500万元" and first["金额（万元）"] == "500.00"
    xlsx = load_workbook(io.BytesIO(boss.get(f"/organiser/fairs/{fair.id}/requests.xlsx").data))
    values = [[cell.value for cell in row] for row in xlsx.active.iter_rows()]
    assert values[0] == header and len(values) == 3
    assert all(not str(v).startswith(("=", "+", "-", "@")) for row in values for v in row if v)


def test_accounts_and_sign_in_sheet(app, boss):
    fair = make_fair(status=FairStatus.draft, name="账号大集", prefix="acc-")
    for user_booth in fair.booths:
        from kiosk.auth.models import User
        db.session.execute(sa.delete(User).where(User.booth_id == user_booth.id))
    db.session.commit()
    html = post(boss, f"/organiser/fairs/{fair.id}/accounts").get_data(as_text=True)
    rows = re.findall(r'<td class="mono">([^<]+)</td><td class="mono">([^<]+)</td>', html)
    assert len(rows) == 5 and rows[0][0] == f"f{fair.id}-b01"
    staff = app.test_client()
    token = csrf_token(staff, "/login")
    response = staff.post("/login", data={"username": rows[2][0], "password": rows[2][1], "csrf_token": token})
    assert response.headers["Location"] == f"/staff/booths/{booth(fair, 'B07').id}"
    # Asked again, nothing is re-shown; a reset issues new passwords.
    again = post(boss, f"/organiser/fairs/{fair.id}/accounts").get_data(as_text=True)
    assert "每个摊位都已有账号" in again
    reset = post(boss, f"/organiser/fairs/{fair.id}/accounts",
                 {"reset": "all", "confirm": "yes"}).get_data(as_text=True)
    assert len(re.findall(r'<td class="mono">', reset)) == 10


def test_fair_set_up_by_hand_then_opened(app, boss):
    response = post(boss, "/organiser/", {"name": "2027年春季要素保障大集", "date": "2027-03-15", "venue": "会展中心"})
    fair = db.session.scalar(sa.select(Fair).filter_by(name="2027年春季要素保障大集"))
    assert response.headers["Location"] == f"/organiser/fairs/{fair.id}" and fair.status is FairStatus.draft
    post(boss, f"/organiser/fairs/{fair.id}/open")
    db.session.expire_all()
    assert fair.status is FairStatus.draft  # no booths yet: refused
    post(boss, f"/organiser/fairs/{fair.id}/zones", {"name": "要素保障部门专区"})
    bad = post(boss, f"/organiser/fairs/{fair.id}/booths", {"code": "7", "department": "", "kind": "department",
                                                            "zone": str(fair.zones[0].id)})
    assert bad.status_code == 422 and "摊位号应为" in bad.get_data(as_text=True)
    post(boss, f"/organiser/fairs/{fair.id}/booths", {"code": "c01", "department": "春季测试局", "kind": "department",
                                                      "zone": str(fair.zones[0].id)})
    post(boss, f"/organiser/fairs/{fair.id}/open")
    db.session.expire_all()
    assert [b.code for b in fair.booths] == ["C01"] and fair.status is FairStatus.open
    bad_date = post(boss, f"/organiser/fairs/{fair.id}", {"name": "x", "date": "明天", "venue": "y"})
    assert bad_date.status_code == 422 and "请按 年-月-日 填写日期" in bad_date.get_data(as_text=True)


ORGANISER_ROUTES = [
    ("get", "/organiser/"), ("get", "/organiser/fairs/{fair}"), ("get", "/organiser/fairs/{fair}/dashboard"),
    ("get", "/organiser/fairs/{fair}/screen"), ("get", "/organiser/fairs/{fair}/tally"),
    ("get", "/organiser/fairs/{fair}/tally.pdf"), ("get", "/organiser/fairs/{fair}/posters.pdf"),
    ("get", "/organiser/fairs/{fair}/requests.csv"), ("get", "/organiser/fairs/{fair}/requests.xlsx"),
    ("get", "/organiser/import-template.csv"), ("post", "/organiser/fairs/{fair}/accounts"),
    ("post", "/organiser/fairs/{fair}/close"), ("post", "/organiser/fairs/{fair}/zones"),
    ("post", "/organiser/fairs/{fair}/booths"), ("post", "/organiser/fairs/{fair}/import"),
    ("post", "/organiser/fairs/{fair}"), ("post", "/organiser/"),
]


@pytest.mark.parametrize("method,route", ORGANISER_ROUTES)
def test_only_organisers_reach_the_organiser_pages(app, fair, organiser, method, route):
    url = route.format(fair=fair.id)
    anonymous = app.test_client()
    response = post(anonymous, url) if method == "post" else anonymous.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    staff = login(app.test_client(), "b07")
    response = post(staff, url) if method == "post" else staff.get(url)
    assert response.status_code == 403
    boss = login(app.test_client(), "organiser")
    response = post(boss, url) if method == "post" else boss.get(url)
    assert response.status_code in (200, 302, 422)


def test_dashboard_poll_is_a_304_until_the_fair_changes(app, boss, fair):
    url = f"/organiser/fairs/{fair.id}/dashboard"
    first = boss.get(url, headers={"HX-Request": "true"})
    assert first.status_code == 200 and 'id="live"' in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert boss.get(url, headers={"HX-Request": "true", "If-None-Match": etag}).status_code == 304
    request_in(fair, company_name="新来企业", need="用地")
    changed = boss.get(url, headers={"HX-Request": "true", "If-None-Match": etag})
    assert changed.status_code == 200 and "新来企业" in changed.get_data(as_text=True)


def test_hall_screen_shows_figures_and_no_personal_data(app, boss, fair):
    request_in(fair, company_name="保密企业有限公司", contact_name="王经理", need="用地")
    html = boss.get(f"/organiser/fairs/{fair.id}/screen").get_data(as_text=True)
    assert "受理企业需求" in html and "工业和信息化局" in html
    for private in ("保密企业", "王经理", "13912345678", CODE_A):
        assert private not in html


def test_the_hall_screen_shares_the_sites_head_and_shows_no_navigation(boss, fair):
    html = boss.get(f"/organiser/fairs/{fair.id}/screen").get_data(as_text=True)
    assert '<body class="screen">' in html and html.count("<main") == 1
    assert "app.css" in html and "htmx-2" in html and '"allowEval": false' in html
    assert 'class="topbar"' not in html and "退出" not in html
    # Nothing the Content-Security-Policy would block: no inline script or style.
    assert "<style" not in html and " style=" not in html and not re.search(r"<script(?![^>]*\ssrc=)", html)
    polled = boss.get(f"/organiser/fairs/{fair.id}/screen", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert polled.lstrip().startswith('<main id="live"') and "<head>" not in polled


def test_the_screen_the_dashboard_and_the_tally_show_one_satisfaction_figure(boss, fair):
    for rating in (5, 5, 1):  # 2 of 3 satisfied
        request_in(fair, Status.resolved, slip=answers(rating))
    for page in ("screen", "dashboard", "tally"):
        assert "66.7%" in boss.get(f"/organiser/fairs/{fair.id}/{page}").get_data(as_text=True), page


def test_every_label_on_the_fair_page_finds_its_own_input(boss, fair):
    html = boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []  # the fair's name and a new zone's were both "name"
    assert set(re.findall(r'\sfor="([^"]+)"', html)) <= set(ids)
