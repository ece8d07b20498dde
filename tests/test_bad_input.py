"""Bad input gets a clear answer in the user's language, never a 500: numbers that are not finite
amounts, absurd due dates, a NUL byte anywhere, and the database going away."""
import contextlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.service_requests.models import ServiceRequest
from tests.factories import booth, request_in
from tests.helpers import act, csrf_token, form_data, fresh, login, page_version


@pytest.mark.parametrize("amount", ["sNaN", "NaN", "-NaN", "inf", "-Infinity", "1e400", "-5", "1e9", "0"])
def test_an_amount_that_is_not_a_finite_sum_in_range_is_a_form_error(client, fair, amount):
    data = form_data(client, "/b/F01", category="funding", amount_wan=amount)
    response = client.post(f"/f/{fair.id}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "金额应为大于0的数字" in html
    assert data["company_name"] in html and data["need"] in html
    assert db.session.query(ServiceRequest).count() == 0


def test_a_plan_due_past_the_ceiling_from_the_fair_day_is_refused_with_a_message(client, fair):
    """The same ceiling as an extension's (EXTENSION_CEILING_DAYS), from the fair day: 9999-12-31 and
    one day past it are refused naming the latest date allowed; the ceiling itself is accepted."""
    item = request_in(fair)
    login(client, "b07")
    latest = fair_today() + timedelta(days=365)
    for too_late in ("9999-12-31", (latest + timedelta(days=1)).isoformat()):
        version = page_version(client, item.id, "plan")
        response = act(client, item.id, "plan", version=version, plan_text="会后踏勘", unit="工信局", person="赵",
                       due=too_late)
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and f"完成时限最晚为 {latest.isoformat()}" in html, too_late
        assert "会后踏勘" in html  # nothing typed is lost
    version = page_version(client, item.id, "plan")
    assert act(client, item.id, "plan", version=version, plan_text="会后踏勘", unit="工信局", person="赵",
               due=latest.isoformat()).status_code == 200
    assert fresh(item.id).plan_due == latest


def test_a_nul_byte_in_a_path_query_or_form_is_refused_at_the_edge(client, fair):
    item = request_in(fair)
    for url in ["/b/B0%007", f"/t/{item.token}%00", "/b/B07?lang=zh%00", f"/f/{fair.id}?x%00=1"]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert "请求中含有不允许的字符" in response.get_data(as_text=True)
    signin = client.post("/login", data={"username": "b07\x00", "password": "x",
                                         "csrf_token": csrf_token(client, "/login")})
    assert signin.status_code == 400 and "请求中含有不允许的字符" in signin.get_data(as_text=True)
    filed = client.post(f"/f/{fair.id}", data=form_data(client, "/b/B07", need="用地\x00需求"))
    assert filed.status_code == 400
    assert db.session.query(ServiceRequest).count() == 1


@pytest.fixture
def database_away(app):
    """Take the served app's database away: on SQLite its file is moved; on PostgreSQL the database
    stops taking connections and its open ones are ended, as when the server goes down."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        yield _sqlite_away(app, Path(url.removeprefix("sqlite:///")))
        return
    server, name = url.rsplit("/", 1)
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")

    def away():
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            connection.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    yield away
    with admin.connect() as connection:
        connection.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    admin.dispose()
    # The test's own connection was ended too: the first use of it says so, and drops it.
    for attempt in (db.session.rollback, db.session.remove):
        with contextlib.suppress(sa.exc.DBAPIError):
            attempt()
    db.engine.dispose()


def _sqlite_away(app, path: Path):
    def away():
        with app.app_context():
            db.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{path}{suffix}").exists():
                os.rename(f"{path}{suffix}", f"{path}{suffix}.away")
        path.mkdir()  # a directory where the file was: SQLite cannot open it
    return away


def test_every_page_answers_a_chinese_503_while_the_database_is_away(app, fair, organiser, database_away):
    item = request_in(fair)
    token, item_id = item.token, item.id  # read now: the test's own connection goes away too
    staff, boss = login(app.test_client(), "b07"), login(app.test_client(), "organiser")
    queue = f"/staff/booths/{booth(fair, 'B07').id}"
    assert staff.get(queue).status_code == 200
    database_away()
    public = app.test_client()
    answers = [public.get("/b/B07"), public.get(f"/t/{token}"), staff.get(queue),
               staff.get(queue, headers={"HX-Request": "true"}), staff.get(f"/staff/requests/{item_id}"),
               boss.get("/organiser/")]
    for response in answers:
        html = response.get_data(as_text=True)
        assert response.status_code == 503, (response.request.path, html[:300])
        assert "系统暂时连不上数据库" in html


def test_a_nul_byte_in_an_uploaded_csv_is_refused_beside_the_file_field(app, fair, organiser):
    import io
    boss = login(app.test_client(), "organiser")
    url = f"/organiser/fairs/{fair.id}/import"
    sheet = "摊位号,名称\nB99,测试\x00局\n".encode()
    response = boss.post(url, data={"csrf_token": csrf_token(boss, "/login"),
                                    "file": (io.BytesIO(sheet), "booths.csv")})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "请求中含有不允许的字符" not in html
    assert '<p class="error" id="file-error">这个文件含有空字符（NUL）' in html and fair.name in html
    assert db.session.query(ServiceRequest).count() == 0


def test_an_id_written_in_other_digits_is_no_id_and_never_a_500(app, fair, organiser):
    """"²" is a digit to str.isdigit but not to int(): /ledger?page=² answered 500."""
    boss = login(app.test_client(), organiser.username)
    for value in ("²", "٣", "１", "2²"):
        for url in (f"/ledger?page={value}", f"/ledger?fair={value}", f"/ledger?department={value}"):
            assert boss.get(url).status_code == 200, url
