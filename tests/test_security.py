"""The security pass: every route against every role (a new route without its rule fails here),
CSRF on every POST, escaped user text, cookies and headers, and the rate limits."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from kiosk.api.models import ApiScope
from kiosk.api.tokens import issue_token
from kiosk.auth.signin_limits import LOGIN_FAILURES
from kiosk.core.extensions import db
from kiosk.figures.periods import Period
from kiosk.intake.limits import SUBMITS_PER_DEVICE
from kiosk.ledger import rounds as rules
from kiosk.scoreboard import service as scoring
from kiosk.service_requests import workflow
from kiosk.service_requests.models import ServiceRequest, Status
from kiosk.slips.models import SlipChannel
from kiosk.slips.service import give_slip
from tests.factories import PASSWORD, answers, booth, department_staff, request_in
from tests.helpers import csrf_token, form_data, login, pdf_text

# Who may reach each endpoint. Every endpoint of the app must be listed: the test below fails on a
# route nobody has decided about.
PUBLIC, COMPANY, STAFF, BOOTH, REQUEST, ORGANISER = "public", "company", "staff", "booth", "request", "organiser"
#: the read-only API: its bearer token only; no session, an organiser's included, opens it
API = "api token"
#: the ledger: organisers and department staff; a ledger item: organisers and its own department's staff
LEDGER, LEDGER_ITEM = "ledger", "ledger item"
POLICY = {
    "static": PUBLIC, "intake.home": PUBLIC, "intake.booth_form": PUBLIC, "intake.fair_form": PUBLIC,
    "intake.submit": PUBLIC, "i18n.switch": PUBLIC, "auth.login": PUBLIC,
    "intake.track": COMPANY, "slips.by_company": COMPANY,
    "auth.logout": STAFF, "booth.index": STAFF, "slips.kiosk": STAFF, "slips.kiosk_exit": STAFF,
    "booth.queue": BOOTH, "booth.walk_in": BOOTH,
    "booth.show": REQUEST, "booth.act": REQUEST, "slips.paper": REQUEST, "slips.start_slip_mode": REQUEST,
    "slips.followups": ORGANISER, "slips.followup": ORGANISER,
    "intake.fair_booth_form": PUBLIC, "intake.find": PUBLIC, "intake.forget": PUBLIC,
    "hall.screen": PUBLIC,
    "api.openapi": PUBLIC, "api.fairs": API, "api.fair": API, "api.tally": API, "api.requests": API,
    "api.request_": API, "api.ledger_items": API, "api.ledger_item": API, "api.rankings": API, "api.ranking": API,
    "ledger.index": LEDGER, "ledger.item": LEDGER_ITEM, "ledger.act": LEDGER_ITEM, "intake.verdict": COMPANY,
    "ledger.companies": ORGANISER, "ledger.company": ORGANISER, "ledger.rounds": ORGANISER,
    "ledger.round_page": ORGANISER, "ledger.round_marks": ORGANISER, "ledger.close_round": ORGANISER,
    "ledger.round_document": ORGANISER, "ledger.refresh_round": ORGANISER, "ledger.delete_round": ORGANISER,
    "ledger.extensions": LEDGER,  # each department sees its own requests there, organisers every one
    # published rankings: organisers and departments' ledger accounts; the disclosure: everyone, once published
    "scoreboard.index": LEDGER, "scoreboard.published": LEDGER, "scoreboard.published_document": LEDGER,
    "disclosure.index": PUBLIC, "disclosure.page": PUBLIC, "disclosure.document": PUBLIC,
}
# The handover (交办): its lists are the organisers'; a receipt (签收) is its department's (an item's)
# or a department's ledger home's (all it listed)
POLICY.update({"supervision.handover": ORGANISER, "supervision.handover_fair": ORGANISER,
               "supervision.handover_print": ORGANISER, "supervision.acknowledge_item": LEDGER_ITEM,
               "supervision.acknowledge_listed": LEDGER})
# Supervision notices (督办单): organisers issue them; a notice, its PDF and its replies are its
# department's and the organisers' (a reply on paper may be typed in by an organiser)
POLICY.update({"supervision.notice_list": LEDGER, "supervision.new_notice": ORGANISER,
               "supervision.notice": LEDGER_ITEM, "supervision.notice_document": LEDGER_ITEM,
               "supervision.reply": LEDGER_ITEM})
# Parking (挂账): a department asks on its own item; organisers decide and resume. The bottleneck
# analysis (共性堵点) is the organisers'
POLICY.update({"supervision.ask": LEDGER_ITEM, "supervision.approve": ORGANISER, "supervision.refuse": ORGANISER,
               "supervision.resume": ORGANISER, "supervision.analysis_page": ORGANISER,
               "supervision.analysis_companies": ORGANISER, "supervision.analysis_document": ORGANISER})
# The notification channels' settings (secrets among them) and their tests are the organisers'.
POLICY.update({"notifications.channels_page": ORGANISER, "notifications.save_addresses": ORGANISER,
               "notifications.save_smtp": ORGANISER, "notifications.save_sms": ORGANISER,
               "notifications.tests_fragment": ORGANISER})
# The rated booth never types in its own rating: paper slips are an organiser's to enter.
POLICY["slips.paper"] = ORGANISER
#: an evidence file by the ledger's address: organisers and the item's department; anyone else, the
#: signed-out included, a 404 (its address reveals nothing). By the tracking link: the company's.
LEDGER_FILE = "ledger file"
POLICY.update({"ledger.evidence_file": LEDGER_FILE, "intake.evidence_file": COMPANY})
# Calling (叫号): the booth's own staff and organisers call its line; a called ticket's moves are its lead booth's.
POLICY.update({"booth.call_next": BOOTH, "booth.called_move": REQUEST})
# What was sent to whom: each department its own messages, organisers every one; the company's
# consent to be texted, withdrawn by its tracking link
POLICY.update({"notifications.sent": LEDGER, "intake.withdraw_sms": COMPANY})
# The notifications' outbox: the organisers' page, its Retry and Drop
POLICY.update({"notifications.outbox_page": ORGANISER, "notifications.retry": ORGANISER,
               "notifications.drop": ORGANISER})
ROLES = ["anonymous", "lead", "other", "organiser", "department", "other_department"]
#: booth accounts, and the ledger accounts of B07's department and of F01's
BOOTH_ROLES, DEPARTMENT_ROLES = {"lead", "other"}, {"department", "other_department"}


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    organiser_pages = {e for e in endpoints if e.startswith("organiser.")}
    assert endpoints - organiser_pages == set(POLICY), "give each new route its line in POLICY"


@pytest.fixture
def world(app, fair, organiser):
    """A resolved request at B07 with a flagged slip; F01's staff have nothing to do with it. A
    planned item at B07 on the ledger, B07's department's account (d…, "department") and F01's."""
    item = request_in(fair, Status.resolved, "B07", slip=answers(1, confirmed=False))
    planned = request_in(fair, Status.planned, "B07")
    for code in ("B07", "F01"):
        department_staff(booth(fair, code).department, username=f"dept-{code.lower()}")
    rules.open_round(2026, 1, organiser, today=date(2026, 6, 20))
    half = Period.parse("2026-H1")
    ranking = scoring.publish_ranking(half, organiser, today=date(2026, 7, 1))
    scoring.publish_disclosure(half, organiser, today=date(2026, 7, 1))
    db.session.commit()
    return {"period": half.key, "ranking_id": ranking.id, "month": "2026-06", "item_id": planned.id, "step": "progress",
            "round_id": 1, "department_id": booth(fair, "B07").department_id, "fair_id": fair.id,
            "booth_id": booth(fair, "B07").id, "request_id": item.id, "slip_id": item.slip.id,
            "token": item.token, "code": "B07", "action": "note", "move": "open", "kind": "csv",
            "filename": "app.css", "calling_move": "call-again",
            "zone_id": fair.zones[0].id, "token_id": _token_id(), "notice_id": _notice_id(planned, organiser),
            "file_token": _evidence_token(planned),
            "message_id": 1}  # (an outbox message that is not there: organisers get a 404, others a 403)


def _evidence_token(item) -> str:
    """A progress note on B07's planned item with a PNG: the token of that file."""
    import io

    from kiosk.ledger import evidence, moves
    from kiosk.ledger.evidence_samples import sample_png
    files = evidence.check([FileStorage(io.BytesIO(sample_png()), filename="photo.png")])
    moves.progress(item, department_staff(item.booth.department), item.version, text="进展", files=files)
    db.session.commit()
    return evidence.files_of(item)[0].token


def _notice_id(item, organiser) -> int:
    """A supervision notice (督办单) to B07's department listing its planned item."""
    from kiosk.supervision import notices
    notice = notices.issue(item.booth.department, organiser, {item.id: item.version}, reply_by=date(2026, 6, 30),
                           text="请说明进展", today=date(2026, 6, 20))
    db.session.commit()
    return notice.id


def _token_id() -> int:
    record, _ = issue_token("test", ApiScope.personal, None)
    db.session.commit()
    return record.id


def urls(app, world):
    """Every (endpoint, method, url) of the app, filled with the world's ids."""
    for rule in app.url_map.iter_rules():
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(world[name]), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def client_for(app, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, {"lead": "b07", "other": "f01", "organiser": "organiser", "department": "dept-b07",
                       "other_department": "dept-f01"}[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_route_against_every_role(app, world, role):
    client = client_for(app, role)
    token = csrf_token(client, "/login")
    for endpoint, method, url in urls(app, world):
        kind = ORGANISER if endpoint.startswith("organiser.") else POLICY[endpoint]
        if (endpoint, role) in {("organiser.accounts", "organiser"), ("auth.logout", role)}:
            continue  # would sign this client out, or hash passwords for every booth: checked elsewhere
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        status, where = response.status_code, response.headers.get("Location", "")
        label = f"{role} {method} {url} -> {status} {where}"
        assert status != 500, label
        if kind == API:
            assert status == 401 and "WWW-Authenticate" in response.headers, label
        elif kind in (PUBLIC, COMPANY):
            assert status not in (401, 403), label
        elif kind == LEDGER_FILE:
            assert (status == 404) == (role not in ("organiser", "department")), label
        elif role == "anonymous":
            assert status == 302 and where.startswith("/login"), label
        elif kind == ORGANISER:
            assert (status == 403) == (role != "organiser"), label
        elif kind == BOOTH:
            assert (status == 403) == (role in ("other", *DEPARTMENT_ROLES)), label
        elif kind == REQUEST:
            # A ledger account sees its department's ledger items only, and not at the booth's pages.
            assert (status == 404) == (role in ("other", *DEPARTMENT_ROLES)), label
            assert status != 403, label
        elif kind == LEDGER:
            assert (status == 403) == (role in BOOTH_ROLES), label
        elif kind == LEDGER_ITEM:
            assert (status == 404) == (role in (*BOOTH_ROLES, "other_department")), label
            assert status != 403, label


def test_a_company_link_reaches_only_its_own_request(client, world):
    assert client.get(f"/t/{world['token']}").status_code == 200
    assert client.get(f"/t/{world['token']}x").status_code == 404
    assert client.post(f"/t/{world['token'][:-1]}/slip", data={"csrf_token": csrf_token(client, "/login")}
                       ).status_code == 404


def test_every_post_needs_the_csrf_token(app, world):
    client = client_for(app, "organiser")
    posts = [(e, url) for e, method, url in urls(app, world) if method == "POST" and e != "auth.logout"]
    assert len(posts) > 15
    for endpoint, url in posts:
        assert client.post(url, data={}).status_code == 400, endpoint
    anonymous = app.test_client()
    assert anonymous.post("/login", data={"username": "organiser", "password": PASSWORD}).status_code == 400
    assert anonymous.post("/logout").status_code == 400


SCRIPT = '<script>alert("x")</script>'
IMG = '<img src=x onerror=alert(1)>'


def test_user_text_comes_out_escaped_everywhere(app, fair, organiser):
    item = request_in(fair, company_name=SCRIPT, contact_name=IMG, need=SCRIPT + IMG, project_name=IMG)
    workflow.note(item, organiser, item.version, text=SCRIPT)
    db.session.commit()
    workflow.plan(item, organiser, item.version, plan_text=IMG, unit=SCRIPT, person=IMG,
                  due=date.today() + timedelta(days=5), today=date.today())
    db.session.commit()
    give_slip(item, answers(1, confirmed=False, comment=SCRIPT), SlipChannel.phone)
    db.session.commit()
    boss = client_for(app, "organiser")
    slip_id = db.session.scalar(sa.select(ServiceRequest)).slip.id
    pages = [f"/t/{item.token}", f"/staff/booths/{booth(fair, 'B07').id}", f"/staff/requests/{item.id}",
             f"/organiser/fairs/{fair.id}/dashboard", f"/organiser/fairs/{fair.id}/tally", "/followups",
             f"/followups/{slip_id}"]
    for page in pages:
        html = boss.get(page).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, page
        if "dashboard" not in page:  # the dashboard lists only waiting requests
            assert "&lt;script&gt;" in html or "&lt;img" in html, page
    tally = boss.get(f"/organiser/fairs/{fair.id}/tally.pdf").data
    assert '<script>alert("x")</script>' in pdf_text(tally).replace("\n", "")  # shown as text, not run


def test_cookies_are_httponly_and_samesite_and_secure_behind_https(app, fair):
    client = app.test_client()
    response = client.get("/b/B07")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    app.config["SESSION_COOKIE_SECURE"] = True
    secure = app.test_client().get("/b/B07")
    assert "Secure" in secure.headers["Set-Cookie"]
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_security_headers_and_a_content_security_policy(client, fair):
    response = client.get("/b/B07")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and " on" + "click=" not in html


def test_sign_in_is_locked_after_too_many_failures_on_one_account(app, fair):
    client = app.test_client()
    token = csrf_token(client, "/login")
    for _ in range(LOGIN_FAILURES):
        assert client.post("/login", data={"username": "b07", "password": "guess", "csrf_token": token}
                           ).status_code == 401
    locked = client.post("/login", data={"username": "b07", "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.get_data(as_text=True)
    # Another account, from the same place (the venue's one IP address), is not affected.
    other = client.post("/login", data={"username": "b01", "password": PASSWORD, "csrf_token": token})
    assert other.status_code == 302


def guess(client, username, times, password="guess"):
    token = csrf_token(client, "/login")
    return [client.post("/login", data={"username": username, "password": password, "csrf_token": token}).status_code
            for _ in range(times)]


def test_guessing_at_a_booth_account_does_not_lock_out_the_booth_tablet(app, fair):
    tablet = login(app.test_client(), "b07")
    tablet.delete_cookie("session")  # the next morning: the fair day's session has ended
    stranger = app.test_client()
    assert guess(stranger, "b07", LOGIN_FAILURES) == [401] * LOGIN_FAILURES
    assert guess(stranger, "b07", 1, PASSWORD) == [429]
    assert guess(app.test_client(), "b07", 1, PASSWORD) == [429]  # nor any other new browser
    # The tablet that signed in to the account before counts apart: it signs in again.
    assert guess(tablet, "b07", 1, PASSWORD) == [302]


def test_the_booth_tablet_is_locked_by_its_own_failures(app, fair):
    tablet = login(app.test_client(), "b07")
    tablet.post("/logout", data={"csrf_token": csrf_token(tablet, f"/staff/booths/{booth(fair, 'B07').id}")})
    assert guess(tablet, "b07", LOGIN_FAILURES) == [401] * LOGIN_FAILURES
    assert guess(tablet, "b07", 1, PASSWORD) == [429]


def test_one_phone_flooding_the_form_is_held_back_but_the_next_phone_is_not(app, fair):
    flooding = app.test_client()
    for n in range(SUBMITS_PER_DEVICE):
        assert flooding.post(f"/f/{fair.id}", data=form_data(flooding, "/b/B07", need=f"需求{n}")).status_code == 303
    held = flooding.post(f"/f/{fair.id}", data=form_data(flooding, "/b/B07", need="再来一条"))
    assert held.status_code == 429 and "提交的需求过多" in held.get_data(as_text=True)
    assert "再来一条" in held.get_data(as_text=True)
    neighbour = app.test_client()  # same IP address in the hall
    assert neighbour.post(f"/f/{fair.id}", data=form_data(neighbour, "/b/B07")).status_code == 303


def test_the_organiser_sees_a_locked_booth_and_lets_it_in_again(app, fair, organiser):
    tablet = login(app.test_client(), "b07")
    tablet.delete_cookie("session")
    guess(app.test_client(), "b07", LOGIN_FAILURES)
    boss = login(app.test_client(), "organiser")
    page = boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    assert page.count("登录已锁定") == 1
    assert guess(app.test_client(), "b07", 1, PASSWORD) == [429]  # a spare tablet, say

    b07 = booth(fair, "B07").id
    token = csrf_token(boss, f"/organiser/fairs/{fair.id}")
    done = boss.post(f"/organiser/fairs/{fair.id}/booths/{b07}/unlock", data={"csrf_token": token},
                     follow_redirects=True)
    assert "已解除B07账号的登录锁定" in done.get_data(as_text=True) and "登录已锁定" not in done.get_data(as_text=True)
    assert guess(app.test_client(), "b07", 1, PASSWORD) == [302]
    # The tablet that had signed in is still known as such: strangers' guesses count apart from it.
    guess(app.test_client(), "b07", LOGIN_FAILURES)
    assert guess(tablet, "b07", 1, PASSWORD) == [302]


def test_guesses_sent_all_at_once_get_no_more_password_checks_than_the_limit(app, fair):
    from concurrent.futures import ThreadPoolExecutor
    strangers = [app.test_client() for _ in range(2 * LOGIN_FAILURES)]
    tokens = [csrf_token(client, "/login") for client in strangers]

    def try_once(n):
        return strangers[n].post("/login", data={"username": "b07", "password": "guess",
                                                 "csrf_token": tokens[n]}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(try_once, range(len(strangers))))
    # No more passwords are checked than the limit allows. (A few more may be refused: attempts in
    # flight count for each other until the refused ones are taken back.)
    assert 0 < statuses.count(401) <= LOGIN_FAILURES and statuses.count(429) == len(statuses) - statuses.count(401)


def test_failed_sign_ins_older_than_the_window_are_cleared_away(app, fair):
    from kiosk.auth.models import LoginAttempt
    from kiosk.auth.signin_limits import LOGIN_WINDOW
    from kiosk.core.timeutil import utcnow
    long_ago = utcnow() - LOGIN_WINDOW - LOGIN_WINDOW
    db.session.add_all([LoginAttempt(username="b07", succeeded=False, device="x" * 32, at=long_ago),
                        LoginAttempt(username="b07", succeeded=True, device="y" * 32, at=long_ago)])
    db.session.commit()
    guess(app.test_client(), "b07", 1)
    kept = db.session.execute(sa.select(LoginAttempt.succeeded, LoginAttempt.at >= long_ago + LOGIN_WINDOW)
                              .where(LoginAttempt.username == "b07")).all()
    assert sorted(kept) == [(False, True), (True, False)]  # this guess, and the old success
