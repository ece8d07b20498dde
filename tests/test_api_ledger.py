"""The API's ledger items and published rankings: a token is needed, the ledger's fields (due dates,
extensions, state, overdue), its filters, pages and modified_since, no personal data without the
scope, and a ranking served only once published, frozen."""
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from kiosk.api.models import ApiScope
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.figures.periods import Period
from kiosk.ledger import moves
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.scoreboard import service
from kiosk.service_requests.models import ServiceRequest, Status
from tests.factories import CODE_B, an_organiser, department_staff, request_in
from tests.test_api import bearer, get, token

#: today where the fair is (the kiosk's zone in the tests' config)
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
SECRETS = ("保密科技有限公司", CODE_B, "张三丰", "13800001111", "需要保密的厂房用地需求", "保密的方案",
           "保密的办结情况")


def ledger_items(fair):
    """late: planned, due yesterday (overdue), holding personal data; extended: planned, extended twice;
    closed: closed out; and a resolved request, which is not on the ledger."""
    late = request_in(fair, Status.planned, "B07", company_name="保密科技有限公司", credit_code=CODE_B,
                      contact_name="张三丰", mobile="13800001111", need="需要保密的厂房用地需求",
                      plan_text="保密的方案")
    extended = request_in(fair, Status.planned, "B01")
    # given earlier, due before today (a plan given now must be due later)
    late.plan_due = late.current_due = TODAY - timedelta(days=1)
    extended.plan_due = extended.current_due = TODAY - timedelta(days=3)
    staff = department_staff(extended.booth.department)
    for days, reason in ((10, "等待省厅批复"), (20, "企业补充材料")):  # asked by the department, approved
        moves.ask_extension(extended, staff, extended.version, new_due=TODAY + timedelta(days=days), reason=reason,
                            today=TODAY)
        moves.approve_extension(extended, an_organiser(), extended.version, today=TODAY)
    closed = request_in(fair, Status.planned, "F01", due=TODAY + timedelta(days=5))
    moves.finish(closed, department_staff(closed.booth.department), closed.version, result="保密的办结情况",
                 evidence="文号")
    moves.confirm(closed, an_organiser(), closed.version)
    resolved = request_in(fair, Status.resolved, "B02")
    db.session.commit()
    return late, extended, closed, resolved


def test_ledger_items_carry_the_ledgers_fields_and_filter(app, client, fair):
    late, extended, closed, resolved = ledger_items(fair)
    assert client.get("/api/v1/ledger-items").status_code == 401
    secret = token()
    listed = get(client, "/api/v1/ledger-items", secret).json
    assert [r["service_request_id"] for r in listed["results"]] == [str(late.id), str(extended.id), str(closed.id)]
    assert get(client, f"/api/v1/ledger-items/{resolved.id}", secret).status_code == 404  # not on the ledger
    one = get(client, f"/api/v1/ledger-items/{extended.id}", secret).json
    assert one["original_due"] == (TODAY - timedelta(days=3)).isoformat()
    assert one["current_due"] == (TODAY + timedelta(days=20)).isoformat()
    assert one["expected_datetime"] == f"{(TODAY + timedelta(days=20)).isoformat()}T23:59:59+08:00"
    assert one["original_expected_datetime"] == f"{(TODAY - timedelta(days=3)).isoformat()}T23:59:59+08:00"
    assert one["company_verdict"] is None
    assert one["extension_count"] == 2
    assert [(e["new_due"], e["reason"]) for e in one["extensions"]] == [
        ((TODAY + timedelta(days=10)).isoformat(), "等待省厅批复"),
        ((TODAY + timedelta(days=20)).isoformat(), "企业补充材料")]
    assert (one["status"], one["state"], one["overdue"], one["closed_out_datetime"]) == ("open", "planned", False, None)
    assert one["agency_responsible"] == extended.booth.department.name
    done = get(client, f"/api/v1/ledger-items/{closed.id}", secret).json
    assert (done["status"], done["state"], done["closed_out_on_time"]) == ("closed", "closed_out", True)
    assert done["closed_out_datetime"].endswith("+08:00")
    overdue = get(client, "/api/v1/ledger-items?overdue=true", secret).json
    assert [r["service_request_id"] for r in overdue["results"]] == [str(late.id)]
    assert overdue["results"][0]["overdue"] is True
    assert get(client, "/api/v1/ledger-items?overdue=false", secret).json["count"] == 2
    assert get(client, "/api/v1/ledger-items?status=closed", secret).json["count"] == 1
    assert get(client, "/api/v1/ledger-items?status=open", secret).json["count"] == 2
    department = extended.booth.department_id
    by_department = get(client, f"/api/v1/ledger-items?department={department}", secret).json
    assert [r["service_request_id"] for r in by_department["results"]] == [str(extended.id)]
    assert get(client, f"/api/v1/ledger-items?fair={fair.id + 1}", secret).json["count"] == 0
    for bad in ("overdue=yes", "status=done", "department=0", "fair=x"):
        assert get(client, f"/api/v1/ledger-items?{bad}", secret).status_code == 400, bad


def test_ledger_items_come_in_pages_and_follow_changes(app, client, fair):
    late, _, closed, _ = ledger_items(fair)
    secret = token()
    first = get(client, "/api/v1/ledger-items?page_size=2", secret).json
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    second = get(client, first["next"], secret).json
    assert [r["service_request_id"] for r in second["results"]] == [str(closed.id)] and second["next"] is None

    hour_ago = utcnow() - timedelta(hours=1)
    db.session.execute(sa.update(ServiceRequest.__table__).values(updated_at=hour_ago))
    db.session.commit()
    stamp = (hour_ago + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert get(client, f"/api/v1/ledger-items?modified_since={stamp}", secret).json["count"] == 0
    tag = get(client, f"/api/v1/ledger-items/{late.id}", secret).headers["ETag"]
    assert get(client, f"/api/v1/ledger-items/{late.id}", secret, **{"If-None-Match": tag}).status_code == 304
    db.session.refresh(late)
    moves.extend(late, an_organiser(), late.version, new_due=TODAY + timedelta(days=7),  # an organiser's own
                 reason="施工窗口期", today=TODAY)
    db.session.commit()
    changed = get(client, f"/api/v1/ledger-items?modified_since={stamp}", secret).json
    assert [r["service_request_id"] for r in changed["results"]] == [str(late.id)]
    assert (changed["results"][0]["extension_count"], changed["results"][0]["overdue"]) == (1, False)
    again = get(client, f"/api/v1/ledger-items/{late.id}", secret, **{"If-None-Match": tag})
    assert again.status_code == 200 and again.json["current_due"] == (TODAY + timedelta(days=7)).isoformat()


def test_no_personal_data_on_the_ledger_without_the_personal_scope(app, client, fair):
    late, _, closed, _ = ledger_items(fair)
    public, personal = token(ApiScope.public), token(ApiScope.personal, name="市信用中心")
    for url in ("/api/v1/ledger-items", f"/api/v1/ledger-items/{late.id}", f"/api/v1/ledger-items/{closed.id}"):
        shown = json.dumps(get(client, url, public).json, ensure_ascii=False)
        assert not [secret for secret in SECRETS if secret in shown], url
        assert "company_name" not in shown and "contact_mobile" not in shown
    seen = json.dumps(get(client, "/api/v1/ledger-items", personal).json, ensure_ascii=False)
    assert [secret for secret in SECRETS if secret not in seen] == []


def test_only_published_rankings_are_served_and_they_stay_as_published(app, client, fair, organiser):
    current_app.config["SCOREBOARD_MIN_COUNTED"] = 1  # (a request each ranks them here)
    item = request_in(fair, Status.planned, "B07")
    item.plan_due = item.current_due = date(2026, 7, 15)  # open, overdue on 1 August
    request_in(fair, Status.resolved, "B01")
    close_fair(fair, organiser)
    db.session.commit()
    secret = token()
    # June's scoreboard can be computed, but until an organiser publishes it nothing is served
    assert get(client, "/api/v1/rankings", secret).json == {"count": 0, "next": None, "previous": None, "results": []}
    assert get(client, "/api/v1/rankings/1", secret).status_code == 404
    published = service.publish_ranking(Period.parse("2026-06"), organiser, today=date(2026, 8, 1))
    db.session.commit()
    listed = get(client, "/api/v1/rankings", secret)
    assert listed.status_code == 200 and listed.json["count"] == 1
    ranking = get(client, f"/api/v1/rankings/{published.id}", secret).json
    assert ranking == listed.json["results"][0]
    assert (ranking["period"], ranking["revision"], ranking["superseded"], ranking["as_of"]) == (
        "2026-06", 1, False, "2026-08-01")
    assert ranking["weights"] == {"effect": 40, "service": 40, "efficiency": 20}
    rows = {row["name"]: row for row in ranking["rows"]}
    industry = rows[item.booth.department.name]
    assert (industry["inputs"]["planned"], industry["inputs"]["open_overdue"], industry["rank"]) == (1, 1, 2)
    assert rows[f"{fair.name}自然资源和规划局"]["rank"] == 1
    # later moves, new weights and a correction leave the published one as it was
    tag = listed.headers["ETag"]
    service.set_weights(20, 60, 20, organiser)
    moves.finish(item, department_staff(item.booth.department), item.version, result="已办结", evidence="")
    moves.confirm(item, an_organiser(), item.version)
    db.session.commit()
    assert get(client, f"/api/v1/rankings/{published.id}", secret).json == ranking
    assert get(client, "/api/v1/rankings", secret, **{"If-None-Match": tag}).status_code == 304
    service.publish_ranking(Period.parse("2026-06"), organiser, today=date(2026, 8, 2), reason="补录")
    db.session.commit()
    both = get(client, "/api/v1/rankings?period=2026-06", secret, **{"If-None-Match": tag})
    assert both.status_code == 200 and [(r["revision"], r["superseded"]) for r in both.json["results"]] == [
        (1, True), (2, False)]
    assert both.json["results"][1]["weights"]["service"] == 60
    assert get(client, "/api/v1/rankings?period=2026-07", secret).json["count"] == 0
    assert get(client, "/api/v1/rankings?period=June", secret).status_code == 400
    assert client.get("/api/v1/rankings", headers=bearer("kapi_nothing")).status_code == 401
