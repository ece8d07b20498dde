"""The commands a new install starts with: the first organiser from the shell, with the password on
standard input, and a lock lifted from the shell when no other organiser can."""
import sqlalchemy as sa
from flask import current_app

from kiosk.auth.models import Role, User
from kiosk.auth.signin_limits import LOGIN_FAILURES
from kiosk.core.extensions import db
from tests.helpers import csrf_token

GOOD = "a-long-enough-password"


def create(app, name, password):
    return app.test_cli_runner().invoke(args=["users", "create-organiser", name], input=password + "\n")


def sign_in(client, username, password):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client, "/login")})


def test_on_an_empty_database_the_first_organiser_comes_from_the_command_and_signs_in(app):
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    result = create(app, "Chen", GOOD)
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output
    user = db.session.scalar(sa.select(User))
    assert (user.username, user.role, user.active) == ("chen", Role.organiser, True)
    assert user.check_password(GOOD)
    assert sign_in(app.test_client(), "chen", GOOD).headers["Location"] == "/organiser/"


def test_a_short_or_empty_password_is_refused_with_a_message_and_nothing_is_made(app):
    for password in ("", "short", "         "):
        result = create(app, "chen", password)
        assert result.exit_code != 0 and "密码至少需要10个字符" in result.output, result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_an_existing_name_is_refused_and_its_password_stays(app):
    assert create(app, "chen", GOOD).exit_code == 0
    again = create(app, "CHEN", "another-long-password")
    assert again.exit_code != 0 and "这个账号名已被使用" in again.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(User).filter_by(username="chen")).check_password(GOOD)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_a_name_with_spaces_or_symbols_is_refused(app):
    result = create(app, "chen li", GOOD)
    assert result.exit_code != 0 and "账号名只能用" in result.output


def test_unlock_from_the_command_line_lets_a_locked_organiser_sign_in_again(app):
    create(app, "chen", GOOD)
    stranger = app.test_client()
    token = csrf_token(stranger, "/login")
    for _ in range(LOGIN_FAILURES):
        stranger.post("/login", data={"username": "chen", "password": "guess", "csrf_token": token})
    assert sign_in(app.test_client(), "chen", GOOD).status_code == 429  # a new browser: locked out
    result = app.test_cli_runner().invoke(args=["users", "unlock", "chen"])
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), "chen", GOOD).status_code == 302


def test_unlocking_an_account_that_does_not_exist_says_so(app):
    result = app.test_cli_runner().invoke(args=["users", "unlock", "nobody"])
    assert result.exit_code != 0 and "No account named nobody" in result.output


def test_the_new_organiser_is_told_the_address_to_sign_in_at_and_never_a_guessed_one(app, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://fair.example.gov.cn")
    current_app.config["PUBLIC_BASE_URL"] = "https://fair.example.gov.cn"  # (commands run in the test's app)
    told = create(app, "chen", GOOD)
    assert told.exit_code == 0 and "sign in at https://fair.example.gov.cn/login" in told.output
    # Without it the kiosk does not know where it is reached: the default printed in QR codes
    # (127.0.0.1:5000) would be a guess, whatever port the server listens on.
    monkeypatch.delenv("PUBLIC_BASE_URL")
    current_app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    told = create(app, "wang", GOOD)
    assert told.exit_code == 0 and "127.0.0.1:5000" not in told.output
    assert "/login on the kiosk's address" in told.output and "PUBLIC_BASE_URL" in told.output
