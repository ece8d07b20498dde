"""The calling bar's kept copies (kiosk.booth.calling_views.calling_bar): each changed poll serves
the bar kept for its booth, its listed tickets (id, number, mark), its language and its path, with
the polling session's own CSRF token put in. Each test shows the bar, changes one of those and
shows it again: nothing may come back as it was kept for the input before."""
import gzip
import re

from kiosk.core.extensions import db
from kiosk.service_requests import calling
from tests.factories import booth, request_in
from tests.helpers import login

POLL = {"HX-Request": "true"}
#: the kiosk served under a path (SCRIPT_NAME=/kiosk, as behind a proxy's location /kiosk/)
UNDER_KIOSK = "http://localhost/kiosk/"


def bar_of(client, fair, code="B07", **options) -> str:
    page = client.get(f"/staff/booths/{booth(fair, code).id}", headers=POLL, **options).get_data(as_text=True)
    return page[page.index('id="calling-bar"'):page.index("</table>")]


def tokens_in(bar: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', bar))


def call_next_at(fair, code, organiser):
    item = calling.call_next(booth(fair, code), organiser)
    db.session.commit()
    return item


def test_each_booth_has_its_own_bar(client, fair, organiser):
    """The same listed tickets would make the same key but for the booth: its own form and tickets."""
    request_in(fair, at="B07"), request_in(fair, at="B01")
    login(client, "organiser")
    b07, b01 = bar_of(client, fair, "B07"), bar_of(client, fair, "B01")
    assert f'/staff/booths/{booth(fair, "B07").id}/call-next' in b07 and "B01" not in b07
    assert f'/staff/booths/{booth(fair, "B01").id}/call-next' in b01 and "B07" not in b01
    call_next_at(fair, "B07", organiser)
    assert 'data-called="B07-001"' in bar_of(client, fair, "B07")
    assert "data-called" not in bar_of(client, fair, "B01")


def test_a_called_then_skipped_then_another_called_ticket_shows_at_each_poll(client, fair, organiser):
    request_in(fair), request_in(fair)
    login(client, "b07")
    assert "data-called" not in bar_of(client, fair)
    first = call_next_at(fair, "B07", organiser)
    called = bar_of(client, fair)
    assert 'data-called="B07-001"' in called and "status-called" in called and 'data-move="skip"' in called
    calling.skip(first, organiser, first.version)
    db.session.commit()
    skipped = bar_of(client, fair)
    assert "status-skipped" in skipped and "status-called" not in skipped and 'data-move="skip"' not in skipped
    call_next_at(fair, "B07", organiser)
    both = bar_of(client, fair)
    assert both.index('data-called="B07-002"') < both.index('data-called="B07-001"')  # called first, then skipped


def test_the_bar_follows_the_language_and_the_path(client, fair, organiser):
    item = request_in(fair)
    call_next_at(fair, "B07", organiser)
    login(client, "b07")
    assert "叫下一位" in bar_of(client, fair) and "已叫号" in bar_of(client, fair)
    under = bar_of(client, fair, base_url=UNDER_KIOSK)
    assert f'action="/kiosk/staff/requests/{item.id}/calling/take"' in under
    assert 'action="/staff/' not in under
    client.get("/lang/en")
    english = bar_of(client, fair)
    assert "Call next" in english and "叫下一位" not in english and "已叫号" not in english
    assert f'action="/staff/requests/{item.id}/calling/take"' in english


def test_each_session_gets_its_own_token_and_taps_with_it(app, fair, organiser):
    """Two tablets of one booth share its kept bar but never a token: each one's works for it alone."""
    request_in(fair), request_in(fair)
    first, second = login(app.test_client(), "b07"), login(app.test_client(), "b07")
    mine, theirs = tokens_in(bar_of(first, fair)), tokens_in(bar_of(second, fair))
    assert len(mine) == 1 and len(theirs) == 1 and mine != theirs
    call_next = f"/staff/booths/{booth(fair, 'B07').id}/call-next"
    assert second.post(call_next, data={"csrf_token": mine.pop()}).status_code == 400
    assert second.post(call_next, data={"csrf_token": theirs.pop()}).status_code == 302
    assert tokens_in(bar_of(second, fair)) == tokens_in(bar_of(second, fair))  # the same token: no new signing
    assert 'data-called="B07-001"' in bar_of(first, fair)


def test_a_gzipped_poll_holds_the_same_queue_and_bar_as_a_plain_one(client, fair, organiser):
    """The changed poll gzips its own answer (kiosk.booth.queue._answer): what the tablet unpacks is
    the queue it would get plain, the bar and its token included, and it says how it varies."""
    request_in(fair), request_in(fair)
    call_next_at(fair, "B07", organiser)
    login(client, "b07")
    url = f"/staff/booths/{booth(fair, 'B07').id}"
    packed = client.get(url, headers={**POLL, "Accept-Encoding": "gzip"})
    plain = client.get(url, headers=POLL)
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    unpacked = gzip.decompress(packed.get_data()).decode()
    assert re.sub(r'data-now="\d+"', "", unpacked) == re.sub(r'data-now="\d+"', "", plain.get_data(as_text=True))
    assert 'data-called="B07-001"' in unpacked and tokens_in(unpacked) == tokens_in(plain.get_data(as_text=True))


def test_a_changed_poll_with_the_bar_writes_no_session_cookie(client, fair, organiser):
    """The bar's token is the session's own, signed: polling it all day re-sends no cookie."""
    request_in(fair)
    call_next_at(fair, "B07", organiser)
    login(client, "b07")
    for _ in range(2):
        polled = client.get(f"/staff/booths/{booth(fair, 'B07').id}", headers=POLL)
        assert polled.status_code == 200 and 'data-called="B07-001"' in polled.get_data(as_text=True)
        assert "Set-Cookie" not in polled.headers
