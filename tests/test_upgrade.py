"""Upgrades with data: an install of the previous release, upgraded, reads as it did.

The fixture (upgrade_fixture/rows.json, made once by upgrade_fixture/make.py, which says how) is a
database of release 0.1.0, whose schema is migration PREVIOUS_RELEASE: the demo's three fairs with
rows in every table. Each test loads it as an install would hold it (an empty database upgraded to
PREVIOUS_RELEASE, then the rows), runs the migrations on it with the app's own upgrade and
downgrade, and then reads it as people and other systems do: the organiser's fair list, tallies and
dashboard, ledger items, rounds, published rankings, follow-up calls and API tokens; a department's
ledger; a booth's queue; a company's tracking page; the public disclosure; and the API's fairs,
tallies, requests, ledger items and rankings, every row of them compared with the fixture's. What a
page should show is worked out from the fixture's rows here, not taken from the app.

- test_the_previous_release_upgrades_and_reads_as_it_did: up to head. This is the guard for the
  migrations after the release; while head is PREVIOUS_RELEASE it upgrades nothing.
- test_one_step_down_and_back_keeps_every_row: from head one migration down (while head is the
  release's, 0024 -> 0023, which drops each request's rating that 0024 then fills in again from the
  slips and verdicts), every row and value it keeps checked, and up again: every value of the
  fixture as it was, and the reads as before. (A migration after the release that means to change
  the release's values on the way up will have to say so here.)
- test_every_step_down_to_the_first_migration_and_back: one migration at a time down to the first,
  checking after each that every row of every table still there is kept with the values of every
  column still there, and that it drops only what DROPPED_BY says; then up to head: no row lost of
  the tables never dropped, and the reads of what a downgrade cannot take away. Every downgrade
  runs, but those in DROPPED_BY are irreversible for the data they drop: what the release's tables
  and columns held is gone, and the way back up fills those columns with defaults or with what the
  migration can work out (the note under DROPPED_BY says what the reads then see).

On SQLite the migrations run with foreign keys off (migrations/env.py): a batch migration rebuilds
a table, and with them on SQLite's DROP TABLE deleted the old table's rows with the ON DELETE
CASCADE of every table pointing at it (0024's downgrade took every request's trail, slips,
verdicts, extensions and joint booths; 0019's and 0010's failed on a foreign key). The two
downgrade tests failed on SQLite before that fix.
"""
import csv
import html
import io
import itertools
import json
import re
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from kiosk import create_app
from kiosk.core.extensions import db
from kiosk.core.rendering import percent
from tests.helpers import login
from tests.upgrade_fixture.make import PERSONAL_TOKEN, PUBLIC_TOKEN, REVOKED_TOKEN

FIXTURE = json.loads((Path(__file__).parent / "upgrade_fixture" / "rows.json").read_text(encoding="utf-8"))
#: the previous release's head: the fixture's schema
PREVIOUS_RELEASE = FIXTURE["revision"]
#: the fixture's rows, by table, as dicts of the stored values (times and dates as ISO strings)
ROWS = {entry["table"]: [dict(zip(entry["columns"], row, strict=True)) for row in entry["rows"]]
        for entry in FIXTURE["tables"]}

#: What each migration's downgrade drops of the release's data (whole tables, or table.column). A
#: downgrade not named here must keep every row and every value. Those named are irreversible for
#: what they drop: the way back up recreates the tables empty, and the columns with their defaults
#: or with what the migration works out (0024: each rating again, from the slips and verdicts that
#: are still there; 0019: the due date from the plan's, the close-out time from the trail; 0012:
#: the company record's name; 0010: a new hall screen link).
DROPPED_BY = {
    "0024": {"service_request.rating", "service_request.rated_on_closeout"},
    "0023": {"score_weights", "efficiency_points", "published_ranking", "disclosure"},
    "0020": {"reconciliation_round", "round_item"},
    "0019": {"extension", "close_out_verdict", "department.ledger_version", "service_request.current_due",
             "service_request.closeout_evidence", "service_request.done_at", "service_request.closed_out_at",
             "user.department_id"},
    "0022": {"api_token"},
    "0016": {"lookup_miss"},
    "0012": {"service_request.company_name", "company.name_chosen_at"},
    "0014": {"satisfaction_slip.paper_number"},
    "0015": {"user.session_epoch"},
    "0008": {"booth.hidden"},
    "0010": {"fair.screen_token"},
    "0009": {"fair.public_base_url"},
    "0007": {"fair.setup_version"},
    "0006": {"login_attempt.device"},
    "0005": {"login_attempt", "service_request.device"},
    "0004": {"fair_event", "fair.closed_at", "fair.tally_snapshot"},
    "0003": {"follow_up_call", "satisfaction_slip.followup_closed_by_id"},
    "0002": {"booth.queue_version"},
}
# Of what the reads below look at, the way back up from the first migration cannot give back: the
# name each request was filed with (0012 gives each its company record's current name), a ledger
# item's extensions, verdict, evidence and the time it was done (0019: its due date is its plan's
# again), a closed fair's frozen tally (0004: worked out afresh), a department account's department
# (0019), the published rankings, rounds, disclosures, follow-up calls and API tokens (their tables).

#: Migrations whose downgrade refuses to run (none so far): the downgrade tests stop above them.
REFUSES_DOWNGRADE: set[str] = set()


# --- the fixture in a database ---------------------------------------------------------------------

def make_app(url):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "SERVER_NAME": None})


def decode(value, column: sa.Column, dialect: str):
    """A fixture's value as the column takes it (upgrade_fixture/make.py says how they are written)."""
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        moment = datetime.fromisoformat(value)
        if dialect == "postgresql" and column.type.timezone:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    if isinstance(column.type, sa.Date):
        return date.fromisoformat(value)
    if isinstance(column.type, sa.Numeric) and not isinstance(column.type, sa.Float):
        return Decimal(value)
    return value


def comparable(value):
    """A stored value as the comparison sees it: every time in naive UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def stored_tables() -> sa.MetaData:
    stored = sa.MetaData()
    stored.reflect(db.engine)
    return stored


def insert_rows(connection, stored: sa.MetaData, tables: list[str]) -> None:
    """The fixture's rows of these tables, with the sequences of their ids moved past them."""
    dialect = connection.dialect.name
    for entry in FIXTURE["tables"]:
        if entry["table"] not in tables:
            continue
        table = stored.tables[entry["table"]]
        columns = [table.c[name] for name in entry["columns"]]
        connection.execute(table.insert(), [
            {c.name: decode(v, c, dialect) for c, v in zip(columns, row, strict=True)} for row in entry["rows"]])
        if dialect == "postgresql" and "id" in entry["columns"]:
            connection.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                       f"(SELECT max(id) FROM \"{table.name}\"))")


def load_fixture(app) -> None:
    """The empty database brought to the previous release's schema, and the fixture's rows in it:
    rows in every table there is."""
    with app.app_context():
        upgrade(revision=PREVIOUS_RELEASE)
        stored = stored_tables()
        assert set(ROWS) == set(stored.tables) - {"alembic_version"} and all(ROWS.values())
        with db.engine.begin() as connection:
            insert_rows(connection, stored, list(ROWS))
        db.engine.dispose()


def kept_rows_differ(values: bool = True) -> dict[str, str]:
    """For every table of the fixture still in the database: what differs from the fixture, in the
    columns still there (nothing, where every row is kept with every value); with values=False only
    the rows gone."""
    stored, dialect = stored_tables(), db.engine.dialect.name
    problems = {}
    with db.engine.connect() as connection:
        for entry in FIXTURE["tables"]:
            if entry["table"] not in stored.tables:
                continue
            table = stored.tables[entry["table"]]
            columns = [name for name in entry["columns"] if name in table.c]
            key = [c.name for c in table.primary_key.columns]
            expected = {tuple(row[entry["columns"].index(k)] for k in key):
                        tuple(comparable(decode(row[entry["columns"].index(c)], table.c[c], dialect)) for c in columns)
                        for row in entry["rows"]}
            found = {tuple(row[:len(key)]): tuple(comparable(v) for v in row[len(key):]) for row in connection.execute(
                sa.select(*(table.c[k] for k in key), *(table.c[c] for c in columns)))}
            missing = expected.keys() - found.keys()
            changed = [k for k in expected.keys() & found.keys() if values and expected[k] != found[k]]
            if missing or changed:
                sample = changed[0] if changed else None
                problems[table.name] = (
                    f"{len(missing)} of {len(expected)} rows gone, {len(changed)} changed"
                    + (f"; row {sample}: {dict(zip(columns, expected[sample], strict=True))} became "
                       f"{dict(zip(columns, found[sample], strict=True))}" if sample else ""))
    return problems


def schema_parts() -> set[str]:
    """Every table, and every table.column, in the database."""
    stored = stored_tables()
    return set(stored.tables) | {f"{t.name}.{c.name}" for t in stored.tables.values() for c in t.columns}


def fixture_parts() -> set[str]:
    return set(ROWS) | {f"{entry['table']}.{c}" for entry in FIXTURE["tables"] for c in entry["columns"]}


def revisions_down() -> list[str]:
    """The app's migrations from head down to the first, one step at a time."""
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return [revision.revision for revision in script.walk_revisions()]


@pytest.fixture
def upgraded(empty_database):
    """The app on the fixture's database, upgraded to head."""
    app = make_app(empty_database)
    load_fixture(app)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


# --- what people and other systems see ---------------------------------------------------------------

def text_of(response) -> str:
    """A page's visible text, its whitespace made single spaces."""
    assert response.status_code == 200, response.status_code
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def zoned(stamp: str, zone: ZoneInfo) -> datetime:
    """A stored time (UTC) in the fair's zone."""
    moment = datetime.fromisoformat(stamp)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)


def local(stamp: str, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time as pages show it."""
    return zoned(stamp, zone).strftime(fmt)


def api_time(stamp: str | None, zone: ZoneInfo) -> str | None:
    """A stored time as the API gives it (api.common.iso)."""
    return None if stamp is None else zoned(stamp, zone).isoformat(timespec="seconds")


def by_id(table: str) -> dict:
    return {row["id"]: row for row in ROWS[table]}


LEDGER_STATES = {"planned", "done", "closed_out"}
RATINGS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
#: a slip's columns in the export
SLIP_COLUMNS = {"professionalism": "业务水平", "attitude": "服务态度", "efficiency": "工作效率",
                "problem_solving": "代办手续及解决问题", "integrity": "廉洁自律", "overall": "总体评价"}
OPEN_STATES = {"waiting", "in_progress"}


def company_name(item: dict, full: bool) -> str:
    """The name a request shows: the one it was filed with, or after a trip below 0012 its company's."""
    return item["company_name"] if full else by_id("company")[item["company_id"]]["name"]


def extensions_of(item_id: int) -> list[dict]:
    return sorted((e for e in ROWS["extension"] if e["request_id"] == item_id), key=lambda e: e["id"])


def check_fairs(client, zone: ZoneInfo, full: bool) -> None:
    """The organiser's fair list, each fair's tally (frozen where the fixture froze it) and the open
    fair's dashboard: the counts its requests and slips make."""
    fairs = text_of(client.get("/organiser/"))
    slips = {row["request_id"]: row for row in ROWS["satisfaction_slip"]}
    for fair in ROWS["fair"]:
        booths = sum(1 for b in ROWS["booth"] if b["fair_id"] == fair["id"])
        status = {"open": "进行中", "closed": "已闭幕", "draft": "筹备中"}[fair["status"]]
        assert f"{fair['name']} {fair['date']} {booths} {status}" in fairs
        items = [r for r in ROWS["service_request"] if r["fair_id"] == fair["id"]]
        count = Counter(r["status"] for r in items)
        received = len(items) - count["withdrawn"]
        resolved, open_ = count["resolved"], count["waiting"] + count["in_progress"]
        planned = sum(count[s] for s in LEDGER_STATES)
        rated = [slips[r["id"]]["overall"] for r in items if r["id"] in slips]
        good, bad = sum(1 for o in rated if o >= 3), sum(1 for o in rated if o <= 2)
        tally = text_of(client.get(f"/organiser/fairs/{fair['id']}/tally"))
        shares = [percent(n / len(rated)) if rated else "—" for n in (good, bad)]
        assert (f"全场 {received} {resolved} {planned} {open_} {count['withdrawn']} {len(rated)} "
                f"{shares[0]} {shares[1]}") in tally, fair["name"]
        assert f"日期：{fair['date']} · 地点：{fair['venue']}" in tally
        if full and fair["tally_snapshot"]:
            assert f"统计时间：{local(fair['tally_snapshot']['taken_at'], zone)}" in tally
            assert "实时数据" not in tally
        if fair["status"] == "open":
            board = text_of(client.get(f"/organiser/fairs/{fair['id']}/dashboard"))
            assert f"受理 {received} 现场办结 {resolved} 拿出方案 {planned} 正在办理 {open_}" in board
            assert f"测评表 {len(rated)}/{resolved + planned}" in board


def check_exports(client, zone: ZoneInfo, full: bool) -> None:
    """Each fair's requests as the organiser exports them (CSV): every request's booth, joint booths,
    transfers, company, contact, need, amount, times, plan, close-out and slip."""
    booths, companies, slips = by_id("booth"), by_id("company"), {s["request_id"]: s for s in ROWS["satisfaction_slip"]}
    departments = by_id("department")
    for fair in ROWS["fair"]:
        answer = client.get(f"/organiser/fairs/{fair['id']}/requests.csv")
        assert answer.status_code == 200
        rows = list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
        expected = []
        for item in (r for r in ROWS["service_request"] if r["fair_id"] == fair["id"]):
            events = sorted((e for e in ROWS["request_event"] if e["request_id"] == item["id"]), key=lambda e: e["id"])
            outcomes = [e["created_at"] for e in events if e["kind"] in ("resolved", "planned")]
            slip = slips.get(item["id"], {})
            joint = [booths[j["booth_id"]] for j in ROWS["request_joint_booth"] if j["request_id"] == item["id"]]
            expected.append({
                "需求编号": item["ticket_no"], "牵头摊位号": booths[item["booth_id"]]["code"],
                "会商摊位": "、".join(f"{b['code']} {departments[b['department_id']]['name']}" for b in joint),
                "转办经过": "；".join(f"{booths[e['from_booth_id']]['code']}→{booths[e['to_booth_id']]['code']}"
                                  for e in events if e["kind"] == "transferred"),
                "企业名称": company_name(item, full), "统一社会信用代码": companies[item["company_id"]]["credit_code"],
                "联系人": item["contact_name"], "手机号码": item["contact_mobile"], "需求内容": item["need"],
                "项目名称": item["project_name"] or "", "金额（万元）": item["amount_wan"] or "",
                "提交时间": local(item["created_at"], zone),
                "办结/出方案时间": local(outcomes[-1], zone) if outcomes else "",
                "办理情况": item["resolution"] or "", "解决方案": item["plan_text"] or "",
                "完成时限": item["plan_due"] or "", "销号结果": item["closeout_result"] or "",
                "销号日期": item["closed_out_on"] or "",
                **{label: str(slip.get(name, "")) for name, label in SLIP_COLUMNS.items()},
                "企业确认办理结果": {True: "是", False: "否", None: ""}[slip.get("confirmed")],
                "企业意见": slip.get("comment") or ""})
        assert sorted(({k: row[k] for k in expected[0]} for row in rows), key=lambda r: r["需求编号"]) == sorted(
            expected, key=lambda r: r["需求编号"]), fair["name"]


#: the ledger items whose pages are read: every one with an extension or a verdict, one of each state
def chosen_items() -> list[dict]:
    items = [r for r in ROWS["service_request"] if r["status"] in LEDGER_STATES]
    marked = {e["request_id"] for e in ROWS["extension"]} | {v["request_id"] for v in ROWS["close_out_verdict"]}
    firsts = {r["status"]: r for r in reversed(items)}
    return [r for r in items if r["id"] in marked or r in firsts.values()]


def check_ledger_items(client, zone: ZoneInfo, full: bool) -> None:
    """A ledger item's page: its plan, who answers for it and by when, its extensions, result and
    the company's verdict, and the company with its contact."""
    verdicts = {v["request_id"]: v for v in ROWS["close_out_verdict"]}
    for item in chosen_items():
        response = client.get(f"/ledger/items/{item['id']}")
        page = text_of(response)
        assert f"{item['ticket_no']} · 需求台账" in page
        assert f"{company_name(item, full)} {by_id('company')[item['company_id']]['credit_code']}" in page
        assert f"联系人 {item['contact_name']} {item['contact_mobile']}" in page
        assert f"需求 {item['need']}" in page
        assert (f"方案 {item['plan_text']} 责任单位 {item['plan_unit']} 责任人 {item['plan_person']} "
                f"原定完成时限 {item['plan_due']} 当前完成时限 {item['current_due'] if full else item['plan_due']}"
                ) in page
        if full:
            extensions = extensions_of(item["id"])
            if extensions:
                assert f"延期{len(extensions)}次" in page
            for extension in extensions:
                assert f"{local(extension['at'], zone, '%Y-%m-%d')} 延至 {extension['new_due']}" in page
                assert extension["reason"] in page
            if item["status"] in ("done", "closed_out"):
                assert f"办理结果 {item['closeout_result']} 佐证材料 {item['closeout_evidence']}" in page
            if item["status"] == "closed_out":
                assert f"销号 {local(item['closed_out_at'], zone)}" in page
            if item["id"] in verdicts:
                verdict = verdicts[item["id"]]
                assert (f"{'企业确认已解决' if verdict['accepted'] else '企业提出异议'} · "
                        f"{RATINGS[verdict['rating']]} · {local(verdict['at'], zone)} {verdict['words'] or ''}") in page
        kinds = re.findall(r'<li class="event-(\w+)', response.get_data(as_text=True))
        assert Counter(kinds) == Counter(e["kind"] for e in ROWS["request_event"] if e["request_id"] == item["id"])


def check_tracking_pages(app, full: bool) -> None:
    """A company's tracking page, by its token alone (no account): a request a phone filed (its need
    on three lines), a ledger item with an extension, one of the company whose record an organiser
    renamed (it keeps the name it was filed with)."""
    client = app.test_client()
    renamed = next(c["id"] for c in ROWS["company"] if c["name_chosen_at"])
    extended = next(r for r in ROWS["service_request"] if extensions_of(r["id"]) and r["status"] == "planned")
    for item in (next(r for r in ROWS["service_request"] if r["device"]), extended,
                 next(r for r in ROWS["service_request"] if r["company_id"] == renamed)):
        page = text_of(client.get(f"/t/{item['token']}"))
        fair = by_id("fair")[item["fair_id"]]
        booth = by_id("booth")[item["booth_id"]]
        assert f"{item['ticket_no']} · 需求进展 {fair['name']}" in page
        assert f"企业 {company_name(item, full)} 摊位 {booth['code']} " in page
        for line in item["need"].split("\n"):
            assert line in page
        if item["plan_text"]:
            assert f"方案 {item['plan_text']} 责任单位 {item['plan_unit']} 责任人 {item['plan_person']}" in page
        if full:
            for extension in extensions_of(item["id"]):
                assert f"延至 {extension['new_due']}： {extension['reason']}" in page


def check_staff_and_department(app, full: bool) -> None:
    """A booth's tablet shows its waiting and in-progress requests; a department's ledger account its
    department's items, counted by state."""
    staff = next(u for u in ROWS["user"] if u["role"] == "staff" and any(
        r["booth_id"] == u["booth_id"] and r["status"] in OPEN_STATES for r in ROWS["service_request"]))
    client = login(app.test_client(), staff["username"])
    queue = text_of(client.get(f"/staff/booths/{staff['booth_id']}"))
    for item in ROWS["service_request"]:
        if item["booth_id"] == staff["booth_id"] and item["status"] in OPEN_STATES:
            assert item["ticket_no"] in queue and item["need"] in queue
    if not full:
        return
    account = next(u for u in ROWS["user"] if u["role"] == "department")
    booths = {b["id"] for b in ROWS["booth"] if b["department_id"] == account["department_id"]}
    items = [r for r in ROWS["service_request"] if r["booth_id"] in booths and r["status"] in LEDGER_STATES]
    count = Counter(r["status"] for r in items)
    ledger = text_of(login(app.test_client(), account["username"]).get("/ledger"))
    department = by_id("department")[account["department_id"]]["name"]
    assert f"需求台账 · {department}" in ledger
    assert (f"台账事项 {len(items)} 办理中 {count['planned']} 已办结待销号 {count['done']} "
            f"已销号 {count['closed_out']}") in ledger
    assert f"共 {count['planned'] + count['done']} 项" in ledger
    for item in items:
        if item["status"] != "closed_out":
            fair = by_id("fair")[item["fair_id"]]  # (the fair's day under the ticket: tickets repeat across fairs)
            assert f"{item['ticket_no']} {fair['date']} {fair['name']}" in ledger


def check_after_the_fair(app, client) -> None:
    """Reconciliation rounds (the closed one frozen), published rankings, the public disclosure,
    follow-up calls and the API tokens' page."""
    requests = by_id("service_request")
    for round_ in ROWS["reconciliation_round"]:
        page = text_of(client.get(f"/ledger/rounds/{round_['id']}"))
        assert f"{round_['year']}Q{round_['quarter']} 对账销号" in page
        if round_["frozen"]:
            figures = round_["frozen"]["figures"]
            assert (f"列入对账 {figures['listed']} 销号 {figures['closed_out']} 延期 {figures['extended']} "
                    f"仍在办理 {figures['open']}") in page
            for row in round_["frozen"]["rows"]:
                # the ticket with its fair (its day too, in a round frozen since it was kept)
                shown = [row["ticket"], row.get("fair_date"), row["fair"], row["department"], row["company"]]
                assert " ".join(part for part in shown if part) in page
        for entry in ROWS["round_item"]:
            if entry["round_id"] == round_["id"]:
                assert requests[entry["request_id"]]["ticket_no"] in page
                if entry["note"]:
                    assert entry["note"] in page
    for ranking in ROWS["published_ranking"]:
        page = text_of(client.get(f"/scoreboard/{ranking['id']}"))
        assert f"已发布（第{ranking['revision']}版）" in page
        assert (f"权重：比效果 {ranking['effect_weight']}，比服务 {ranking['service_weight']}，"
                f"比效率 {ranking['efficiency_weight']}") in page
        assert f"数据截至 {ranking['as_of']}" in page
        if ranking["note"]:
            assert f"更正原因：{ranking['note']}" in page
        for row in ranking["snapshot"]["rows"]:
            if row["total"] is not None:
                assert f"{row['name']} {row['total']}" in page
    public = app.test_client()
    for disclosure in ROWS["disclosure"]:
        page = text_of(public.get(f"/disclosure/{disclosure['period']}"))
        assert f"第{disclosure['revision']}版" in page
        for fair in disclosure["snapshot"]["fairs"]:
            assert f"{fair['name']} {fair['date']} {fair['received']}" in page
    flagged = [s for s in ROWS["satisfaction_slip"] if s["needs_followup"]]
    calls = Counter(call["slip_id"] for call in ROWS["follow_up_call"])
    followups = text_of(client.get("/followups"))
    for slip in flagged:
        item = requests[slip["request_id"]]
        state = "已关闭" if slip["followup_closed_at"] else "待回访"
        fair = by_id("fair")[item["fair_id"]]  # (with its fair: tickets repeat across fairs)
        assert f"{item['ticket_no']} {fair['date']} {fair['name']} {item['company_name']}" in followups
        assert f"{calls[slip['id']]} {state}" in followups
    tokens = text_of(client.get("/organiser/api-tokens"))
    for token in ROWS["api_token"]:
        assert (f"{token['name']} {'含个人信息' if token['scope'] == 'personal' else '公开数据'} "
                f"{token['prefix']}…") in tokens
    assert tokens.count("已吊销") == sum(1 for t in ROWS["api_token"] if t["revoked_at"])


def api_list(client, path: str, token: str = PERSONAL_TOKEN) -> tuple[int, list]:
    answer = client.get(f"/api/v1/{path}?page_size=200", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    page = answer.get_json()
    assert page["next"] is None  # the fixture is smaller than a page
    return page["count"], page["results"]


def check_api(app, zone: ZoneInfo, full: bool) -> None:
    """Every fair, request and ledger item, and every published ranking, as the API gives them to a
    token of the personal scope; the public scope without the personal fields; the revoked refused."""
    client = app.test_client()
    count, fairs = api_list(client, "fairs")
    assert count == len(ROWS["fair"])
    assert sorted((f["id"], f["name"], f["date"], f["venue"], f["status"]) for f in fairs) == [
        (f["id"], f["name"], f["date"], f["venue"], f["status"]) for f in ROWS["fair"]]
    booths, companies, departments = by_id("booth"), by_id("company"), by_id("department")
    assert sorted((f["id"], b["code"], b["name"], b["kind"], b["takes_requests"])
                  for f in fairs for part in f["zones"] for b in part["booths"]) == sorted(
        (b["fair_id"], b["code"], departments[b["department_id"]]["name"], departments[b["department_id"]]["kind"],
         not (full and b["hidden"])) for b in ROWS["booth"])
    count, results = api_list(client, "requests")
    assert count == len(ROWS["service_request"])
    assert [(r["service_request_id"], r["ticket_no"], r["detailed_status"], r["service_code"], r["booth_code"],
             r["company_name"], r["credit_code"], r["contact_name"], r["contact_mobile"], r["description"],
             r["project_name"], r["amount_wan"], r["resolution"], r["plan"], r["responsible_person"],
             r["closeout_result"], r["requested_datetime"]) for r in results] == [
        (str(r["id"]), r["ticket_no"], r["status"], r["category"], booths[r["booth_id"]]["code"],
         company_name(r, full), companies[r["company_id"]]["credit_code"], r["contact_name"], r["contact_mobile"],
         r["need"], r["project_name"], r["amount_wan"], r["resolution"], r["plan_text"], r["plan_person"],
         r["closeout_result"], api_time(r["created_at"], zone)) for r in ROWS["service_request"]]
    count, results = api_list(client, "ledger-items")
    items = [r for r in ROWS["service_request"] if r["status"] in LEDGER_STATES]
    assert count == len(items)
    assert [(r["service_request_id"], r["state"], r["original_due"], r["plan"]) for r in results] == [
        (str(r["id"]), r["status"], r["plan_due"], r["plan_text"]) for r in items]
    if full:
        assert [(r["current_due"], r["closeout_evidence"], r["done_datetime"], r["closed_out_datetime"],
                 [(e["new_due"], e["reason"], e["extended_datetime"]) for e in r["extensions"]]) for r in results] == [
            (r["current_due"], r["closeout_evidence"], api_time(r["done_at"], zone), api_time(r["closed_out_at"], zone),
             [(e["new_due"], e["reason"], api_time(e["at"], zone)) for e in extensions_of(r["id"])]) for r in items]
        count, rankings = api_list(client, "rankings")
        assert count == len(ROWS["published_ranking"])
        latest = Counter()
        for ranking in ROWS["published_ranking"]:
            latest[ranking["period"]] = max(latest[ranking["period"]], ranking["revision"])
        assert [(r["ranking_id"], r["period"], r["revision"], r["superseded"], r["correction_note"], r["as_of"],
                 r["weights"], [(row["name"], row["rank"], row["total"]) for row in r["rows"]]) for r in rankings] == [
            (r["id"], r["period"], r["revision"], r["revision"] < latest[r["period"]], r["note"], r["as_of"],
             {"effect": r["effect_weight"], "service": r["service_weight"], "efficiency": r["efficiency_weight"]},
             [(row["name"], row["rank"], row["total"]) for row in r["snapshot"]["rows"]])
            for r in ROWS["published_ranking"]]
    for fair in ROWS["fair"]:
        tally = client.get(f"/api/v1/fairs/{fair['id']}/tally", headers={"Authorization": f"Bearer {PERSONAL_TOKEN}"})
        received = sum(1 for r in ROWS["service_request"] if r["fair_id"] == fair["id"] and r["status"] != "withdrawn")
        assert sum(c["received"] for c in tally.get_json()["categories"]) == received
        assert tally.get_json()["frozen"] is bool(full and fair["tally_snapshot"])
    _, public = api_list(client, "requests", token=PUBLIC_TOKEN)
    assert len(public) == len(ROWS["service_request"]) and not any("company_name" in r for r in public)
    assert client.get("/api/v1/fairs", headers={"Authorization": f"Bearer {REVOKED_TOKEN}"}).status_code == 401


def check_reads(app, full: bool = True) -> None:
    """Everything above; with full=False only what a trip down to the first migration and back keeps
    (the note under DROPPED_BY)."""
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    organiser = login(app.test_client(), next(u["username"] for u in ROWS["user"] if u["role"] == "organiser"))
    check_fairs(organiser, zone, full)
    check_exports(organiser, zone, full)
    check_ledger_items(organiser, zone, full)
    check_tracking_pages(app, full)
    check_staff_and_department(app, full)
    if full:
        check_after_the_fair(app, organiser)
    check_api(app, zone, full)


# --- the tests -------------------------------------------------------------------------------------

def test_the_previous_release_upgrades_and_reads_as_it_did(upgraded):
    with upgraded.app_context():
        # Every row of every table is still there (a migration may mean to change values: the reads
        # below say whether they still read right).
        assert kept_rows_differ(values=False) == {}
        db.engine.dispose()
    check_reads(upgraded)


def test_one_step_down_and_back_keeps_every_row(upgraded):
    with upgraded.app_context():
        head, below = revisions_down()[:2]
        if head in REFUSES_DOWNGRADE:
            pytest.skip(f"{head} refuses to downgrade")
        kept = schema_parts() & fixture_parts()
        downgrade(revision=below)
        assert kept_rows_differ() == {}
        upgrade()
        assert kept <= schema_parts()
        assert kept_rows_differ() == {}
        db.engine.dispose()
    check_reads(upgraded)


def test_every_step_down_to_the_first_migration_and_back(upgraded):
    with upgraded.app_context():
        steps = revisions_down()
        gone = set()
        for revision, below in itertools.pairwise(steps):
            if revision in REFUSES_DOWNGRADE:
                break
            before = schema_parts()
            downgrade(revision=below)
            dropped = (before - schema_parts()) & fixture_parts()
            assert {p for p in dropped if "." not in p or p.split(".")[0] not in dropped} == DROPPED_BY.get(
                revision, set()), revision
            assert kept_rows_differ() == {}, revision
            gone |= dropped
        upgrade()
        assert {table: lost for table, lost in kept_rows_differ(values=False).items() if table not in gone} == {}
        # The API reads with a token; the tokens' table came back empty (0022): they are put back.
        with db.engine.begin() as connection:
            insert_rows(connection, stored_tables(), ["api_token"])
        db.engine.dispose()
    check_reads(upgraded, full=False)
