"""What the kept copies (kiosk.core.kept) serve, seen through HTTP: every input of a kept piece
changes the page at once. Each test shows a page, changes one input of its kept pieces (the row,
the viewing booth, the language, the path the kiosk is served under, the role, a department's name)
and shows it again: nothing may come back as it was kept for the input before.

The kept pieces: the booth queue's rows, its 已转出 rows and its words (kiosk.booth.queue); asset
URLs, the top bar's links and the account menu (kiosk.core.rendering)."""
import re

from kiosk.core.extensions import db
from kiosk.service_requests import workflow
from tests.factories import booth, department_staff, request_in
from tests.helpers import login

POLL = {"HX-Request": "true"}
#: the kiosk served under a path (SCRIPT_NAME=/kiosk, as behind a proxy's location /kiosk/)
UNDER_KIOSK = "http://localhost/kiosk/"


def queue_of(fair, code, tab=None):
    return f"/staff/booths/{booth(fair, code).id}" + (f"?status={tab}" if tab else "")


def row_of(html, ticket):
    """The queue row of a ticket (queue_row.html), as HTML."""
    found = re.search(rf'<tr data-id="\d+" class="row-\w+">\s*<td class="ticket-cell">'
                      rf'<a [^>]*>{ticket}</a>.*?</tr>', html, re.S)
    assert found, f"{ticket} is not in the queue"
    return found.group(0)


def transferred_row(html, ticket):
    """The 已转出 row of a ticket (transfer_row.html), as HTML."""
    found = re.search(rf'<tr class="row-transferred">\s*<td class="ticket-cell">{ticket}</td>.*?</tr>', html, re.S)
    assert found, f"{ticket} is not in the 已转出 tab"
    return found.group(0)


# The queue's rows


def test_a_queue_polled_under_another_path_links_its_rows_under_that_path(client, fair):
    item = request_in(fair)
    login(client, "b07")
    plain = client.get(queue_of(fair, "B07"), headers=POLL).get_data(as_text=True)
    assert f'href="/staff/requests/{item.id}"' in row_of(plain, "B07-001")

    under = client.get(queue_of(fair, "B07"), headers=POLL, base_url=UNDER_KIOSK).get_data(as_text=True)
    assert f'href="/kiosk/staff/requests/{item.id}"' in row_of(under, "B07-001")
    assert f'href="/staff/requests/{item.id}"' not in under
    # and back: each path has its own copy
    again = client.get(queue_of(fair, "B07"), headers=POLL).get_data(as_text=True)
    assert f'href="/staff/requests/{item.id}"' in row_of(again, "B07-001")


def test_a_queue_in_english_after_chinese_shows_its_rows_in_english(client, fair):
    request_in(fair)
    login(client, "b07")
    chinese = client.get(queue_of(fair, "B07"), headers=POLL).get_data(as_text=True)
    assert "待受理" in row_of(chinese, "B07-001") and "用地" in row_of(chinese, "B07-001")

    client.get("/lang/en")
    english = client.get(queue_of(fair, "B07"), headers=POLL).get_data(as_text=True)
    assert "Waiting" in row_of(english, "B07-001") and "Land" in row_of(english, "B07-001")
    assert "待受理" not in english


def test_a_joint_request_is_marked_joint_at_the_booth_that_joined_it_only(app, fair, organiser):
    """One request, one row as read, two booths: the 会商 badge is the viewing booth's to show."""
    request_in(fair, at="B01", joined=["B07"])
    tablet = login(app.test_client(), "b07")
    joined = tablet.get(queue_of(fair, "B07"), headers=POLL).get_data(as_text=True)
    assert "会商" in row_of(joined, "B01-001")

    lead = login(app.test_client(), "b01").get(queue_of(fair, "B01"), headers=POLL).get_data(as_text=True)
    assert "会商" not in row_of(lead, "B01-001")


def test_a_changed_request_is_shown_changed_at_the_next_poll(client, fair, organiser):
    item = request_in(fair)
    login(client, "b07")
    before = client.get(queue_of(fair, "B07"), headers=POLL)
    assert "待受理" in row_of(before.get_data(as_text=True), "B07-001")

    workflow.take(item, organiser, item.version)
    db.session.commit()
    after = client.get(queue_of(fair, "B07"), headers={**POLL, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "办理中" in row_of(after.get_data(as_text=True), "B07-001")


# The 已转出 tab's rows


def test_a_renamed_department_is_named_anew_in_the_transferred_tab_at_the_next_poll(client, fair, organiser):
    """The 已转出 rows name the booth and department a request went to: a rename there moves the
    fair's set-up, not this booth's queue, and the poll answers with the new name all the same."""
    request_in(fair, transferred_to="B02")
    login(client, "b07")
    before = client.get(queue_of(fair, "B07", "transferred"), headers=POLL)
    department = booth(fair, "B02").department
    assert department.name in transferred_row(before.get_data(as_text=True), "B07-001")

    department.name = "泰安市数据和行政审批服务局"
    db.session.commit()
    after = client.get(queue_of(fair, "B07", "transferred"), headers={**POLL, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "泰安市数据和行政审批服务局" in transferred_row(after.get_data(as_text=True), "B07-001")

    booth(fair, "B02").code = "B12"
    db.session.commit()
    recoded = client.get(queue_of(fair, "B07", "transferred"), headers={**POLL, "If-None-Match": after.headers["ETag"]})
    assert (recoded.status_code == 200
            and "<strong>B12</strong>" in transferred_row(recoded.get_data(as_text=True), "B07-001"))


def test_a_request_transferred_away_is_shown_as_it_stands_there_now(client, fair, organiser):
    item = request_in(fair, transferred_to="B02")
    login(client, "b07")
    before = client.get(queue_of(fair, "B07", "transferred"), headers=POLL)
    assert "待受理" in transferred_row(before.get_data(as_text=True), "B07-001")

    workflow.take(item, organiser, item.version)
    db.session.commit()
    after = client.get(queue_of(fair, "B07", "transferred"),
                       headers={**POLL, "If-None-Match": before.headers["ETag"]})
    assert "办理中" in transferred_row(after.get_data(as_text=True), "B07-001")


def test_the_transferred_tab_in_english_after_chinese_is_in_english(client, fair):
    request_in(fair, transferred_to="B02")
    login(client, "b07")
    chinese = client.get(queue_of(fair, "B07", "transferred"), headers=POLL).get_data(as_text=True)
    assert "待受理" in transferred_row(chinese, "B07-001")

    client.get("/lang/en")
    english = client.get(queue_of(fair, "B07", "transferred"), headers=POLL).get_data(as_text=True)
    assert "Waiting" in transferred_row(english, "B07-001") and "待受理" not in english


# The queue's words


def test_the_queues_tabs_and_headings_follow_the_language(client, fair):
    request_in(fair)
    login(client, "b07")
    chinese = client.get(queue_of(fair, "B07"), headers=POLL).get_data(as_text=True)
    assert "待受理" in chinese and "按状态筛选" in chinese and "<th>编号</th>" in chinese

    client.get("/lang/en")
    english = client.get(queue_of(fair, "B07"), headers=POLL).get_data(as_text=True)
    assert 'aria-label="Filter by status"' in english and "<th>Ticket</th>" in english
    assert "Transferred out" in english and "已转出" not in english and "待受理" not in english


# The page frame: asset URLs, the top bar's links, the account menu


def test_a_page_under_another_path_loads_its_assets_and_links_under_that_path(client, fair, organiser):
    login(client, "organiser")
    plain = client.get("/organiser/").get_data(as_text=True)
    assert re.search(r'href="/static/app\.css\?v=\w+"', plain)
    assert 'href="/organiser/"' in plain and 'action="/logout"' in plain

    under = client.get("/organiser/", base_url=UNDER_KIOSK).get_data(as_text=True)
    assert re.search(r'href="/kiosk/static/app\.css\?v=\w+"', under)
    assert re.search(r'src="/kiosk/static/app\.js\?v=\w+"', under)
    assert 'href="/kiosk/organiser/"' in under and 'href="/kiosk/ledger"' in under  # the account menu
    assert 'href="/kiosk/staff/"' in under and 'action="/kiosk/logout"' in under  # the top bar's links
    assert not re.search(r'(href|src|action)="/(static|organiser|ledger|staff|logout)\b', under)


def test_the_account_menu_is_each_roles_own(app, fair, organiser):
    department = booth(fair, "B07").department
    staff = department_staff(department)
    db.session.commit()
    organisers = login(app.test_client(), "organiser").get("/scoreboard/").get_data(as_text=True)
    assert "大集管理" in organisers and "数据接口" in organisers

    departments = login(app.test_client(), staff.username).get("/scoreboard/").get_data(as_text=True)
    assert "大比拼排名" in departments
    assert "大集管理" not in departments and "数据接口" not in departments


def test_the_account_menu_in_english_after_chinese_is_in_english(client, fair, organiser):
    login(client, "organiser")
    assert "大集管理" in client.get("/organiser/").get_data(as_text=True)
    client.get("/lang/en")
    english = client.get("/organiser/").get_data(as_text=True)
    assert ">Fairs</a>" in english and ">Demand ledger</a>" in english and "大集管理" not in english
