"""Accounts managed by organisers: one booth reset without signing out the others, and its tablet
told why; booth accounts switched off and on, and unlocked; organisers added, switched off (never
themselves) and unlocked by one another; an organiser's own password; and where organisers land."""
import re

import sqlalchemy as sa

from kiosk.auth.models import Role, User
from kiosk.auth.signin_limits import LOGIN_FAILURES
from kiosk.core.extensions import db
from tests.factories import PASSWORD, PASSWORD_HASH, booth
from tests.helpers import csrf_token, login

RESET_WHY = "本摊位账号的密码已被管理员重置"
OFF_WHY = "本账号已被大集组织方停用"


def post(client, url, data=None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, "/login"), **(data or {})}, **kwargs)


def poll(client, booth_id):
    return client.get(f"/staff/booths/{booth_id}", headers={"HX-Request": "true"})


def sign_in(client, username, password):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client, "/login")})


def guess(client, username, times):
    token = csrf_token(client, "/login")
    for _ in range(times):
        client.post("/login", data={"username": username, "password": "guess", "csrf_token": token})


def organiser_named(username, display_name="第二组织方"):
    user = User(username=username, display_name=display_name, role=Role.organiser, password_hash=PASSWORD_HASH)
    db.session.add(user)
    db.session.commit()
    return user


def test_an_organiser_lands_on_the_fairs_page_after_signing_in(app, organiser):
    response = sign_in(app.test_client(), "organiser", PASSWORD)
    assert response.headers["Location"] == "/organiser/"


def test_one_booths_reset_signs_out_its_tablets_only_and_prints_its_slip_alone(app, fair, organiser):
    b07, b01 = booth(fair, "B07").id, booth(fair, "B01").id
    tablet, neighbour = login(app.test_client(), "b07"), login(app.test_client(), "b01")
    assert poll(tablet, b07).status_code == 200 and poll(neighbour, b01).status_code == 200
    boss = login(app.test_client(), "organiser")

    slip = post(boss, f"/organiser/fairs/{fair.id}/booths/{b07}/reset")
    html = slip.get_data(as_text=True)
    assert slip.status_code == 200
    username = re.search(r'id="slip-username">([^<]+)<', html).group(1)
    password = re.search(r'id="slip-password">([^<]+)<', html).group(1)
    assert username == "b07" and "B01" not in html and "b01" not in html  # that booth's slip alone

    # Its tablet's next poll sends it to the sign-in page, which says why; its next page too.
    refused = poll(tablet, b07)
    assert refused.status_code == 401 and refused.headers["HX-Redirect"].startswith("/login")
    assert RESET_WHY in tablet.get(refused.headers["HX-Redirect"]).get_data(as_text=True)
    page = tablet.get(f"/staff/booths/{b07}", follow_redirects=True).get_data(as_text=True)
    assert RESET_WHY in page
    # Every other booth stays signed in, and says nothing of it.
    assert poll(neighbour, b01).status_code == 200
    assert RESET_WHY not in neighbour.get("/login").get_data(as_text=True)
    # The slip's password signs the tablet in again, and then the sign-in page is quiet.
    assert sign_in(tablet, username, password).headers["Location"] == f"/staff/booths/{b07}"
    assert poll(tablet, b07).status_code == 200
    assert RESET_WHY not in tablet.get("/login").get_data(as_text=True)


def test_the_accounts_page_lists_each_booths_account_with_its_tablets_and_lock(app, fair, organiser):
    login(app.test_client(), "b07")
    login(app.test_client(), "b07")  # a second tablet at the same booth
    guess(app.test_client(), "f01", LOGIN_FAILURES)
    boss = login(app.test_client(), "organiser")
    page = boss.get(f"/organiser/fairs/{fair.id}/accounts").get_data(as_text=True)
    rows = dict(re.findall(r'<tr id="account-(\w+)">(.*?)</tr>', page, re.S))
    assert sorted(rows) == ["B01", "B02", "B07", "F01", "F02"]
    assert re.search(r"<td>2</td>", rows["B07"]) and "登录已锁定" not in rows["B07"]
    assert "登录已锁定" in rows["F01"] and "解除锁定" in rows["F01"]
    assert all("在用" in row for row in rows.values())


def test_a_switched_off_booth_is_told_why_and_signs_in_afresh_when_switched_on(app, fair, organiser):
    b07 = booth(fair, "B07").id
    tablet = login(app.test_client(), "b07")
    boss = login(app.test_client(), "organiser")
    off = post(boss, f"/organiser/fairs/{fair.id}/booths/{b07}/switch", {"to": "off"}, follow_redirects=True)
    assert "已停用B07的账号" in off.get_data(as_text=True)
    refused = poll(tablet, b07)
    assert refused.status_code == 401
    assert OFF_WHY in tablet.get(refused.headers["HX-Redirect"]).get_data(as_text=True)
    assert sign_in(app.test_client(), "b07", PASSWORD).status_code == 401  # nor may anyone sign in
    post(boss, f"/organiser/fairs/{fair.id}/booths/{b07}/switch", {"to": "on"})
    assert poll(tablet, b07).status_code == 401  # switching off ended its sessions for good
    assert sign_in(tablet, "b07", PASSWORD).status_code == 302
    assert poll(tablet, b07).status_code == 200
    assert post(boss, f"/organiser/fairs/{fair.id}/booths/{b07}/switch", {"to": "sideways"}).status_code == 400


def test_every_booth_reset_needs_its_confirmation(app, fair, organiser):
    b07 = booth(fair, "B07").id
    tablet = login(app.test_client(), "b07")
    boss = login(app.test_client(), "organiser")
    unconfirmed = post(boss, f"/organiser/fairs/{fair.id}/accounts", {"reset": "all"})
    assert unconfirmed.status_code == 422 and "请先勾选确认框" in unconfirmed.get_data(as_text=True)
    assert poll(tablet, b07).status_code == 200
    confirmed = post(boss, f"/organiser/fairs/{fair.id}/accounts", {"reset": "all", "confirm": "yes"})
    assert len(re.findall(r'<td class="mono">', confirmed.get_data(as_text=True))) == 10
    assert poll(tablet, b07).status_code == 401


def test_an_organiser_adds_another_who_signs_in_and_can_be_switched_off(app, organiser):
    boss = login(app.test_client(), "organiser")
    short = post(boss, "/organiser/organisers", {"username": "li", "display_name": "李四", "password": "short"})
    assert short.status_code == 422 and "密码至少需要10个字符" in short.get_data(as_text=True)
    assert 'value="李四"' in short.get_data(as_text=True)  # what was typed stays
    added = post(boss, "/organiser/organisers", {"username": "Li", "display_name": "李四",
                                                 "password": "long-enough-pw"}, follow_redirects=True)
    assert "已添加组织方账号li" in added.get_data(as_text=True)
    taken = post(boss, "/organiser/organisers", {"username": "li", "display_name": "x", "password": "long-enough-pw"})
    assert taken.status_code == 422 and "这个账号名已被使用" in taken.get_data(as_text=True)

    li = app.test_client()
    assert sign_in(li, "li", "long-enough-pw").headers["Location"] == "/organiser/"
    li_id = db.session.scalar(sa.select(User.id).filter_by(username="li"))
    post(boss, "/organiser/organisers/switch", {"user": str(li_id), "to": "off"})
    assert li.get("/organiser/").status_code == 302
    assert OFF_WHY in li.get("/login").get_data(as_text=True)


def test_an_organiser_cannot_switch_themself_off(app, organiser):
    organiser_named("second")
    boss = login(app.test_client(), "organiser")
    refused = post(boss, "/organiser/organisers/switch", {"user": str(organiser.id), "to": "off"})
    assert refused.status_code == 422 and "不能停用自己的账号" in refused.get_data(as_text=True)
    db.session.refresh(organiser)
    assert organiser.active and boss.get("/organiser/").status_code == 200
    assert post(boss, "/organiser/organisers/switch", {"user": "999999", "to": "off"}).status_code == 404


def test_a_locked_organiser_is_unlocked_by_another_organiser(app, organiser):
    organiser_named("second")
    guess(app.test_client(), "second", LOGIN_FAILURES)
    assert sign_in(app.test_client(), "second", PASSWORD).status_code == 429
    boss = login(app.test_client(), "organiser")
    page = boss.get("/organiser/organisers").get_data(as_text=True)
    row = re.search(r'<tr id="organiser-second">(.*?)</tr>', page, re.S).group(1)
    assert "登录已锁定" in row
    second_id = db.session.scalar(sa.select(User.id).filter_by(username="second"))
    done = post(boss, "/organiser/organisers/unlock", {"user": str(second_id)}, follow_redirects=True)
    assert "已解除second的登录锁定" in done.get_data(as_text=True)
    assert sign_in(app.test_client(), "second", PASSWORD).status_code == 302


def test_an_organiser_changes_their_own_password_and_stays_signed_in_here_only(app, organiser):
    boss = login(app.test_client(), "organiser")
    other_laptop = login(app.test_client(), "organiser")

    def change(current, new, again):
        return post(boss, "/organiser/password", {"current": current, "new": new, "again": again})

    wrong = change("not-it", "a-new-long-password", "a-new-long-password")
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    short = change(PASSWORD, "short", "short")
    assert short.status_code == 422 and "密码至少需要10个字符" in short.get_data(as_text=True)
    mismatch = change(PASSWORD, "a-new-long-password", "a-new-long-passw0rd")
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    db.session.refresh(organiser)
    assert organiser.check_password(PASSWORD)

    done = change(PASSWORD, "a-new-long-password", "a-new-long-password")
    assert done.headers["Location"] == "/organiser/"
    assert boss.get("/organiser/").status_code == 200  # this browser stays signed in
    assert other_laptop.get("/organiser/").status_code == 302  # the other one does not, and is told
    assert "本账号的密码已更改" in other_laptop.get("/login").get_data(as_text=True)
    assert sign_in(app.test_client(), "organiser", PASSWORD).status_code == 401
    assert sign_in(app.test_client(), "organiser", "a-new-long-password").status_code == 302


def test_booth_staff_reach_none_of_the_account_pages(app, fair, organiser):
    tablet = login(app.test_client(), "b07")
    b07 = booth(fair, "B07").id
    for url in ("/organiser/organisers", "/organiser/password", f"/organiser/fairs/{fair.id}/accounts"):
        assert tablet.get(url).status_code == 403
    assert post(tablet, f"/organiser/fairs/{fair.id}/booths/{b07}/reset").status_code == 403
