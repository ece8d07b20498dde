"""Fixtures: the app on a database of its own per test, its client, a fair, an organiser. What
tests build or do is in tests/factories.py and tests/helpers.py."""
import gc
import os
import shutil
import time

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.routing.rules import Rule

from kiosk import create_app
from kiosk.auth.models import Role, User
from kiosk.core.extensions import db
from tests.factories import PASSWORD_HASH, make_fair

# A test's "today" is the fair's. Tests build due dates and review days from date.today(), the
# process's own zone, and the app reads its day in the fair's (kiosk.core.timeutil.fair_today): on a
# machine on UTC the two disagree from midnight in China to midnight UTC, eight hours a day, and
# tests about due dates and parking failed then. The app never reads the process's zone (ruff's DTZ
# rules), so this sets the tests' clock only (and what they start: chromium, a PostgreSQL of their own).
os.environ["TZ"] = os.environ.get("KIOSK_TIMEZONE", "Asia/Shanghai")
time.tzset()

# Every test makes two apps (see `app`), and werkzeug writes and compiles each route's URL builder
# anew for each: two per route, 500 routes, two thirds of create_app's time (about a minute of the
# suite). A builder's code depends only on the rule's parts and defaults, and it reads the rule's
# converters through its first argument, so one compiled function serves every app's copy of a rule.
_compile_builder = Rule._compile_builder
_builders = {}


def _compile_builder_once(self, append_unknown=True):
    key = (tuple(self._trace), repr(sorted((self.defaults or {}).items())),
           tuple((name, type(c).__name__) for name, c in self._converters.items()), append_unknown)
    if key not in _builders:
        _builders[key] = _compile_builder(self, append_unknown)
    return _builders[key]


Rule._compile_builder = _compile_builder_once

#: the notification channels' fakes (the fake_sink fixture), for every test that sends a message
pytest_plugins = ["tests.notify_fakes"]

#: set by scripts/with-postgres: the suite then runs against that PostgreSQL server instead of SQLite
POSTGRES_URL = os.environ.get("KIOSK_TEST_DATABASE_URL")


def pytest_sessionstart(session):
    """Fewer and smaller full garbage collections. Each test makes two apps and drops them, so the
    young objects that outlive a collection are many and short-lived, and Python's default
    thresholds set off a full collection every few tests, over every object of every module
    imported: a quarter of the suite's time. Frozen, what is loaded by now is no longer scanned; the
    higher threshold collects the young less often, for more memory held meanwhile (both figures in
    bench/RESULTS.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 10)


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
    """Every table emptied, children first, and every sequence restarted (tests may count on ids
    from 1): on a test's few rows a tenth of the time of one TRUNCATE of them all, which was a
    tenth of the PostgreSQL run (bench/RESULTS.md)."""
    with db.engine.begin() as connection:
        sequences = connection.exec_driver_sql(
            "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'").scalars()
        connection.exec_driver_sql("; ".join(
            [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
            + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fair(app):
    return make_fair()


@pytest.fixture
def organiser(app):
    user = User(username="organiser", display_name="市工业推进办", role=Role.organiser, password_hash=PASSWORD_HASH)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def empty_database(tmp_path):
    """An empty database of the kind the suite runs on: a new SQLite file, or a new PostgreSQL database."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql("DROP DATABASE IF EXISTS kiosk_migrations")
        connection.exec_driver_sql("CREATE DATABASE kiosk_migrations")
    yield POSTGRES_URL.rsplit("/", 1)[0] + "/kiosk_migrations"
    with server.connect() as connection:
        connection.exec_driver_sql("DROP DATABASE kiosk_migrations WITH (FORCE)")
    server.dispose()
