"""Makes rows.json, the database of the previous release that tests/test_upgrade.py upgrades.

The previous release is 0.1.0; its schema is migration REVISION (0024). The fixture was made once,
on 2026-12-07, with

    .venv/bin/python -m tests.upgrade_fixture.make

and is kept as made: run this again only to make the fixture of a later release (with REVISION its
head, and only while the models are that revision's schema, which the script checks), never to
"refresh" this one, or the test would stop testing what an install of 0.1.0 holds.

How: a new SQLite database is upgraded to REVISION and filled the way an install fills it, by the
app's own code:
- the demo (kiosk.demo): today's fair, open, with requests in every state, and last month's,
  closed, with its plans on the ledger in every state, slips, efficiency points and that month's
  ranking published;
- the same demo history once more, made as if it were the 20th of the current half's first month,
  so that there is a fair in the previous half year and the previous quarter (June, when made in
  December): what a reconciliation round and a half-yearly disclosure need;
- what the demo leaves empty, so that every table has rows: score weights set between the two
  histories (the later ranking is published with them); the later fair reopened and closed again
  (its trail and frozen tally); follow-up calls on the bad ratings, one closed; a reconciliation
  round for the quarter after the June fair, every item marked and closed (frozen), and the next
  quarter's open with some marks; the previous half year's disclosure published; three API tokens
  (personal, public and revoked, with the secrets below, kept as their SHA-256 as
  kiosk.api.tokens keeps them); sign-in attempts; lookups by ticket number that found nothing;
  one company's record renamed by an organiser while its requests keep the name they were filed
  with; one booth hidden from the form; one paper slip with its printed number; a correction of the
  June ranking (its second revision, with its reason); one request filed as a phone files it (its
  submission key, device and project name; a need with line breaks, quotes and an ampersand); the
  address the open fair's posters print.
Every account's password is tests.factories.PASSWORD (a cheap hash: the test signs in). The people
and companies are the demo's fake ones. The script fails if any table is left empty.

rows.json holds, for each table in dependency order (parents first), its columns and its rows in
primary key order, one row a line: dates and times in ISO 8601 (times in UTC; those of
timezone-aware columns end in +00:00), decimals as strings, JSON columns as JSON. Nothing in it is
SQLite's: the test loads it into either database at REVISION.
"""
import json
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from kiosk import create_app
from kiosk.api.models import ApiScope, ApiToken
from kiosk.api.tokens import digest
from kiosk.auth.models import LoginAttempt, Role, User
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.core.timeutil import fair_today, utcnow
from kiosk.demo import build_demo_fair, build_demo_history
from kiosk.fairs.models import Booth
from kiosk.figures.periods import Period
from kiosk.intake.models import LookupMiss
from kiosk.intake.service import Intake, submit_request
from kiosk.ledger import rounds
from kiosk.ledger.models import Mark
from kiosk.organiser.fair_lifecycle import close_fair, reopen_fair
from kiosk.scoreboard.service import enter_points, publish_disclosure, publish_ranking, set_weights
from kiosk.service_requests.models import Category, ServiceRequest
from kiosk.slips.models import SatisfactionSlip, SlipChannel
from kiosk.slips.service import record_call
from tests.factories import PASSWORD_HASH

#: the previous release's head migration: the fixture's schema
REVISION = "0024"
HERE = Path(__file__).parent
#: the API tokens' secrets (test data: they open nothing but a database loaded from this fixture)
PERSONAL_TOKEN = "kapi_Pers-upgrade-fixture-token-personal-scope-01"
PUBLIC_TOKEN = "kapi_Publ-upgrade-fixture-token-public-scope-0002"
REVOKED_TOKEN = "kapi_Revk-upgrade-fixture-token-revoked-00000003"


def fill() -> None:
    """Fill the app's database (at REVISION, empty) as the module's docstring says; commits."""
    today = fair_today()
    half = Period.of("half", today)
    june = (half.start - timedelta(days=1)).replace(day=15)  # the previous half's last month
    as_if = half.start + timedelta(days=19)
    assert as_if < today, "make the fixture after the 20th of a half year's first month"

    fair = build_demo_fair(password="upgrade-fixture")
    organiser = db.session.scalar(sa.select(User).filter_by(role=Role.organiser))
    with mock.patch("kiosk.demo.fair_today", return_value=as_if):
        earlier = build_demo_history(fair)
    assert earlier.date == june
    set_weights(40, 40, 20, organiser)
    later = build_demo_history(fair)

    reopen_fair(later, organiser, "补录三份纸质满意度测评表")
    paper = db.session.scalars(sa.select(SatisfactionSlip).join(ServiceRequest)
                               .where(ServiceRequest.fair_id == later.id).order_by(SatisfactionSlip.id)).first()
    paper.channel, paper.paper_number, paper.entered_by = SlipChannel.paper, "TA-2026-0117", organiser
    close_fair(later, organiser)

    flagged = db.session.scalars(sa.select(SatisfactionSlip).filter_by(needs_followup=True)
                                 .order_by(SatisfactionSlip.id)).all()
    for n, slip in enumerate(flagged[:2]):
        record_call(slip, organiser, called_at=datetime.combine(today - timedelta(days=n + 1), time(2, 30)),
                    spoke_with="王经理",
                    said="企业反映排队时间较长，已向摊位转达。" if n == 0 else "企业表示方案可以接受。",
                    fixed="下一期增设取号屏" if n == 0 else None, close=n == 0)

    first = Period.of("quarter", june).following
    closed = rounds.open_round(first.year, first.number, organiser)
    for n, entry in enumerate(sorted(closed.items, key=lambda e: e.request_id)):
        item = entry.request
        if item.status.is_done or item.status.is_closed_out:
            rounds.mark(closed, closed.version, [item.id], Mark.closed_out, "已核验办结材料", organiser, today=today)
        elif n % 2:
            rounds.mark(closed, closed.version, [item.id], Mark.extended, "待上级批复，延期办理", organiser,
                        today=today, new_due=today + timedelta(days=30 + n))
        else:
            rounds.mark(closed, closed.version, [item.id], Mark.open, "继续跟进", organiser, today=today)
    rounds.close_round(closed, closed.version, organiser, today=today)
    second = first.following
    if second.start <= today:
        ongoing = rounds.open_round(second.year, second.number, organiser)
        entry = min((e for e in ongoing.items if not e.request.status.is_closed_out), key=lambda e: e.request_id)
        rounds.mark(ongoing, ongoing.version, [entry.request_id], Mark.open, "下季度再议", organiser, today=today)
    publish_disclosure(Period.of("half", june), organiser, today=today)
    enter_points(fair.booths[0].department, june, Decimal("88.50"), "补录：6月参加专题会商两次", organiser)
    publish_ranking(Period.of("month", june), organiser, today=today, reason="补录自然资源和规划局6月效率分")

    booth = next(b for b in fair.booths if b.code == "B07")
    company = db.session.scalars(sa.select(Company).order_by(Company.id)).all()[2]
    submit_request(Intake(booth_id=booth.id, company_name=company.name, credit_code=company.credit_code,
                          contact_name="刘主任", mobile="13905381234", category=Category.land,
                          need="新上项目用地需求：\n1. 约30亩，需\u201c标准地\u201d出让；\n2. 希望与A&B园区对接。",
                          project_name="年产5万吨高性能复合材料项目", submission_key="fixture-form-1",
                          device="f" * 32), fair_id=fair.id)
    fair.public_base_url = "https://dj.example.cn"

    now = utcnow()
    for secret, name, scope in ((PERSONAL_TOKEN, "市大数据局数据共享平台", ApiScope.personal),
                                (PUBLIC_TOKEN, "市统计局", ApiScope.public),
                                (REVOKED_TOKEN, "旧数据开放门户", ApiScope.public)):
        db.session.add(ApiToken(name=name, scope=scope, token_hash=digest(secret), prefix=secret[:9],
                                created_by=organiser, created_at=now - timedelta(days=20)))
    db.session.flush()
    tokens = db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)).all()
    tokens[0].last_used_at = now - timedelta(days=1)
    tokens[2].revoked_at, tokens[2].revoked_by = now - timedelta(days=3), organiser

    db.session.add_all([
        LoginAttempt(username="admin", at=now - timedelta(days=2), succeeded=True, device="d" * 32),
        LoginAttempt(username="b03", at=now - timedelta(days=2, minutes=5), succeeded=False, device="e" * 32),
        LoginAttempt(username="b03", at=now - timedelta(days=2, minutes=4), succeeded=True, device="e" * 32),
        LoginAttempt(username="nobody", at=now - timedelta(days=1), succeeded=False, device=None),
    ])
    db.session.add_all([LookupMiss(fair_id=fair.id, ticket_no="B07-099", at=now - timedelta(hours=3)),
                        LookupMiss(fair_id=fair.id, ticket_no="F02-031", at=now - timedelta(hours=2))])

    renamed = db.session.scalar(sa.select(Company).order_by(Company.id))
    renamed.name, renamed.name_chosen_at = "泰安新材料科技股份有限公司", now - timedelta(days=5)
    hidden = db.session.scalar(sa.select(Booth).where(Booth.fair_id == fair.id, Booth.code == "F10"))
    hidden.hidden = True
    for user in db.session.scalars(sa.select(User)):
        user.password_hash = PASSWORD_HASH
    db.session.commit()


def encode(value, column: sa.Column):
    if isinstance(value, datetime):
        if getattr(column.type, "timezone", False):
            value = (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def dump() -> dict:
    """Every table's rows as stored, parents first (the models' order; they are REVISION's schema, and
    say which times are timezone-aware)."""
    stored = sa.MetaData()
    stored.reflect(db.engine)
    tables = []
    with db.engine.connect() as connection:
        for model in db.metadata.sorted_tables:
            table = stored.tables[model.name]
            columns = [c.name for c in model.columns]
            rows = connection.execute(sa.select(*(table.c[c] for c in columns))
                                      .order_by(*(table.c[c.name] for c in model.primary_key.columns))).all()
            tables.append({"table": model.name, "columns": columns,
                           "rows": [[encode(v, model.c[c]) for v, c in zip(row, columns, strict=True)]
                                    for row in rows]})
    return {"revision": REVISION, "made_on": fair_today().isoformat(), "tables": tables}


def write(fixture: dict, path: Path) -> None:
    """One row a line: small diffs, readable."""
    def line(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    parts = [f'{{"revision":{line(fixture["revision"])},"made_on":{line(fixture["made_on"])},"tables":[']
    for n, table in enumerate(fixture["tables"]):
        rows = ",\n".join(line(row) for row in table["rows"])
        parts.append(f'{{"table":{line(table["table"])},"columns":{line(table["columns"])},"rows":[\n{rows}\n]}}'
                     + ("," if n < len(fixture["tables"]) - 1 else ""))
    parts.append("]}\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/fixture.db", "SECRET_KEY": "fixture"})
        with app.app_context():
            upgrade(revision=REVISION)
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"render_as_batch": True})
                assert context.get_current_revision() == REVISION
                assert compare_metadata(context, db.metadata) == [], "the models are not REVISION's schema"
            fill()
            empty = [t for t in sa.inspect(db.engine).get_table_names()
                     if db.session.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() == 0]
            assert not empty, f"tables left empty: {empty}"
            fixture = dump()
            db.engine.dispose()
    write(fixture, HERE / "rows.json")
    size = (HERE / "rows.json").stat().st_size
    print(f"rows.json: {size // 1024} KiB, " + ", ".join(f"{t['table']} {len(t['rows'])}" for t in fixture["tables"]))


if __name__ == "__main__":
    main()
