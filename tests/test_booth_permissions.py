"""Who reaches what on the booth tablet routes: anonymous, the booth's staff, another booth's
staff, a joined booth's staff, an organiser."""
import pytest

from kiosk.core.extensions import db
from tests.factories import booth, request_in
from tests.helpers import csrf_token, login

ACTIONS = ["take", "resolve", "plan", "transfer", "join", "withdraw", "reopen", "note"]


@pytest.fixture
def setting(app, fair, organiser):
    """A request led by B07, with B01 joined; F01 has nothing to do with it."""
    item = request_in(fair, joined=["B01"])
    return {"item": item.id, "lead": booth(fair, "B07").id, "joined": booth(fair, "B01").id,
            "other": booth(fair, "F01").id}


def client_as(app, who):
    client = app.test_client()
    if who != "anonymous":
        login(client, {"lead": "b07", "joined": "b01", "other": "f01", "organiser": "organiser"}[who])
    return client


#: route -> expected status for anonymous, lead staff, joined staff, other staff, organiser
GETS = {
    "/staff/": (302, 302, 302, 302, 200),
    "/staff/booths/{lead}": (302, 200, 403, 403, 200),
    "/staff/booths/{joined}": (302, 403, 200, 403, 200),
    "/staff/requests/{item}": (302, 200, 200, 404, 200),
    "/staff/booths/{lead}/walk-in": (302, 200, 403, 403, 200),
}
WHO = ["anonymous", "lead", "joined", "other", "organiser"]


@pytest.mark.parametrize("route", GETS)
@pytest.mark.parametrize("who", WHO)
def test_get_routes(app, setting, route, who):
    response = client_as(app, who).get(route.format(**setting))
    assert response.status_code == GETS[route][WHO.index(who)]
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("who", WHO)
def test_queue_poll_is_guarded_too(app, setting, who):
    response = client_as(app, who).get(f"/staff/booths/{setting['lead']}", headers={"HX-Request": "true"})
    expected = {"anonymous": 401, "lead": 200, "joined": 403, "other": 403, "organiser": 200}[who]
    assert response.status_code == expected
    if who == "anonymous":
        assert response.headers["HX-Redirect"].startswith("/login")
    if expected == 403:  # shown nothing, and sent to its own queue rather than left polling this one
        own = {"joined": setting["joined"], "other": setting["other"]}[who]
        assert response.headers["HX-Redirect"] == f"/staff/booths/{own}"
        assert "B07" not in response.get_data(as_text=True)


def test_a_poll_for_a_booth_that_is_gone_sends_the_tablet_home(app, setting):
    response = client_as(app, "organiser").get("/staff/booths/999999", headers={"HX-Request": "true"})
    assert response.status_code == 404 and response.headers["HX-Redirect"] == "/staff/"


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", WHO)
def test_actions(app, setting, action, who):
    """Only the lead booth and organisers change a request; a joined booth may add a note."""
    client = client_as(app, who)
    token = csrf_token(client, "/login")
    response = client.post(f"/staff/requests/{setting['item']}/{action}", data={"csrf_token": token})
    if who == "anonymous":
        assert response.status_code == 302
    elif who == "other":
        assert response.status_code == 404
    elif who == "joined" and action != "note":
        assert response.status_code == 403
    else:
        # Allowed through the door; the empty form is then refused for what it lacks.
        assert response.status_code == 422


def test_walk_in_post_for_another_booth_is_refused(app, setting):
    client = client_as(app, "other")
    token = csrf_token(client, "/login")
    response = client.post(f"/staff/booths/{setting['lead']}/walk-in", data={"csrf_token": token})
    assert response.status_code == 403


def test_staff_of_another_booth_cannot_act_even_with_a_valid_form(app, setting):
    client = client_as(app, "other")
    token = csrf_token(client, "/login")
    response = client.post(f"/staff/requests/{setting['item']}/resolve", data={
        "csrf_token": token, "resolve-version": "3", "resolve-resolution": "越权办结"})
    assert response.status_code == 404
    db.session.expire_all()
    from kiosk.service_requests.models import ServiceRequest, Status
    assert db.session.get(ServiceRequest, setting["item"]).status is Status.waiting


def test_a_booth_or_request_number_beyond_any_id_is_not_found(app, setting):
    organiser = client_as(app, "organiser")
    for url in ("/staff/booths/99999999999999999999", "/staff/requests/99999999999999999999"):
        assert organiser.get(url).status_code == 404
        assert organiser.get(url, headers={"HX-Request": "true"}).status_code == 404
