"""The read-only API for the city's other systems: a token is needed and a revoked one is refused,
pages, modified_since, ETags, Open311's fields, no personal data without the scope, and an OpenAPI
document that validates. (schemathesis runs against it in tests/test_api_schemathesis.py.)"""
import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from kiosk.api.models import ApiScope, ApiToken
from kiosk.api.tokens import issue_token
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests import workflow
from kiosk.service_requests.models import ServiceRequest, Status
from tests.factories import CODE_B, booth, request_in
from tests.helpers import csrf_token, login

LATER = date.today() + timedelta(days=20)
#: everything personal the fixture's requests hold: none of it may reach a public token
SECRETS = ("保密科技有限公司", CODE_B, "张三丰", "13800001111", "需要保密的厂房用地需求", "赵科长", "保密的方案")


def token(scope=ApiScope.public, name="市大数据局"):
    _, secret = issue_token(name, scope, None)
    db.session.commit()
    return secret


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def filed(fair):
    """Five requests: a planned one holding every kind of personal data, then four more."""
    planned = request_in(fair, Status.planned, "B07", company_name="保密科技有限公司", credit_code=CODE_B,
                         contact_name="张三丰", mobile="13800001111", need="需要保密的厂房用地需求",
                         plan_text="保密的方案", due=LATER)
    others = [request_in(fair, state, at) for state, at in (
        (Status.resolved, "B01"), (Status.waiting, "B02"), (Status.withdrawn, "F01"), (Status.in_progress, "F02"))]
    return [planned, *others]


def get(client, url, secret, **headers):
    return client.get(url, headers={**bearer(secret), **headers})


def test_a_token_is_required_and_a_session_is_not_one(app, client, filed, organiser):
    for url in ("/api/v1/requests", "/api/v1/fairs", f"/api/v1/requests/{filed[0].id}"):
        refused = client.get(url)
        assert refused.status_code == 401 and refused.json["error"] == "missing_token"
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert get(client, url, "kapi_" + "x" * 43).status_code == 401
        assert client.get(url, headers={"Authorization": "Basic b3JnYW5pc2VyOnRlc3Q="}).status_code == 401
    signed_in = login(app.test_client(), "organiser")
    assert signed_in.get("/api/v1/requests").status_code == 401  # an organiser's cookie opens nothing here
    assert client.get("/api/v1/openapi.json").status_code == 200  # the document is open to read
    answer = get(client, "/api/v1/requests", token())
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers


def test_a_revoked_token_is_refused_at_once_and_only_its_hash_is_kept(app, client, filed, organiser):
    boss = login(app.test_client(), "organiser")
    page = boss.post("/organiser/api-tokens", data={"csrf_token": csrf_token(boss, "/organiser/api-tokens"),
                                                    "name": "市统计局", "scope": "public"}, follow_redirects=True)
    assert page.status_code == 200
    secret = re.search(r'<code class="mono token">(kapi_[A-Za-z0-9_-]+)</code>', page.get_data(as_text=True)).group(1)
    assert get(client, "/api/v1/fairs", secret).status_code == 200
    record = db.session.scalar(sa.select(ApiToken).filter_by(name="市统计局"))
    stored = " ".join(str(v) for v in db.session.execute(sa.select(ApiToken.__table__).filter_by(id=record.id)).one())
    assert secret not in stored and secret[5:] not in stored  # the token itself is nowhere in the database
    listed = boss.get("/organiser/api-tokens").get_data(as_text=True)
    assert "市统计局" in listed and secret not in listed and record.prefix in listed  # shown once, then only its start

    revoked = boss.post(f"/organiser/api-tokens/{record.id}/revoke",
                        data={"csrf_token": csrf_token(boss, "/organiser/api-tokens"), "confirmed": "yes"})
    assert revoked.status_code == 302
    refused = get(client, "/api/v1/fairs", secret)
    assert refused.status_code == 401 and refused.json["error"] == "invalid_token"
    assert get(client, "/api/v1/fairs", token()).status_code == 200  # other tokens go on working


def test_staff_cannot_issue_or_revoke_tokens(app, client, fair):
    tablet = login(app.test_client(), "b07")
    assert tablet.get("/organiser/api-tokens").status_code == 403
    assert tablet.post("/organiser/api-tokens", data={"name": "x", "scope": "personal",
                                                      "csrf_token": csrf_token(tablet, "/login")}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_lists_come_in_pages_with_links_to_the_next_and_the_previous(app, client, filed):
    secret = token()
    first = get(client, "/api/v1/requests?page_size=2", secret).json
    assert first["count"] == 5 and first["previous"] is None
    assert [r["service_request_id"] for r in first["results"]] == [str(filed[0].id), str(filed[1].id)]
    second = get(client, first["next"], secret).json
    assert [r["service_request_id"] for r in second["results"]] == [str(filed[2].id), str(filed[3].id)]
    assert second["previous"].endswith("/api/v1/requests?page_size=2")
    third = get(client, second["next"], secret).json
    assert [r["service_request_id"] for r in third["results"]] == [str(filed[4].id)] and third["next"] is None
    beyond = get(client, "/api/v1/requests?page_size=2&page=9", secret).json
    assert beyond["results"] == [] and beyond["count"] == 5 and "page=3" in beyond["previous"]
    for bad in ("page=0", "page=x", "page_size=201", "status=done", "fair=-1", "modified_since=yesterday"):
        refused = get(client, f"/api/v1/requests?{bad}", secret)
        assert refused.status_code == 400 and refused.json["parameter"] == bad.split("=")[0], bad
    assert get(client, "/api/v1/requests?status=closed", secret).json["count"] == 2  # resolved and withdrawn
    assert get(client, "/api/v1/fairs?page_size=1", secret).json["count"] == 1


def test_modified_since_returns_what_changed_at_or_after_that_moment(app, client, filed):
    secret = token()
    hour_ago = utcnow() - timedelta(hours=1)
    db.session.execute(sa.update(ServiceRequest.__table__).values(updated_at=hour_ago))  # filed an hour ago
    db.session.commit()
    mark = hour_ago + timedelta(minutes=30)
    waiting = filed[2]
    db.session.refresh(waiting)
    workflow.take(waiting, None, waiting.version)
    db.session.commit()
    stamp = mark.strftime("%Y-%m-%dT%H:%M:%S") + "Z"
    changed = get(client, f"/api/v1/requests?modified_since={stamp}", secret).json
    assert [r["service_request_id"] for r in changed["results"]] == [str(waiting.id)]
    assert changed["results"][0]["detailed_status"] == "in_progress"
    in_beijing = (mark + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"
    assert get(client, f"/api/v1/requests?modified_since={in_beijing.replace('+', '%2B')}", secret).json["count"] == 1
    assert get(client, f"/api/v1/requests?modified_since={in_beijing}", secret).json["count"] == 1  # "+" unescaped
    assert get(client, "/api/v1/requests?modified_since=2000-01-01T00:00:00Z", secret).json["count"] == 5
    # A client that keeps the newest updated_datetime it saw and asks again gets that one back, no more.
    newest = changed["results"][0]["updated_datetime"]
    assert get(client, "/api/v1/requests?" + f"modified_since={newest.replace('+', '%2B')}", secret).json["count"] == 1


def test_an_unchanged_answer_is_a_304_until_something_it_shows_changes(app, client, filed):
    secret = token()
    url = f"/api/v1/requests?fair={filed[0].fair_id}"
    first = get(client, url, secret)
    etag = first.headers["ETag"]
    assert get(client, url, secret, **{"If-None-Match": etag}).status_code == 304
    assert get(client, url, token(ApiScope.personal), **{"If-None-Match": etag}).status_code == 200  # other scope
    workflow.note(filed[1], None, filed[1].version, text="会后回访")
    db.session.commit()
    changed = get(client, url, secret, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    tally = f"/api/v1/fairs/{filed[0].fair_id}/tally"
    tally_etag = get(client, tally, secret).headers["ETag"]
    assert get(client, tally, secret, **{"If-None-Match": tally_etag}).status_code == 304
    booth(filed[0].fair, "B07").department.name = "工业和信息化局（新）"
    db.session.commit()
    assert get(client, tally, secret, **{"If-None-Match": tally_etag}).status_code == 200


def test_requests_carry_open311_fields_with_times_in_iso_8601_with_their_zone(app, client, filed):
    secret = token()
    planned = get(client, f"/api/v1/requests/{filed[0].id}", secret).json
    assert planned["status"] == "open" and planned["detailed_status"] == "planned"  # open until closed out
    assert planned["status_notes"] == "已拿出解决方案" and planned["service_name"] == "土地"
    assert planned["service_code"] == "land" and planned["agency_responsible"].endswith("工业和信息化局")
    assert planned["ticket_no"] == filed[0].ticket_no and planned["responsible_unit"] == "规划科"
    for field in ("requested_datetime", "updated_datetime"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", planned[field]), field
    assert planned["expected_datetime"] == f"{LATER.isoformat()}T23:59:59+08:00"
    resolved = get(client, f"/api/v1/requests/{filed[1].id}", secret).json
    assert resolved["status"] == "closed" and resolved["expected_datetime"] is None
    english = get(client, f"/api/v1/requests/{filed[0].id}", secret, **{"Accept-Language": "en"}).json
    assert english["service_name"] == "Land"
    assert get(client, "/api/v1/requests/999999", secret).status_code == 404
    assert get(client, "/api/v1/requests/999999", secret).json["status"] == 404


def test_no_personal_data_without_the_personal_scope(app, client, filed):
    fair_id = filed[0].fair_id
    close_fair(filed[0].fair, None)  # its tally frozen, with the planned items' list
    db.session.commit()
    urls = ["/api/v1/requests", f"/api/v1/requests/{filed[0].id}", "/api/v1/fairs", f"/api/v1/fairs/{fair_id}",
            f"/api/v1/fairs/{fair_id}/tally"]
    public, personal = token(ApiScope.public), token(ApiScope.personal)
    for url in urls:
        text = get(client, url, public).get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in text and secret not in repr(json.loads(text)), (url, secret)
    seen = get(client, f"/api/v1/requests/{filed[0].id}", personal).json
    assert (seen["company_name"], seen["credit_code"], seen["contact_name"], seen["contact_mobile"],
            seen["description"], seen["plan"], seen["responsible_person"]) == (
        "保密科技有限公司", CODE_B, "张三丰", "13800001111", "需要保密的厂房用地需求", "保密的方案", "赵科长")
    tally = get(client, f"/api/v1/fairs/{fair_id}/tally", personal).json
    assert tally["frozen"] and tally["planned_items"][0]["company_name"] == "保密科技有限公司"
    assert tally["totals"]["received"] == 4 and tally["totals"]["withdrawn"] == 1


def test_the_openapi_document_validates_and_names_every_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    routes = {re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routes == set(document["paths"])


def test_nothing_in_the_api_writes_but_the_tokens_last_use(app, client, filed):
    secret = token()
    for method in ("post", "put", "delete", "patch"):
        answer = getattr(client, method)("/api/v1/requests", headers=bearer(secret))
        assert answer.status_code in (400, 405), method  # (400: the CSRF check, before any route)
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == 5


def test_a_booth_given_a_new_code_or_a_department_renamed_shows_as_modified(app, client, filed):
    """The API shows each request's booth code and department name; a client that follows it with
    modified_since must hear when either changes, not keep the old one for good."""
    from kiosk.organiser.fair_setup import rename_booth
    secret = token()
    hour_ago = utcnow() - timedelta(hours=1)
    db.session.execute(sa.update(ServiceRequest.__table__).values(updated_at=hour_ago))
    db.session.commit()
    stamp = (hour_ago + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S") + "Z"
    assert get(client, f"/api/v1/requests?modified_since={stamp}", secret).json["count"] == 0
    resolved = filed[1]  # at B01
    rename_booth(resolved.booth, "B31")
    db.session.commit()
    changed = get(client, f"/api/v1/requests?modified_since={stamp}", secret).json["results"]
    assert [(r["service_request_id"], r["booth_code"]) for r in changed] == [(str(resolved.id), "B31")]

    db.session.execute(sa.update(ServiceRequest.__table__).values(updated_at=hour_ago))
    db.session.commit()
    planned = filed[0]  # at B07, on the ledger
    planned.booth.department.name = "泰安市自然资源和规划局（更名）"
    db.session.commit()
    changed = get(client, f"/api/v1/requests?modified_since={stamp}", secret).json["results"]
    assert [(r["service_request_id"], r["agency_responsible"]) for r in changed] == [
        (str(planned.id), "泰安市自然资源和规划局（更名）")]
    on_ledger = get(client, f"/api/v1/ledger-items?modified_since={stamp}", secret).json["results"]
    assert [r["agency_responsible"] for r in on_ledger] == ["泰安市自然资源和规划局（更名）"]
