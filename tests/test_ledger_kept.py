"""Each app server keeps the ledger's list rendered (kiosk.ledger.list_page, through kiosk.core.kept):
every row, the list with its figures (gzipped once), the filters' form. Each test changes one thing
those copies are made from (an item, the fair, zone, booth or department a row or a filter names,
the day, the role, the language, the path the kiosk is served under, the department asked for) and
reads the page a person is given: the change shows at once, and no copy made for another key does."""
import gzip
import re
from datetime import timedelta

import pytest

from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today
from kiosk.fairs.models import Booth, Department, Fair
from kiosk.ledger import moves
from kiosk.service_requests.models import Status
from tests.factories import booth, department_staff, request_in
from tests.helpers import login

POLL = {"HX-Request": "true"}
MOUNTED = "http://localhost/kiosk/"


def shown(client, url, **kwargs) -> str:
    return client.get(url, **kwargs).get_data(as_text=True)


def listed(html: str) -> set[str]:
    """The ticket numbers the list shows."""
    return set(re.findall(r'<tr id="item-\d+"[^>]*><td class="ticket-cell"><a href="[^"]+">([^<]+)</a>', html))


def department_options(html: str) -> list[str]:
    select = html.split('<select name="department">')[1].split("</select>")[0]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def signed_in(app, department):
    """A client signed in with the department's ledger account."""
    username = department_staff(department).username
    db.session.commit()
    return login(app.test_client(), username)


@pytest.fixture
def planned(fair):
    return request_in(fair, Status.planned, "B07", due=fair_today() + timedelta(days=5))


@pytest.fixture
def boss(app, organiser):
    return login(app.test_client(), organiser.username)


def test_an_item_moved_is_shown_moved_in_the_list_and_in_its_poll(app, fair, organiser, planned, boss):
    url = f"/ledger?department={booth(fair, 'B07').department_id}"
    assert "延期1次" not in shown(boss, url) and "延期1次" not in shown(boss, url, headers=POLL)
    moves.extend(planned, organiser, planned.version, new_due=fair_today() + timedelta(days=30), reason="等批复",
                 today=fair_today())
    db.session.commit()
    assert "延期1次" in shown(boss, url) and "延期1次" in shown(boss, url, headers=POLL)


def test_a_renamed_fair_zone_booth_and_department_show_their_new_names_at_once(app, fair, planned, boss):
    """Their names are in the kept rows (fair, booth, department) and the kept filters (fair, zone,
    department), for the organisers and for the department's own account."""
    b07 = booth(fair, "B07")
    staff = signed_in(app, b07.department)
    urls = [(boss, "/ledger"), (boss, f"/ledger?department={b07.department_id}"), (staff, "/ledger")]
    for client, url in urls:
        assert planned.ticket_no in listed(shown(client, url))
    renames = [
        (lambda: setattr(db.session.get(Fair, fair.id), "name", "改名后的大集"), "改名后的大集"),
        (lambda: setattr(fair.zones[0], "name", "改名后的专区"), "改名后的专区"),
        (lambda: setattr(db.session.get(Booth, b07.id), "code", "B17"), "B17 "),
        (lambda: setattr(db.session.get(Booth, b07.id).department, "name", "改名后的工业和信息化局"),
         "改名后的工业和信息化局"),
    ]
    for rename, new_name in renames:
        rename()
        db.session.commit()
        for client, url in urls:
            assert new_name in shown(client, url), (url, new_name)
    row = shown(staff, "/ledger?status=all").split(f'<tr id="item-{planned.id}"')[1].split("</tr>")[0]
    assert "改名后的大集" in row and "B17 改名后的工业和信息化局" in row


def test_a_renamed_department_with_no_booth_shows_its_new_name_in_the_organisers_filter_at_once(app, fair, boss):
    """A department with no booth is at no fair: renaming it moves no fair's set-up, yet the
    organisers' filter names it, on the whole ledger and on another department's list."""
    lonely = Department(name="尚未设摊的局")
    db.session.add(lonely)
    db.session.commit()
    urls = ["/ledger", f"/ledger?department={booth(fair, 'B07').department_id}"]
    for url in urls:
        assert "尚未设摊的局" in department_options(shown(boss, url))
    db.session.get(Department, lonely.id).name = "尚未设摊的局（更名）"
    db.session.commit()
    for url in urls:
        options = department_options(shown(boss, url))
        assert "尚未设摊的局（更名）" in options and "尚未设摊的局" not in options, url


def test_the_english_list_after_the_chinese_and_the_chinese_after_it(app, fair, organiser, planned, boss):
    english = login(app.test_client(), organiser.username)
    english.get("/lang/en")
    chinese_page = shown(boss, "/ledger")
    assert "企业与需求" in chinese_page and ">已拿出解决方案<" in chinese_page and ">土地<" in chinese_page
    for page in (shown(english, "/ledger"), shown(english, "/ledger", headers=POLL)):
        assert "Company and need" in page and ">Plan given<" in page and ">Land<" in page
        assert "企业与需求" not in page and "已拿出解决方案" not in page and ">土地<" not in page
    assert ">All departments<" in shown(english, "/ledger")  # the filters' form too
    again = shown(boss, "/ledger")
    assert "企业与需求" in again and ">已拿出解决方案<" in again and ">全部部门<" in again and "Plan given" not in again


def test_the_list_under_a_path_links_under_it_after_one_without(app, fair, planned, boss):
    """Behind a proxy at /kiosk/ (SCRIPT_NAME), every link of the list, its rows, its pager's and its
    poll's, is under /kiosk; and without it again, under / again."""
    assert f'href="/ledger/items/{planned.id}"' in shown(boss, "/ledger")
    for page in (shown(boss, "/ledger", base_url=MOUNTED), shown(boss, "/ledger", base_url=MOUNTED, headers=POLL)):
        assert f'href="/kiosk/ledger/items/{planned.id}"' in page
        assert 'hx-get="/kiosk/ledger"' in page
        assert 'href="/ledger/' not in page and 'hx-get="/ledger' not in page
    mounted_page = shown(boss, "/ledger", base_url=MOUNTED)
    assert 'action="/kiosk/ledger"' in mounted_page and 'action="/ledger"' not in mounted_page  # the filters
    back = shown(boss, "/ledger")
    assert f'href="/ledger/items/{planned.id}"' in back and "/kiosk/" not in back


def test_one_departments_list_never_shows_anothers_rows(app, fair, boss):
    ours = request_in(fair, Status.planned, "B07", due=fair_today() + timedelta(days=5))
    theirs = request_in(fair, Status.planned, "F01", due=fair_today() + timedelta(days=5))
    b07, f01 = booth(fair, "B07").department, booth(fair, "F01").department
    accounts = {"B07": signed_in(app, b07), "F01": signed_in(app, f01)}
    assert listed(shown(boss, "/ledger")) == {ours.ticket_no, theirs.ticket_no}
    for _ in range(2):  # the second time from what is kept
        assert listed(shown(accounts["B07"], "/ledger")) == {ours.ticket_no}
        assert listed(shown(accounts["F01"], "/ledger")) == {theirs.ticket_no}
        # asking for the other's department gives one's own
        assert listed(shown(accounts["F01"], f"/ledger?department={b07.id}")) == {theirs.ticket_no}
        assert listed(shown(accounts["B07"], "/ledger", headers=POLL)) == {ours.ticket_no}
        assert listed(shown(boss, f"/ledger?department={f01.id}")) == {theirs.ticket_no}


def test_the_same_list_for_another_role_has_that_roles_filters(app, fair, planned, boss):
    staff = signed_in(app, booth(fair, "B07").department)
    url = f"/ledger?department={booth(fair, 'B07').department_id}"
    own = shown(staff, url)
    assert planned.ticket_no in listed(own) and '<select name="department">' not in own
    theirs = shown(boss, url)
    assert planned.ticket_no in listed(theirs) and '<select name="department">' in theirs
    assert '<select name="department">' not in shown(staff, url)


def test_an_item_falls_overdue_when_the_fairs_day_turns_with_nothing_written(app, fair, boss):
    """The day is where the fair is: moved to a zone a day ahead, the item due today is overdue."""
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Etc/GMT+12"  # (UTC-12: the earliest day on Earth)
    with app.app_context():
        today = fair_today()
    item = request_in(fair, Status.planned, "B07", due=fair_today() + timedelta(days=5))
    item.plan_due = item.current_due = today
    db.session.commit()
    row = shown(boss, "/ledger").split(f'<tr id="item-{item.id}"')[1].split("</tr>")[0]
    assert "row-overdue" not in row
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Etc/GMT-14"  # (UTC+14: the latest, a day or two on)
    for page in (shown(boss, "/ledger"), shown(boss, "/ledger", headers=POLL)):
        row = page.split(f'<tr id="item-{item.id}"')[1].split("</tr>")[0]
        assert 'class="row-overdue"' in row and ">逾期<" in row


def test_the_gzipped_list_is_the_list_of_its_own_key(app, fair, organiser, planned, boss):
    """The kept list is also kept compressed: what the browser unpacks follows the same key."""
    packed = {"Accept-Encoding": "gzip"}
    url = f"/ledger?department={booth(fair, 'B07').department_id}"

    def unpacked(**kwargs):
        response = boss.get(url, headers=packed, **kwargs)
        assert response.headers["Content-Encoding"] == "gzip"
        return gzip.decompress(response.get_data()).decode()
    assert "延期1次" not in unpacked()
    assert f'href="/kiosk/ledger/items/{planned.id}"' in unpacked(base_url=MOUNTED)
    moves.extend(planned, organiser, planned.version, new_due=fair_today() + timedelta(days=60), reason="等批复",
                 today=fair_today())
    db.session.commit()
    page = unpacked()
    assert "延期1次" in page and f'href="/ledger/items/{planned.id}"' in page and "/kiosk/" not in page
