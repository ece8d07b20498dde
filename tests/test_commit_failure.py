"""A commit that fails at the request's end (kiosk.core.database.commit_at_request_end) answers the
kiosk's own page, not Flask's or gunicorn's bare 500: the 503 page when the database is the cause
(lost, restarted, or ending the transaction itself), in the user's language, JSON under /api/; the
500 page for any other failure. Nothing the request changed is kept, and the session is rolled back
before the page renders, so the page can still say who is signed in."""
import time

import pytest
import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.orm import Session

from kiosk.auth.access import organiser_required
from kiosk.core.extensions import db
from kiosk.service_requests.models import ServiceRequest, Status
from tests.conftest import POSTGRES_URL
from tests.factories import request_in
from tests.helpers import login
from tests.test_api import bearer, token

AWAY = "系统暂时连不上数据库"
AWAY_EN = "The system cannot reach its database just now"


def lost():
    return sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))


def ended():  # PostgreSQL's idle_in_transaction_session_timeout, as psycopg raises it at the COMMIT
    return sa.exc.InternalError("COMMIT", {}, Exception("terminating connection due to idle-in-transaction timeout"))


def refused():
    return sa.exc.IntegrityError("COMMIT", {}, Exception("duplicate key value violates unique constraint"))


@pytest.fixture
def planned(app, fair):
    return request_in(fair, Status.planned).id


@pytest.fixture
def saving(app, planned):
    """/_test/save: an organiser's page that changes a request and answers 200, to be committed."""
    @organiser_required  # as every organiser's page: the account is read before the view runs
    def save():
        db.session.get(ServiceRequest, planned).plan_person = "李四"
        db.session.flush()
        return "saved"

    app.add_url_rule("/_test/save", "save", save)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 handler answers
    return "/_test/save"


@pytest.fixture
def failing_commit(monkeypatch):
    """Makes the commit at a request's end raise the error given, without committing."""
    def fail_with(error):
        real = Session.commit

        def commit(session):
            if has_request_context():
                raise error()
            real(session)
        monkeypatch.setattr(Session, "commit", commit)
    return fail_with


def kept(planned) -> str | None:
    db.session.expire_all()
    return db.session.get(ServiceRequest, planned).plan_person


@pytest.mark.parametrize("error", [lost, ended])
def test_a_commit_lost_to_the_database_answers_the_chinese_503_page_and_keeps_nothing(
        app, organiser, planned, saving, failing_commit, error):
    boss = login(app.test_client(), organiser.username)
    failing_commit(error)
    answer = boss.get(saving)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503 and AWAY in page and '<html lang="zh-CN">' in page, page[:400]
    assert answer.headers["Content-Security-Policy"]  # the whole answer's treatment, as any page's
    assert kept(planned) != "李四"


def test_in_english_when_chosen(app, organiser, saving, failing_commit):
    boss = login(app.test_client(), organiser.username)
    boss.get("/lang/en")
    failing_commit(lost)
    answer = boss.get(saving)
    assert answer.status_code == 503 and AWAY_EN in answer.get_data(as_text=True)


def test_in_json_under_the_api(app, fair, failing_commit):
    secret = token()  # the API commits the token's last use
    app.config["PROPAGATE_EXCEPTIONS"] = False
    failing_commit(lost)
    answer = app.test_client().get("/api/v1/fairs", headers=bearer(secret))
    assert answer.status_code == 503 and answer.json == {"error": "database", "status": 503}


def test_any_other_failed_commit_answers_the_kiosks_500_page_after_a_rollback(
        app, organiser, planned, saving, failing_commit):
    boss = login(app.test_client(), organiser.username)
    failing_commit(refused)
    answer = boss.get(saving)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 500 and "系统暂时出错，请稍后再试" in page, page[:400]
    assert organiser.display_name in page  # the frame read the signed-in account again, after the rollback
    assert kept(planned) != "李四"


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL's own idle_in_transaction_session_timeout")
def test_a_transaction_postgresql_ends_before_the_commit_answers_503_and_its_connection_goes(app, organiser, planned):
    """The report's case, made sure of: PostgreSQL ends a transaction left idle longer than
    idle_in_transaction_session_timeout, here while the page renders, and the commit finds it gone."""
    @organiser_required
    def slow():
        db.session.execute(sa.text("SET LOCAL idle_in_transaction_session_timeout = '50ms'"))
        db.session.get(ServiceRequest, planned).plan_person = "李四"
        db.session.flush()
        time.sleep(0.5)  # a slow page, as PostgreSQL sees it: idle in the transaction
        return "saved"

    app.add_url_rule("/_test/slow", "slow", slow)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    boss = login(app.test_client(), organiser.username)
    answer = boss.get("/_test/slow")
    assert answer.status_code == 503 and AWAY in answer.get_data(as_text=True)
    assert kept(planned) != "李四"
    # The dead connection went nowhere near the pool: every page after it is served.
    assert [boss.get("/organiser/").status_code for _ in range(6)] == [200] * 6
