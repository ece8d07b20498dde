
import pytest
import sqlalchemy as sa
from flask import current_app

from kiosk.auth.models import User
from kiosk.core.extensions import db
from kiosk.fairs.models import Fair
from kiosk.service_requests.models import ServiceRequest


@pytest.fixture(autouse=True)
def instance(app, tmp_path):
    """The commands run in the test's app context (the observer's): their instance folder is a
    temporary one, not the worktree's."""
    current_app.instance_path = str(tmp_path)


def test_the_demo_is_named_as_one_and_its_passwords_and_tokens_are_random_on_each_install(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    fair = db.session.scalar(sa.select(Fair))
    assert "演示" in fair.name

    kept = dict(line.split("\t") for line in (tmp_path / "demo-logins.txt").read_text().splitlines())
    # the organiser, 25 booths and one department's ledger account
    assert len(kept) == 27 and next(iter(kept)) == "admin"
    assert len(set(kept.values())) == 27 and "demo1234" not in kept.values()
    assert f"admin / {kept['admin']}" in result.output  # what `make run` prints
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    assert users["admin"].check_password(kept["admin"]) and users["b07"].check_password(kept["b07"])
    # The file is the kiosk's, not everyone's on the machine.
    assert (tmp_path / "demo-logins.txt").stat().st_mode & 0o077 == 0
    # Not the seeded generator's: another install's links would open these requests.
    tokens = db.session.scalars(sa.select(ServiceRequest.token)).all()
    assert not any(t.startswith("demo") for t in tokens) and len(set(tokens)) == len(tokens)
    assert all(len(t) >= 24 for t in tokens)


def test_no_account_exists_until_someone_makes_one(app):
    """A real install: migrations only, so the first organiser comes from `users create-organiser`."""
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Fair.id))) == 0


def test_the_demo_stays_out_of_an_install_that_has_its_own_organiser(app):
    create = app.test_cli_runner().invoke(args=["users", "create-organiser", "admin"], input="a-real-password\n")
    assert create.exit_code == 0, create.output
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0 and "was not loaded" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Fair.id))) == 0
    assert db.session.scalar(sa.select(User)).check_password("a-real-password")
