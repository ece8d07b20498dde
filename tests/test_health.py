"""/healthz, which nginx, a load balancer or a monitor asks every few seconds: 200 only while the
database answers with the schema this code was written for; never a cookie."""
import sqlalchemy as sa

from kiosk import __version__, create_app
from kiosk.core.extensions import db
from tests.conftest import POSTGRES_URL
from tests.helpers import login


def test_a_server_on_a_reachable_database_at_the_newest_migration_is_healthy(app, fair):
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200 and answer.text.startswith(f"ok: kiosk {__version__}, database reachable")
    assert "Set-Cookie" not in answer.headers and answer.headers["Cache-Control"] == "no-store"
    # A signed-in tablet asking gets no cookie either (nothing of the session is opened).
    tablet = login(app.test_client(), "b07")
    answer = tablet.get("/healthz")
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers


def test_a_schema_behind_the_code_takes_the_server_out_of_service(app):
    head = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    try:
        answer = app.test_client().get("/healthz")
        assert answer.status_code == 503
        assert f"kiosk {__version__}: schema at 0001, this code needs {head}" in answer.text
        assert "kiosk db upgrade" in answer.text
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        db.session.commit()


def test_an_unreachable_database_takes_the_server_out_of_service(tmp_path):
    nowhere = ("postgresql+psycopg://kiosk@127.0.0.1:1/kiosk" if POSTGRES_URL
               else f"sqlite:///{tmp_path / 'no such folder' / 'kiosk.db'}")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": nowhere, "SECRET_KEY": "test"})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.text == "database unreachable or without a schema\n"
    assert "Set-Cookie" not in answer.headers


def test_the_health_check_only_answers_questions(app):
    assert app.test_client().post("/healthz").status_code == 405
