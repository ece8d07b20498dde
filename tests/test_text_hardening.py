"""Hardening: invisible characters (direction overrides, zero-width spaces) never stored nor exported,
and cleaned out of text stored before; API tokens that outlive their issuer's account, said on the
tokens page and listed when the issuer is switched off; a booth sheet the import cannot read (a NUL,
undecodable bytes, a damaged or mislabelled file, too large) answered beside the file field."""
import csv
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from kiosk import create_app
from kiosk.api.models import ApiScope, ApiToken
from kiosk.api.tokens import issue_token
from kiosk.auth.models import Role, User
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.core.formtools import INVISIBLE, clean_text, strip, strip_long
from kiosk.core.spreadsheets import safe_cell
from kiosk.fairs.models import Department, Zone
from kiosk.organiser.importing import SheetRefused, read_rows
from kiosk.service_requests.models import Category, ServiceRequest
from tests.factories import CODE_A, PASSWORD_HASH
from tests.helpers import HEADER, csrf_token, form_data, login, sheet

#: every character the issue names, and the like INVISIBLE takes with them
NAMED = ("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
         "\u200b\u200c\u200d\u2060\ufeff")
LIKE = "\u00ad\u2061\u2062\u2063\u2064\u206a\u206f\ufff9\ufffa\ufffb\U000e0001\U000e0020\U000e0041\U000e007f"
invisible = st.sampled_from(NAMED + LIKE)
#: text as anyone may type it: any character a form can carry (no NUL, refused at the edge; no lone
#: surrogate, which Werkzeug's UTF-8 decoding never yields), invisible ones mixed in often
typed = st.lists(st.one_of(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), invisible),
                 max_size=30).map("".join)
SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def holds_invisible(text: str) -> bool:
    return any(c in NAMED + LIKE for c in text)


# --- 6. invisible characters -----------------------------------------------------------------------

def test_the_named_characters_are_all_unicode_format_characters_and_all_taken():
    assert all(unicodedata.category(c) == "Cf" for c in NAMED + LIKE)
    assert INVISIBLE.sub("", NAMED + LIKE) == ""
    # the format characters a script needs, which neither hide nor turn text, stay
    assert INVISIBLE.sub("", "\u0600\u180e\U00013430") == "\u0600\u180e\U00013430"


@pytest.mark.parametrize(("typed_in", "stored"), [
    ("泰安\u200b新材料\u200d公司", "泰安新材料公司"),                   # zero-width space and joiner in a name
    ("\u202e司公料材新安泰", "司公料材新安泰"),                          # right-to-left override before a name
    ("\u2067自然资源局\u2069", "自然资源局"),                           # an isolate around a department
    ("\ufeff\u200b　王经理\u200f ", "王经理"),                          # spaces the invisible ones hid are trimmed
    ("B0\u200b7", "B07"),                                              # a booth code
    ("Cafe\u200b\u0301", "Café"),                                      # composed once they are gone
    ("\u200b", ""),
])
def test_a_name_or_code_loses_its_invisible_characters(typed_in, stored):
    assert strip(typed_in) == stored


def test_long_text_loses_direction_overrides_and_zero_width_characters_and_keeps_its_lines():
    assert strip_long("会后\u202e勘踏\u202c\r\n\t第二\u200b行\u2066") == "会后勘踏\n\t第二行"


@given(typed)
def test_whatever_is_typed_is_stored_without_them_and_otherwise_as_the_cleaner_kept_it(text):
    for multiline in (False, True):
        stored = clean_text(text, multiline=multiline)
        assert not holds_invisible(stored) and unicodedata.is_normalized("NFC", stored)
        assert stored == clean_text(INVISIBLE.sub("", text), multiline=multiline)
        assert clean_text(stored, multiline=multiline) == stored


@given(typed, st.lists(st.tuples(st.integers(0, 60), invisible), max_size=8))
def test_invisible_characters_put_anywhere_into_clean_text_change_nothing_else(text, insertions):
    for multiline in (False, True):
        clean = clean_text(text, multiline=multiline)
        sent = clean
        for at, char in insertions:
            sent = sent[:at] + char + sent[at:]
        assert clean_text(sent, multiline=multiline) == clean


@given(typed)
def test_an_export_cell_never_carries_them_nor_a_formula_they_hid(text):
    cell = safe_cell(text)
    assert not holds_invisible(cell)
    assert cell == safe_cell(INVISIBLE.sub("", text))
    assert safe_cell("\u200b=HYPERLINK(1)") == "'=HYPERLINK(1)"


def _export_text(boss, fair) -> tuple[str, str]:
    as_csv = boss.get(f"/organiser/fairs/{fair.id}/requests.csv")
    as_xlsx = boss.get(f"/organiser/fairs/{fair.id}/requests.xlsx")
    assert as_csv.status_code == as_xlsx.status_code == 200
    body = as_csv.data.decode("utf-8-sig")
    cells = [str(value) for row in load_workbook(io.BytesIO(as_xlsx.data)).active.iter_rows(values_only=True)
             for value in row if value is not None]
    return body, "\n".join(cells)


@SETTINGS
@given(typed)
def test_whatever_a_company_types_is_stored_and_exported_without_them(app, fair, organiser, text):
    phone = app.test_client()
    response = phone.post(f"/f/{fair.id}", data=form_data(
        phone, "/b/B07", company_name=f"泰安{text}有限公司", contact_name=f"王{text}", need=f"用地{text}需求",
        project_name=text))
    if response.status_code != 303:  # refused (too long, say): nothing was stored
        assert response.status_code == 422
        return
    saved = db.session.scalars(sa.select(ServiceRequest).order_by(ServiceRequest.id.desc())).first()
    db.session.refresh(saved)
    expected_name = clean_text(INVISIBLE.sub("", f"泰安{text}有限公司"))
    assert saved.company_name == expected_name and saved.need == clean_text(f"用地{text}需求", multiline=True)
    for value in (saved.company_name, saved.contact_name, saved.need, saved.project_name or ""):
        assert not holds_invisible(value)
    body, cells = _export_text(login(app.test_client(), "organiser"), fair)
    assert not holds_invisible(body) and not holds_invisible(cells)
    assert next(csv.reader(io.StringIO(body)))[0] == "需求编号"


def test_text_stored_before_is_exported_without_them(app, fair, organiser):
    phone = app.test_client()
    assert phone.post(f"/f/{fair.id}", data=form_data(phone, "/b/B07")).status_code == 303
    db.session.execute(sa.update(ServiceRequest).values(
        company_name="\u202e司公安泰", need="\u200b=1+1\u202e需求", contact_name="王\u200d经理"))
    db.session.execute(sa.update(Department).values(name=Department.name + "\u2067"))
    db.session.commit()
    body, cells = _export_text(login(app.test_client(), "organiser"), fair)
    assert not holds_invisible(body) and not holds_invisible(cells)
    assert "司公安泰" in body and "'=1+1需求" in body and "王经理" in cells


def test_a_booth_sheets_cells_lose_them():
    rows = read_rows("booths.csv",
                     "摊位号,部门或机构名称,类型,专区\n\u200bB01,自然资源局\u202e,部门,\u2066专区\u2069\n".encode())
    assert rows[1] == ["B01", "自然资源局", "部门", "专区"]


def test_stored_text_is_cleaned_by_the_migration_and_names_stay_apart(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(revision="0024")  # the last revision before this one
        old = sa.MetaData()
        old.reflect(db.engine)
        insert = lambda table, **values: db.session.execute(  # noqa: E731
            sa.insert(old.tables[table]).values(**values).returning(old.tables[table].c.id)).scalar_one()
        fair_id = insert("fair", name="\u202e集大障保素要", date=date(2026, 6, 13), venue="会展\u200b中心",
                         status="open", created_at=datetime(2026, 6, 1), setup_version=0, screen_token="s" * 43)
        other_fair = insert("fair", name="第二场", date=date(2026, 7, 13), venue="", status="draft",
                            created_at=datetime(2026, 6, 1), setup_version=0, screen_token="t" * 43)
        zones = [insert("zone", fair_id=fair_id, name=name, position=n) for n, name in
                 enumerate(["金融服务专区", "金融服务专区\u200b", "\u200c"], start=1)]
        elsewhere = insert("zone", fair_id=other_fair, name="金融服务\u2060专区", position=1)
        departments = [insert("department", name=name, kind="department") for name in
                       ["自然资源局", "自然资源局\u200b", "\u202e自然资源局", "工信局\u200d"]]
        booth_id = insert("booth", fair_id=fair_id, zone_id=zones[0], department_id=departments[0], code="B01",
                          last_seq=1, queue_version=0, hidden=False)
        company_id = insert("company", credit_code=CODE_A, name="甲\u200b公司", created_at=datetime(2026, 6, 13))
        insert("service_request", fair_id=fair_id, booth_id=booth_id, company_id=company_id, ticket_no="B01-001",
               token="t" * 24, category=Category.land.value, status="planned", channel="phone",
               company_name="甲\u200b公司", need="用地\u202e求需\u202c\n第二行 ", contact_name="Cafe\u200b\u0301",
               contact_mobile="13912345678", plan_text="踏勘", plan_unit="\u2067自然资源局\u2069",
               created_at=datetime(2026, 6, 13), updated_at=datetime(2026, 6, 13), version=1)
        insert("user", username="second", password_hash=PASSWORD_HASH, display_name="李\u200b四", role="organiser",
               active=True, created_at=datetime(2026, 6, 1))
        db.session.commit()
        db.session.remove()
        upgrade()  # to the newest, through 0025
        item = db.session.execute(sa.select(ServiceRequest.company_name, ServiceRequest.need,
                                            ServiceRequest.contact_name, ServiceRequest.plan_unit)).one()
        assert tuple(item) == ("甲公司", "用地求需\n第二行", "Café", "自然资源局")
        assert db.session.scalar(sa.select(Company.name)) == "甲公司"
        assert db.session.scalar(sa.select(User.display_name).filter_by(username="second")) == "李四"
        names = dict(db.session.execute(sa.select(Department.id, Department.name)).all())
        assert [names[d] for d in departments] == ["自然资源局", "自然资源局（2）", "自然资源局（3）", "工信局"]
        zone_names = dict(db.session.execute(sa.select(Zone.id, Zone.name)).all())
        assert [zone_names[z] for z in zones] == ["金融服务专区", "金融服务专区（2）", "（1）"]
        assert zone_names[elsewhere] == "金融服务专区"  # another fair's zone of that name is no clash
        fair_row = db.session.execute(sa.text("SELECT name, venue FROM fair WHERE id = :id"), {"id": fair_id}).one()
        assert tuple(fair_row) == ("集大障保素要", "会展中心")
        db.session.remove()
        db.engine.dispose()


# --- 7. tokens outlive their issuer's account ---------------------------------------------------------

def _organiser(username: str) -> User:
    user = User(username=username, display_name="李四", role=Role.organiser, password_hash=PASSWORD_HASH)
    db.session.add(user)
    db.session.commit()
    return user


def post(client, url, data=None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, "/login"), **(data or {})}, **kwargs)


def test_the_tokens_page_says_whose_a_token_is_and_what_switching_off_its_issuer_does(app, organiser):
    boss = login(app.test_client(), "organiser")
    page = boss.get("/organiser/api-tokens").get_data(as_text=True)
    assert ("令牌属于使用它的单位或系统，不属于签发它的组织方："
            "签发人的账号停用后，令牌照常有效，直到在这里吊销。") in page
    english = boss.get("/organiser/api-tokens", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A token belongs to the system that uses it" in english


def test_switching_an_organiser_off_lists_the_live_tokens_it_issued_each_with_its_revoke_button(app, fair, organiser):
    li = _organiser("li")
    feed, _ = issue_token("市统计局", ApiScope.public, li)
    _, secret = issue_token("市大数据局", ApiScope.personal, li)
    gone, _ = issue_token("旧系统", ApiScope.public, li)
    gone.revoked_at = datetime(2026, 1, 1)
    issue_token("我的系统", ApiScope.public, organiser)
    db.session.commit()
    boss = login(app.test_client(), "organiser")
    assert 'id="tokens-of-' not in boss.get("/organiser/organisers").get_data(as_text=True)

    off = post(boss, "/organiser/organisers/switch", {"user": str(li.id), "to": "off"})
    assert off.status_code == 302 and off.headers["Location"].endswith(f"#tokens-of-{li.id}")
    page = boss.get(off.headers["Location"]).get_data(as_text=True)
    assert "已停用li。它签发的2个数据接口令牌仍然有效" in page
    listed = re.search(rf'<tr id="tokens-of-{li.id}"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "市统计局" in listed and "市大数据局" in listed and "旧系统" not in listed and "我的系统" not in listed
    assert listed.count('name="back" value="organisers"') == 2
    assert f'action="/organiser/api-tokens/{feed.id}/revoke"' in listed
    # The decision: the token goes on working until it is revoked, and the tokens page marks it.
    api = app.test_client()
    assert api.get("/api/v1/fairs", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert "签发人已停用" in boss.get("/organiser/api-tokens").get_data(as_text=True)

    revoked = post(boss, f"/organiser/api-tokens/{feed.id}/revoke", {"back": "organisers", "confirmed": "yes"})
    assert revoked.status_code == 302 and revoked.headers["Location"].endswith(
        f"/organiser/organisers#tokens-of-{li.id}")
    db.session.expire_all()
    assert db.session.get(ApiToken, feed.id).is_revoked
    listed = re.search(rf'<tr id="tokens-of-{li.id}"[^>]*>(.*?)</tr>', boss.get("/organiser/organisers").get_data(
        as_text=True), re.S).group(1)
    assert "市统计局" not in listed and "市大数据局" in listed
    english = boss.get("/organiser/organisers", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "still valid" in english


def test_switching_off_an_organiser_without_live_tokens_says_only_that(app, organiser):
    li = _organiser("li")
    boss = login(app.test_client(), "organiser")
    done = post(boss, "/organiser/organisers/switch", {"user": str(li.id), "to": "off"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "已停用li。" in html and "令牌仍然有效" not in html and 'id="tokens-of-' not in html


# --- 8. a sheet the import cannot read --------------------------------------------------------------

def upload(client, fair_id, data: bytes, name: str, **headers):
    return client.post(f"/organiser/fairs/{fair_id}/import", content_type="multipart/form-data", headers=headers,
                       data={"csrf_token": csrf_token(client, f"/organiser/fairs/{fair_id}"),
                             "file": (io.BytesIO(data), name)})


def _xlsx(rows) -> bytes:
    return sheet(rows, "xlsx")[0].getvalue()


def _with_member(data: bytes, name: str, edit) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member)
            target.writestr(member.filename, edit(body) if member.filename == name else body)
    return out.getvalue()


def _cell_holding(escape: bytes) -> bytes:
    """An XLSX whose department cell's XML holds these bytes."""
    data = _xlsx([HEADER, ["B30", "统计局", "部门", "要素保障部门专区"]])
    edited = _with_member(data, "xl/worksheets/sheet1.xml",
                          lambda body: body.replace("统计局".encode(), "统计".encode() + escape))
    assert escape in zipfile.ZipFile(io.BytesIO(edited)).read("xl/worksheets/sheet1.xml")
    return edited


def _unknown_zip_version() -> bytes:
    """An XLSX whose central directory asks for a zip version Python's zipfile does not know."""
    data = bytearray(_xlsx([HEADER]))
    at = data.index(b"PK\x01\x02")
    data[at + 6:at + 8] = (99).to_bytes(2, "little")
    return bytes(data)


UNREADABLE = [
    ("booths.csv", "摊位号,部门或机构名称\nB99,测试\x00局\n".encode(), "这个文件含有空字符（NUL）"),
    ("booths.csv", "摊位号,部门".encode("utf-16"), "这个文件含有空字符（NUL）"),
    ("booths.csv", b"\xff\xfe\xfd\x80\x81", "这个文件的文字编码无法识别"),
    ("booths.csv", _xlsx([HEADER]), "这个文件其实是 XLSX 工作簿"),
    ("booths.xlsx", "摊位号,部门或机构名称,类型,专区\n".encode(), "这个文件不是 XLSX 工作簿"),
    ("booths.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "这个文件不是 XLSX 工作簿"),
    ("booths.xlsx", b"PK\x03\x04" + bytes(100), "无法读取这个文件"),
    ("booths.xlsx", _cell_holding(b"\x00"), "无法读取这个文件"),
    ("booths.xlsx", _cell_holding(b"&#0;"), "无法读取这个文件"),
    ("booths.xlsx", _unknown_zip_version(), "无法读取这个文件"),
]


@pytest.mark.parametrize(("name", "data", "message"), UNREADABLE)
def test_a_sheet_the_import_cannot_read_is_refused_with_its_reason(app, name, data, message):
    with pytest.raises(SheetRefused) as refused, app.test_request_context():
        read_rows(name, data)
    with app.test_request_context():
        assert message in str(refused.value.message)


@pytest.mark.parametrize("cell", ["统计\x00局", "统计\ud800局"])
def test_a_cell_read_with_a_nul_or_a_lone_surrogate_is_refused_with_its_line(app, cell):
    """What an XLSX reader could hand back (openpyxl refuses both in the XML today): never stored."""
    from kiosk.organiser.importing import _bounded
    with pytest.raises(SheetRefused) as refused, app.test_request_context():
        _bounded(iter([HEADER, ["B30", cell, "部门", "要素保障部门专区"]]))
    with app.test_request_context():
        assert "第2行有单元格含有空字符（NUL）或无法识别的字符" in str(refused.value.message)


@pytest.mark.parametrize(("name", "data", "message"), UNREADABLE[:1] + UNREADABLE[7:])
def test_the_refusal_is_beside_the_file_field_on_the_fair_page_in_the_users_language(
        app, fair, organiser, name, data, message):
    boss = login(app.test_client(), "organiser")
    html = upload(boss, fair.id, data, name).get_data(as_text=True)
    assert re.search(r'<p class="error" id="file-error">' + re.escape(message), html)
    assert fair.name in html and "请求中含有不允许的字符" not in html
    english = upload(boss, fair.id, data, name, **{"Accept-Language": "en"})
    assert english.status_code == 422
    error = re.search(r'<p class="error" id="file-error">([^<]*)</p>', english.get_data(as_text=True)).group(1)
    assert error and not re.search(r"[\u4e00-\u9fff]", error)


def _multipart(token: str, data: bytes, name: str) -> bytes:
    """The body a browser sends, built here in memory (the test client spools a large one to a
    temporary file, which a request refused unread leaves open)."""
    return b"".join([b"--x\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n", token.encode(),
                     b"\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"", name.encode(),
                     b"\"\r\nContent-Type: text/csv\r\n\r\n", data, b"\r\n--x--\r\n"])


def test_a_sheet_over_the_upload_limit_is_refused_beside_the_file_field(app, fair, organiser):
    boss = login(app.test_client(), "organiser")
    url, too_large = f"/organiser/fairs/{fair.id}/import", b"a" * app.config["MAX_CONTENT_LENGTH"]
    body = _multipart(csrf_token(boss, f"/organiser/fairs/{fair.id}"), too_large, "booths.csv")
    response = boss.post(url, data=body, content_type="multipart/form-data; boundary=x")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert '<p class="error" id="file-error">文件过大：摊位表最大2 MB' in html and fair.name in html
    # anyone else gets the plain page, and nothing of the fair
    stranger = app.test_client().post(url, data=body, content_type="multipart/form-data; boundary=x")
    assert stranger.status_code == 413 and fair.name not in stranger.get_data(as_text=True)


_VALID_XLSX = _xlsx([HEADER, ["B30", "某市统计局", "部门", "要素保障部门专区"]])


def _mutated(positions_and_bytes) -> bytes:
    data = bytearray(_VALID_XLSX)
    for at, byte in positions_and_bytes:
        data[at % len(data)] = byte
    return bytes(data)


uploads = st.one_of(
    st.tuples(st.binary(max_size=400), st.sampled_from(["booths.csv", "booths.xlsx"])),
    st.tuples(st.binary(max_size=400).map(lambda b: b"PK\x03\x04" + b), st.just("booths.xlsx")),
    st.tuples(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=12).map(_mutated),
              st.just("booths.xlsx")),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(uploads)
def test_whatever_bytes_are_uploaded_the_answer_is_the_import_page_with_a_message(app, fair, organiser, upload_):
    data, name = upload_
    boss = login(app.test_client(), "organiser")
    response = upload(boss, fair.id, data, name)
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 422), (response.status_code, html[:300])
    assert fair.name in html and f'action="/organiser/fairs/{fair.id}/import"' in html
    if response.status_code == 422:
        assert 'id="file-error"' in html or 'class="import-errors"' in html
