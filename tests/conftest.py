import os
import re
import shutil
from datetime import date

import pytest
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash

from kiosk import create_app
from kiosk.auth.models import Role, User
from kiosk.extensions import db
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, FairStatus, Zone

#: valid 统一社会信用代码 (the check character computed by GB 32100-2015)
CODE_A = "91350100M000100Y43"
CODE_B = "91110000600037341L"


#: set by scripts/with-postgres: the suite then runs against that PostgreSQL server instead of SQLite
POSTGRES_URL = os.environ.get("KIOSK_TEST_DATABASE_URL")


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite (a file per test)'}"


def _config(url):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "SERVER_NAME": None}


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """One database built by the migrations (the real schema). On SQLite each test gets a copy of
    the file; on PostgreSQL each test empties the tables after itself."""
    url = POSTGRES_URL or f"sqlite:///{tmp_path_factory.mktemp('template') / 'kiosk.db'}"
    app = create_app(_config(url))
    with app.app_context():
        if POSTGRES_URL:
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app(migrated_db, tmp_path):
    """The app under test. The test's own database work runs in a second app on the same database,
    like a second process: sharing one app context with the requests would also share flask.g (the
    cached locale, the signed-in user) between requests and hide bugs."""
    url = migrated_db
    if not POSTGRES_URL:
        path = tmp_path / "kiosk.db"
        shutil.copy(migrated_db.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    served = create_app(_config(url))
    observer = create_app(_config(url))
    with observer.app_context():
        yield served
        db.session.remove()
        if POSTGRES_URL:
            _empty_tables()
        db.engine.dispose()
    with served.app_context():
        db.engine.dispose()


def _empty_tables():
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fair(app):
    return make_fair()


#: every test account's password, hashed cheaply: the suite signs in often
PASSWORD = "test-password"
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def make_fair(status=FairStatus.open, name="测试要素保障大集", prefix=""):
    """A small fair: three department booths and two bank booths, with a staff account each
    (user names b01, b02, b07, f01, f02, after the prefix)."""
    fair = Fair(name=name, date=date(2026, 6, 13), venue="会展中心", status=status)
    departments = Zone(fair=fair, name="要素保障部门专区", position=1)
    finance = Zone(fair=fair, name="金融服务专区", position=2)
    specs = [("B01", departments, "自然资源和规划局", DepartmentKind.department),
             ("B02", departments, "行政审批服务局", DepartmentKind.department),
             ("B07", departments, "工业和信息化局", DepartmentKind.department),
             ("F01", finance, "泰安银行", DepartmentKind.bank),
             ("F02", finance, "齐鲁银行", DepartmentKind.bank)]
    for code, zone, dept_name, kind in specs:
        department = db.session.query(Department).filter_by(name=f"{name}{dept_name}").one_or_none() \
            or Department(name=f"{name}{dept_name}", kind=kind)
        booth = Booth(fair=fair, zone=zone, department=department, code=code)
        db.session.add(User(username=f"{prefix}{code.lower()}", display_name=f"{code}工作人员", role=Role.staff,
                            booth=booth, password_hash=_HASH))
    db.session.add(fair)
    db.session.commit()
    return fair


@pytest.fixture
def organiser(app):
    user = User(username="organiser", display_name="市工业推进办", role=Role.organiser, password_hash=_HASH)
    db.session.add(user)
    db.session.commit()
    return user


def login(client, username):
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def csrf_token(client, url):
    """The CSRF token a page hands out, as a browser would read it from the form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def booth(fair, code):
    return next(b for b in fair.booths if b.code == code)
