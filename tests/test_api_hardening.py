"""The API, hardened: one due date, the current one, under one name in every resource (with the
original beside it); the company's verdict on a ledger item; JSON in UTF-8 as is; and every date-like
query parameter either understood or refused with a 400 that says its format, never a 500."""
import gzip
import json
import re
from datetime import date, datetime, timedelta
from urllib.parse import quote, quote_from_bytes
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.api.models import ApiScope
from kiosk.core.extensions import db
from kiosk.figures.periods import Period
from kiosk.ledger import moves
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.scoreboard import service
from kiosk.service_requests.models import Status
from tests.factories import an_organiser, department_staff, request_in
from tests.test_api import get, token

#: today where the fair is (the kiosk's zone in the tests' config)
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


def end_of(day) -> str:
    return f"{day.isoformat()}T23:59:59+08:00"


# --- 14: one due date, named the same way everywhere ---------------------------------------------

def test_every_resource_gives_the_current_due_date_as_expected_datetime_and_the_original_beside_it(
        app, client, fair):
    """A plan due in a week, its fair closed (its tally printed with that date), then extended twice:
    /requests gave the original as expected_datetime while /ledger-items gave the current one."""
    original, first, current = TODAY + timedelta(days=7), TODAY + timedelta(days=30), TODAY + timedelta(days=60)
    item = request_in(fair, Status.planned, "B07", due=original)
    resolved = request_in(fair, Status.resolved, "B01")
    close_fair(fair, None)
    staff = department_staff(item.booth.department)
    for new_due in (first, current):
        moves.ask_extension(item, staff, item.version, new_due=new_due, reason="等待省厅批复", today=TODAY)
        moves.approve_extension(item, an_organiser(), item.version, today=TODAY)
    db.session.commit()
    secret = token()

    shown = {
        "/requests/<id>": get(client, f"/api/v1/requests/{item.id}", secret).json,
        "/requests": get(client, "/api/v1/requests", secret).json["results"][0],
        "/ledger-items/<id>": get(client, f"/api/v1/ledger-items/{item.id}", secret).json,
        "/ledger-items": get(client, "/api/v1/ledger-items", secret).json["results"][0],
        "/fairs/<id>/tally": get(client, f"/api/v1/fairs/{fair.id}/tally", secret).json["planned_items"][0],
    }
    for resource, fields in shown.items():
        assert (fields["expected_datetime"], fields["original_expected_datetime"]) == (
            end_of(current), end_of(original)), resource
    ledger = shown["/ledger-items/<id>"]
    assert (ledger["original_due"], ledger["current_due"]) == (original.isoformat(), current.isoformat())
    assert shown["/fairs/<id>/tally"]["due_date"] == original.isoformat()  # as printed

    # A request with no plan has neither.
    none = get(client, f"/api/v1/requests/{resolved.id}", secret).json
    assert (none["expected_datetime"], none["original_expected_datetime"]) == (None, None)


def test_the_document_names_the_due_dates_alike_in_every_resource(app, client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    items = {"Request": schemas["Request"], "LedgerItem": schemas["LedgerItem"],
             "planned item": schemas["Tally"]["properties"]["planned_items"]["items"]}
    for name, schema in items.items():
        assert {"expected_datetime", "original_expected_datetime"} <= set(schema["required"]), name
        assert "after any extensions" in schema["properties"]["expected_datetime"]["description"], name


def test_a_ledger_item_carries_the_companys_verdict(app, client, fair):
    accepted, disputed, silent = (request_in(fair, Status.closed_out, at) for at in ("B07", "B01", "F01"))
    secret, personal = token(), token(ApiScope.personal, name="市信用中心")
    before = get(client, f"/api/v1/ledger-items/{disputed.id}", secret).headers["ETag"]
    moves.company_verdict(accepted, accepted=True, rating=5, words=None)
    moves.company_verdict(disputed, accepted=False, rating=1, words="地块仍未交付")
    db.session.commit()

    public = get(client, f"/api/v1/ledger-items/{disputed.id}", secret, **{"If-None-Match": before})
    assert public.status_code == 200  # a verdict changes what the item shows
    verdict = public.json["company_verdict"]
    assert (verdict["verdict"], verdict["rating"], "words" in verdict) == ("disputed", 1, False)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", verdict["verdict_datetime"])
    assert (public.json["state"], public.json["status"]) == ("planned", "open")  # sent back, no longer closed out
    assert "地块仍未交付" not in public.get_data(as_text=True)  # the company's words are personal
    seen = get(client, f"/api/v1/ledger-items/{disputed.id}", personal).json["company_verdict"]
    assert (seen["verdict"], seen["words"]) == ("disputed", "地块仍未交付")

    listed = {r["service_request_id"]: r["company_verdict"]
              for r in get(client, "/api/v1/ledger-items", personal).json["results"]}
    assert (listed[str(accepted.id)]["verdict"], listed[str(accepted.id)]["rating"],
            listed[str(accepted.id)]["words"]) == ("accepted", 5, None)
    assert listed[str(silent.id)] is None


# --- 15: UTF-8 as is -----------------------------------------------------------------------------

def test_json_comes_in_utf8_as_is_and_parses_to_the_same(app, client, fair):
    item = request_in(fair, Status.planned, "B07", company_name="保密科技有限公司", need="需要厂房用地")
    db.session.commit()
    secret = token(ApiScope.personal)
    for url in (f"/api/v1/requests/{item.id}", "/api/v1/requests", f"/api/v1/ledger-items/{item.id}",
                f"/api/v1/fairs/{fair.id}", f"/api/v1/fairs/{fair.id}/tally", "/api/v1/openapi.json"):
        answer = get(client, url, secret, **{"Accept-Encoding": "identity"})
        body = answer.get_data()
        assert answer.status_code == 200 and answer.mimetype == "application/json", url
        assert b"\\u" not in body, url
        assert int(answer.headers["Content-Length"]) == len(body), url
        assert json.loads(body.decode("utf-8")) == answer.json, url
    for url, text in ((f"/api/v1/requests/{item.id}", "保密科技有限公司"), (f"/api/v1/fairs/{fair.id}", fair.name),
                      ("/api/v1/openapi.json", "要素保障大集")):
        assert text.encode("utf-8") in get(client, url, secret).get_data(), url
    # gzipped, the same bytes; the ETag still answers 304
    packed = get(client, "/api/v1/requests", secret, **{"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())
    assert "需要厂房用地".encode() in gzip.decompress(packed.get_data())
    tag = packed.headers["ETag"]
    assert get(client, "/api/v1/requests", secret, **{"If-None-Match": tag}).status_code == 304
    # an error naming what it refuses, too
    refused = get(client, "/api/v1/requests?时间=1", secret)
    assert refused.status_code == 400 and "时间".encode() in refused.get_data()
    assert refused.json["parameter"] == "时间"


# --- 16: date-like parameters ------------------------------------------------------------------

#: each date-like query parameter of the API: the list it filters, and what a valid one looks like
STRICT_DATE_TIME = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
                    r"([Zz]|[+ -][0-9]{2}:?[0-9]{2})?")
DATE_LIKE = {
    ("/api/v1/requests", "modified_since"): STRICT_DATE_TIME,
    ("/api/v1/ledger-items", "modified_since"): STRICT_DATE_TIME,
    ("/api/v1/rankings", "period"): r"2[0-9]{3}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?",
}
FORMAT_NAMED = {"modified_since": "RFC 3339", "period": "2026-Q2"}


@pytest.fixture
def listed(app, fair):
    """A request on the ledger, a published ranking, and a token."""
    request_in(fair, Status.planned, "B07")
    service.publish_ranking(Period.parse("2026-06"), None, today=date(2026, 8, 1))
    db.session.commit()
    return token()


def test_a_date_without_a_time_is_refused_with_the_format(app, client, listed):
    for path in ("/api/v1/requests", "/api/v1/ledger-items"):
        refused = get(client, f"{path}?modified_since=2026-01-01", listed)
        assert refused.status_code == 400 and refused.json["parameter"] == "modified_since", path
        assert "RFC 3339" in refused.json["message"] and "2026-01-01T00:00:00" in refused.json["message"]
    for bad in ("2026-06-13T24:00:00Z", "2026-06-13T09:60:00Z", "2026-06-13T09:30:61Z", "2026-02-30T00:00:00Z",
                "2026-06-13T09:30:00+24:00", "2026-06-13T09:30:00+08:60", "２０２６-06-13T09:30:00Z",
                "2026-06-13T09:30:00Z\n", "2026-06-13T9:30:00Z", "2026-06-13"):
        refused = get(client, f"/api/v1/requests?modified_since={quote(bad)}", listed)
        assert refused.status_code == 400 and "RFC 3339" in refused.json["message"], bad
    for good in ("2026-06-13T09:30:00Z", "2026-06-13T09:30:00%2B08:00", "2026-06-13T09:30:00+08:00",
                 "2026-06-13t09:30:00.123456z", "2026-12-31T23:59:60Z", "2026-06-13T09:30", "2026-06-13T09:30:00-0500",
                 "0000-01-01T00:00:00%2B23:59", "9999-12-31T23:59:59-23:59"):
        assert get(client, f"/api/v1/requests?modified_since={good}", listed).status_code == 200, good
    for bad in ("2026\n", "２０２６", "2026-13", "1999", "2026-q2", "2026-06-01"):
        refused = get(client, f"/api/v1/rankings?period={quote(bad)}", listed)
        assert refused.status_code == 400 and refused.json["parameter"] == "period", bad
    assert get(client, "/api/v1/rankings?period=2026-06", listed).json["count"] == 1


def _two(high: int):
    return st.integers(0, high).map("{:02d}".format)


#: strings near the formats, to reach every check of the parsing (and anything at all, below)
_DATE = st.builds("{}-{}-{}".format, st.integers(0, 9999).map("{:04d}".format), _two(13), _two(32))
_TIME = st.builds("{}{}:{}{}{}".format, st.sampled_from("Tt "), _two(25), _two(61),
                  st.sampled_from(["", ":00", ":59", ":60", ":61", ":30.5", ":30.123456789"]),
                  st.sampled_from(["", "Z", "z", "+08:00", " 08:00", "-05:00", "+0800", "+24:00", "+08:60", "-23:59"]))
NEAR = {
    "modified_since": st.builds("{}{}{}".format, _DATE, st.one_of(st.just(""), _TIME),
                                st.sampled_from(["", "\n", " ", "\u2028"])),
    "period": st.builds("{}{}{}".format, st.one_of(st.integers(1990, 3010).map(str), st.integers(0, 99999).map(str),
                                                   st.just("２０２６")),
                        st.sampled_from(["", "-06", "-12", "-13", "-00", "-6", "-Q2", "-Q5", "-q2", "-H1", "-H3"]),
                        st.sampled_from(["", "\n", " "])),
}
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@pytest.mark.parametrize(("path", "name"), list(DATE_LIKE))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_value_of_a_date_like_parameter_is_understood_or_refused_with_its_format(app, client, listed, path,
                                                                                     name, data):
    value = data.draw(st.one_of(NEAR[name], TEXT, st.binary(max_size=20)))
    encoded = quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value, safe="")
    answer = get(client, f"{path}?{name}={encoded}", listed)
    assert answer.status_code in (200, 400), (value, answer.status_code)
    if answer.status_code == 400 and (b"\x00" if isinstance(value, bytes) else "\x00") in value:
        assert answer.json["error"], value  # the kiosk refuses a NUL anywhere, before the API reads it
    elif answer.status_code == 400:
        assert answer.json["parameter"] == name and FORMAT_NAMED[name] in answer.json["message"], value
    elif isinstance(value, str):
        assert re.fullmatch(DATE_LIKE[(path, name)], value, re.ASCII), value
