"""Sessions end on the server: logout, a password reset and switching an account off end that
account's sessions on every browser, even a cookie copied before; other accounts' stay signed in."""
import sqlalchemy as sa

from kiosk.auth.accounts import reset_booth, switch
from kiosk.auth.models import User
from kiosk.core.extensions import db
from tests.factories import booth
from tests.helpers import csrf_token, login

POLL = {"HX-Request": "true"}
SIGNED_OUT_WHY = "本账号已退出登录"


def saved_cookie(client) -> str:
    return client.get_cookie("session").value


def browser_with(app, cookie: str):
    """Another browser holding a copy of a session cookie."""
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    return copy


def log_out(client):
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/login")})


def account(username) -> User:
    return db.session.scalar(sa.select(User).filter_by(username=username))


def test_a_cookie_saved_before_logout_opens_neither_a_staff_page_nor_a_poll(app, fair):
    url = f"/staff/booths/{booth(fair, 'B07').id}"
    tablet = login(app.test_client(), "b07")
    cookie = saved_cookie(tablet)
    etag = browser_with(app, cookie).get(url, headers=POLL).headers["ETag"]
    assert browser_with(app, cookie).get(url, headers={**POLL, "If-None-Match": etag}).status_code == 304
    assert log_out(tablet).status_code == 302

    page = browser_with(app, cookie).get(url)
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    for headers in (POLL, {**POLL, "If-None-Match": etag}):  # the unchanged queue's 304 path too
        poll = browser_with(app, cookie).get(url, headers=headers)
        assert poll.status_code == 401 and poll.headers["HX-Redirect"].startswith("/login")


def test_a_poll_from_a_session_ended_by_logout_goes_to_sign_in_saying_why(app, fair):
    url = f"/staff/booths/{booth(fair, 'B07').id}"
    tablet, second = login(app.test_client(), "b07"), login(app.test_client(), "b07")
    log_out(tablet)
    poll = second.get(url, headers=POLL)
    assert poll.status_code == 401
    assert SIGNED_OUT_WHY in second.get(poll.headers["HX-Redirect"]).get_data(as_text=True)
    # The browser that logged out is simply at the sign-in page, with nothing to explain.
    assert SIGNED_OUT_WHY not in tablet.get("/login").get_data(as_text=True)


def test_signing_in_again_after_logout_stands(app, fair):
    url = f"/staff/booths/{booth(fair, 'B07').id}"
    tablet = login(app.test_client(), "b07")
    log_out(tablet)
    login(tablet, "b07")
    assert tablet.get(url, headers=POLL).status_code == 200
    assert SIGNED_OUT_WHY not in tablet.get("/login").get_data(as_text=True)


def test_another_accounts_sessions_are_untouched_by_a_logout(app, fair, organiser):
    b01 = f"/staff/booths/{booth(fair, 'B01').id}"
    neighbour, boss = login(app.test_client(), "b01"), login(app.test_client(), "organiser")
    log_out(login(app.test_client(), "b07"))
    assert neighbour.get(b01, headers=POLL).status_code == 200
    assert boss.get("/organiser/").status_code == 200


def test_an_organisers_logout_ends_the_organisers_cookie_copied_before(app, organiser):
    boss = login(app.test_client(), "organiser")
    cookie = saved_cookie(boss)
    log_out(boss)
    assert browser_with(app, cookie).get("/organiser/").status_code == 302


def test_a_reset_ends_the_accounts_sessions_and_no_other(app, fair):
    b07, b01 = booth(fair, "B07"), booth(fair, "B01")
    cookie = saved_cookie(login(app.test_client(), "b07"))
    neighbour = login(app.test_client(), "b01")
    reset_booth(b07)
    db.session.commit()
    assert browser_with(app, cookie).get(f"/staff/booths/{b07.id}", headers=POLL).status_code == 401
    assert neighbour.get(f"/staff/booths/{b01.id}", headers=POLL).status_code == 200


def test_switching_an_account_off_ends_its_sessions_for_good_and_no_other(app, fair):
    b07, b01 = booth(fair, "B07"), booth(fair, "B01")
    tablet, neighbour = login(app.test_client(), "b07"), login(app.test_client(), "b01")
    switch(account("b07"), False)
    db.session.commit()
    assert tablet.get(f"/staff/booths/{b07.id}", headers=POLL).status_code == 401
    # Switched back on, the account signs in afresh: the old session does not come back with it.
    switch(account("b07"), True)
    db.session.commit()
    assert tablet.get(f"/staff/booths/{b07.id}", headers=POLL).status_code == 401
    assert neighbour.get(f"/staff/booths/{b01.id}", headers=POLL).status_code == 200
    login(tablet, "b07")
    assert tablet.get(f"/staff/booths/{b07.id}", headers=POLL).status_code == 200


def test_a_session_signed_in_before_session_epochs_still_stands(app, fair):
    """An upgrade mid-fair signs no tablet out: a session naming no epoch is epoch 0."""
    user = account("b07")
    tablet = app.test_client()
    with tablet.session_transaction() as session:
        session["_user_id"] = f"{user.id}.{user.password_hash[-12:]}"
        session["_fresh"] = True
    assert tablet.get(f"/staff/booths/{booth(fair, 'B07').id}", headers=POLL).status_code == 200


def test_a_signed_in_request_reads_its_account_and_writes_nothing_to_it(app, fair, organiser):
    """The account is read through the driver and put in the request's session as loaded
    (kiosk.auth.access.load_user): pages use it as any loaded account (its booth, its department),
    and it goes back unwritten. Written back, it would undo a password reset made meanwhile."""
    from sqlalchemy import event

    from tests.factories import department_staff
    staff = department_staff(booth(fair, "B07").department)
    db.session.commit()
    written = []

    def note(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            written.append(statement)
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        tablet = login(app.test_client(), "b07")
        ledger = login(app.test_client(), staff.username)
        boss = login(app.test_client(), organiser.username)
        written.clear()
        queue = tablet.get(f"/staff/booths/{booth(fair, 'B07').id}")
        assert queue.status_code == 200 and "B07" in queue.get_data(as_text=True)
        assert booth(fair, "B07").department.name in ledger.get("/ledger").get_data(as_text=True)  # its department
        assert boss.get("/organiser/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert written == []
