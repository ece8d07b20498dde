"""The apps bench/burst_floor.py bursts against, each a step closer to a phone's real submission.

bare:   a Flask app of one POST route that reads the form and answers "ok"
floor:  a bare Flask app (none of the kiosk's hooks) whose one route files the form's request with
        plain SQL on the kiosk's database (DATABASE_URL), the least any app could do for it: the
        company found or made, the booth's next ticket number taken (and its queue moved), the
        request and its trail event written, one COMMIT; it answers a fixed page the size of the
        ticket's page, with the tracking link as the kiosk gives it (HX-Push-Url). It checks
        nothing the kiosk's rules check (the key, the booth, the fair, the phone's limit). DESIGN.md
        measures a phone's submission against it (bench/burst_ratio.py).
kiosk:  the kiosk, with that route added (every hook of the kiosk's runs: CSRF check, session,
        language, security headers, gzip, the commit at the request's end)
        and a route that files the form's request as a phone's submission does
        (kiosk.intake.service.submit_request) and answers a fixed page the size of the ticket's
        page: everything but the form's checks (WTForms), the CSRF token's, the phone's cookies
        and the ticket's page itself.
"""
import os
import re
import secrets
from datetime import UTC, datetime
from decimal import Decimal

from flask import Flask, request

bare = Flask(__name__)
#: about the ticket page's size (2,300 characters, half of them Chinese)
PAGE = "<!doctype html><title>ticket</title>" + "<p>需求编号 B07-001 已提交。</p>" * 90


@bare.post("/bench/hello")
def hello_bare():
    return "ok " + request.form.get("need", "")


floor = Flask(__name__)
_pool = []  # the engine, made in the server's process on its first request


def _connection():
    """A connection from a SQLAlchemy pool (its DB-API connection: no SQLAlchemy per statement), set
    up as the kiosk sets up its own."""
    if not _pool:
        import sqlalchemy as sa

        engine = sa.create_engine(os.environ["DATABASE_URL"].replace("postgres://", "postgresql+psycopg://", 1))
        if engine.dialect.name == "sqlite":
            @sa.event.listens_for(engine, "connect")
            def pragmas(dbapi_connection, _record):  # as kiosk.core.database's
                for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
                    dbapi_connection.execute(f"PRAGMA {pragma}")
        _pool.append(engine)
    connection = _pool[0].raw_connection()
    return connection, _pool[0].dialect.name == "sqlite"


_SQL = {  # written for psycopg; SQLite's driver takes :name for %(name)s
    "company": "SELECT id FROM company WHERE credit_code = %(credit_code)s",
    "make_company": "INSERT INTO company (credit_code, name, created_at) VALUES (%(credit_code)s, %(name)s, "
                    "%(now)s) ON CONFLICT (credit_code) DO NOTHING RETURNING id",
    "ticket": "UPDATE booth SET last_seq = last_seq + 1, queue_version = queue_version + 1 WHERE id = %(booth)s "
              "RETURNING last_seq, code, fair_id",
    "request": "INSERT INTO service_request (fair_id, booth_id, company_id, company_name, ticket_no, token, "
               "submission_key, channel, device, category, need, project_name, amount_wan, contact_name, "
               "contact_mobile, status, version, created_at, updated_at) VALUES (%(fair_id)s, %(booth)s, "
               "%(company_id)s, %(company_name)s, %(ticket_no)s, %(token)s, %(key)s, 'phone', %(device)s, "
               "%(category)s, %(need)s, %(project_name)s, %(amount_wan)s, %(contact_name)s, %(mobile)s, "
               "'waiting', 1, %(now)s, %(now)s) RETURNING id",
    "event": "INSERT INTO request_event (request_id, kind, to_status, to_booth_id, created_at) "
             "VALUES (%(request_id)s, 'submitted', 'waiting', %(booth)s, %(now)s)",
}
_SQLITE = {name: re.sub(r"%\((\w+)\)s", r":\1", sql) for name, sql in _SQL.items()}


@floor.post("/bench/floor")
def file_floor():
    form = request.form
    now = datetime.now(UTC).replace(tzinfo=None)
    values = {"credit_code": form["credit_code"], "name": form["company_name"], "now": now,
              "booth": int(form["booth"]), "company_name": form["company_name"],
              "token": secrets.token_urlsafe(18), "key": form["submission_key"],
              "device": form["submission_key"][:16], "category": form["category"], "need": form["need"],
              "project_name": form.get("project_name") or None,
              "amount_wan": str(Decimal(form["amount_wan"])) if form.get("amount_wan") else None,
              "contact_name": form["contact_name"], "mobile": form["mobile"]}
    connection, sqlite = _connection()
    sql = _SQLITE if sqlite else _SQL
    try:
        cursor = connection.cursor()

        def one(name):
            cursor.execute(sql[name], values)
            return cursor.fetchone()

        company = one("company") or one("make_company") or one("company")
        values["company_id"] = company[0]
        sequence, code, values["fair_id"] = one("ticket")
        values["ticket_no"] = f"{code}-{sequence:03d}"
        values["request_id"] = one("request")[0]
        cursor.execute(sql["event"], values)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()  # back to the pool
    return PAGE, 200, {"HX-Push-Url": f"/t/{values['token']}"}


@floor.get("/healthz")
def floor_health():
    return "ok"


def _kiosk():
    from kiosk import create_app
    from kiosk.core.extensions import csrf
    from kiosk.intake.service import Intake, submit_request
    from kiosk.service_requests.models import Category

    kiosk = create_app()
    page = PAGE

    @kiosk.post("/bench/hello")
    @csrf.exempt
    def hello():
        return "ok " + request.form.get("need", "")

    @kiosk.post("/bench/file/<int:fair_id>")
    @csrf.exempt
    def file(fair_id: int):
        form = request.form
        intake = Intake(booth_id=int(form["booth"]), company_name=form["company_name"],
                        credit_code=form["credit_code"], contact_name=form["contact_name"], mobile=form["mobile"],
                        category=Category(form["category"]), need=form["need"],
                        amount_wan=Decimal(form["amount_wan"]) if form.get("amount_wan") else None,
                        submission_key=form["submission_key"], device=form["submission_key"][:16])
        filed = submit_request(intake, fair_id=fair_id)
        return page, 200, {"HX-Push-Url": f"/t/{filed.token}"}

    return kiosk


kiosk = _kiosk()
