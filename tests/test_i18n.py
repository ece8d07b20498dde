"""Chinese first, English complete, the choice sticks."""
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.core.extensions import db
from kiosk.ledger import moves
from kiosk.service_requests.models import Status
from tests.factories import department_staff, request_in
from tests.helpers import login

ROOT = Path(__file__).resolve().parent.parent


def test_english_catalog_translates_every_string_in_the_source(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([pybabel, "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "kiosk"],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        source = {m.id for m in read_po(f) if m.id}
    with (ROOT / "kiosk/translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        english = {m.id: m for m in read_po(f) if m.id}
    missing = sorted(i for i in source if i not in english or not english[i].string or english[i].fuzzy)
    assert len(source) > 50
    assert missing == [], "run `make extract` and translate these in en: " + ", ".join(map(str, missing))


def test_chinese_is_the_default(client, fair):
    html = client.get("/b/B07").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "提交企业需求" in html


def test_accept_language_english_gives_english(client, fair):
    html = client.get("/b/B07", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Submit a request" in html and "Unified social credit code" in html


def test_chosen_language_sticks_for_the_session(client, fair):
    response = client.get("/lang/en?next=/b/B07")
    assert response.status_code == 302 and response.headers["Location"] == "/b/B07"
    assert "Submit a request" in client.get("/b/B07").get_data(as_text=True)
    # The choice beats the phone's own language, until changed back.
    chinese_phone = {"Accept-Language": "zh-CN,zh;q=0.9"}
    assert "Submit a request" in client.get(f"/f/{fair.id}", headers=chinese_phone).get_data(as_text=True)
    client.get("/lang/zh_CN")
    assert "提交企业需求" in client.get("/b/B07").get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "/%09/evil.example",
                                    "https://evil.example/", "javascript:alert(1)"])
def test_language_switch_never_redirects_off_site(client, fair, target):
    response = client.get("/lang/en", query_string={"next": target.replace("%09", "\t")})
    assert response.headers["Location"] == "/"


def test_sign_in_never_redirects_off_site(client, fair):
    from tests.factories import PASSWORD
    from tests.helpers import csrf_token
    token = csrf_token(client, "/login")
    response = client.post("/login?next=/%5Cevil.example", data={"username": "b07", "password": PASSWORD,
                                                                  "csrf_token": token})
    assert response.headers["Location"].startswith("/staff/")


def test_a_chinese_printout_inside_an_english_request_and_english_again_after_it(app):
    """Templates look the catalog up once per request (kiosk.core.rendering.catalog); posters and PDFs
    are rendered in Chinese inside an English request (force_locale), and the page after them is
    English again."""
    from flask import render_template_string
    from flask_babel import force_locale

    line = "{{ _('要素保障大集') }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(line) == "Element-guarantee fair"
        with force_locale("zh_CN"):
            assert render_template_string(line) == "要素保障大集"
        assert render_template_string(line) == "Element-guarantee fair"


def test_a_kiosk_served_under_a_path_keeps_it_in_every_link_of_its_frame(client, fair, organiser):
    """The top bar's links and the asset URLs are built once per path the kiosk is served under."""
    from tests.helpers import login
    login(client, organiser.username)
    plain = client.get("/organiser/").get_data(as_text=True)
    mounted = client.get("/organiser/", base_url="http://localhost/kiosk/").get_data(as_text=True)
    assert 'href="/organiser/"' in plain and 'href="/ledger"' in plain and 'href="/static/app.css?v=' in plain
    assert 'href="/kiosk/organiser/"' in mounted and 'href="/kiosk/ledger"' in mounted
    assert 'href="/kiosk/static/app.css?v=' in mounted and 'href="/ledger"' not in mounted
    assert 'href="/ledger"' in client.get("/organiser/").get_data(as_text=True)


def test_the_account_menu_follows_the_role_and_the_language_in_one_process(app, fair, organiser):
    """The account menu is rendered once per (role, language, path): an organiser's menu, in Chinese
    then in English, and a department's account after them sees only its own link."""
    from kiosk.core.extensions import db
    from tests.factories import department_staff
    from tests.helpers import login
    staff = department_staff(fair.booths[0].department)
    db.session.commit()
    organisers, departments = app.test_client(), app.test_client()
    login(organisers, organiser.username)
    login(departments, staff.username)
    assert "组织方账号" in organisers.get("/organiser/").get_data(as_text=True)
    organisers.get("/lang/en")
    english = organisers.get("/organiser/").get_data(as_text=True)
    assert ">Organisers</a>" in english and "组织方账号" not in english
    own = departments.get("/ledger").get_data(as_text=True)
    assert "大比拼排名" in own and "组织方账号" not in own and "/organiser/" not in own


def test_a_kiosk_served_under_a_path_comes_back_under_it_after_switching_language_or_signing_in(client, fair):
    """A `next=` made of request.path alone (which leaves out the path the kiosk is served at) sent
    the browser out of the kiosk: nginx's /kiosk/ location would answer 404."""
    mounted = "http://localhost/kiosk/"
    form = client.get("/b/B07", base_url=mounted).get_data(as_text=True)
    assert "/kiosk/lang/en?next=/kiosk/b/B07" in form
    switched = client.get("/lang/en?next=/kiosk/b/B07", base_url=mounted)
    assert switched.headers["Location"] == "/kiosk/b/B07"
    signing_in = client.get("/organiser/", base_url=mounted)
    assert signing_in.headers["Location"] == "/kiosk/login?next=/kiosk/organiser/"


def test_english_buttons_say_what_to_do_and_the_trail_what_was_done(app, fair, organiser):
    """开始办理, 转办, 现场办结, 延期 and 退回重办 name both a button and a line of the trail: in English
    the button is the action (Take up) and the trail what happened (Taken up)."""
    waiting = request_in(fair, Status.waiting, "B07")
    taken = request_in(fair, Status.in_progress, "B07")
    staff = login(app.test_client(), "b07")
    staff.get("/lang/en")
    page = staff.get(f"/staff/requests/{waiting.id}").get_data(as_text=True)
    for action in (">Take up<", ">Transfer<", ">Resolve on site<"):
        assert action in page, action
    assert "Taken up" not in page and ">Transferred<" not in page
    assert "Taken up" in staff.get(f"/staff/requests/{taken.id}").get_data(as_text=True)  # the trail

    planned = request_in(fair, Status.planned, "B07")
    department = department_staff(planned.booth.department)
    moves.ask_extension(planned, department, planned.version, new_due=planned.plan_due + timedelta(days=30),
                        reason="等待省厅批复", today=date.today())
    moves.approve_extension(planned, organiser, planned.version, today=date.today())
    moves.finish(planned, department, planned.version, result="已供地", evidence="合同")
    db.session.commit()
    boss = login(app.test_client(), organiser.username)
    boss.get("/lang/en")
    page = boss.get(f"/ledger/items/{planned.id}").get_data(as_text=True)
    for action in (">Extend the deadline<", ">Send back<"):
        assert action in page, action
    assert "Deadline extended" in page  # the extension, on the item's trail
