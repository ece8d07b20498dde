"""Reads run on the database driver (kiosk.core.driver), on SQLite and on PostgreSQL alike."""
from datetime import datetime

import pytest
import sqlalchemy as sa

from kiosk.core.driver import DriverStatement, as_datetime, driver_reads
from kiosk.core.extensions import db
from kiosk.service_requests.models import ServiceRequest, Status
from tests.factories import booth, request_in


def test_a_statement_gives_what_sqlalchemy_gives_with_enums_and_constants_bound(fair):
    request_in(fair, Status.in_progress, "B07")
    request_in(fair)
    request_in(fair, at="B01")
    statement = (sa.select(ServiceRequest.ticket_no, ServiceRequest.status, ServiceRequest.created_at)
                 .where(ServiceRequest.booth_id == sa.bindparam("booth_id"),
                        ServiceRequest.status != Status.withdrawn, ServiceRequest.id > 0)
                 .order_by(ServiceRequest.id))
    with driver_reads() as read:
        rows = read.all(DriverStatement(statement), booth_id=booth(fair, "B07").id)
    expected = db.session.execute(statement, {"booth_id": booth(fair, "B07").id}).all()
    assert [(ticket, Status(status), as_datetime(created)) for ticket, status, created in rows] == [
        tuple(row) for row in expected]
    assert [row[0] for row in rows] == ["B07-001", "B07-002"]


def test_one_and_scalar_give_none_when_nothing_matches(fair):
    statement = DriverStatement(sa.select(ServiceRequest.id).where(ServiceRequest.id == sa.bindparam("id")))
    with driver_reads() as read:
        assert read.one(statement, id=123456) is None and read.scalar(statement, id=123456) is None


def test_a_list_of_values_is_refused_with_the_reason(fair):
    statement = DriverStatement(sa.select(ServiceRequest.id).where(ServiceRequest.status.in_([Status.waiting])))
    with driver_reads() as read, pytest.raises(ValueError, match="IN"):
        read.all(statement)


def test_datetimes_read_the_same_from_either_driver():
    moment = datetime(2026, 11, 24, 9, 30, 15, 250000)
    assert as_datetime("2026-11-24 09:30:15.250000") == moment == as_datetime(moment)


def test_a_datetime_is_bound_as_the_database_stores_it(fair):
    """SQLite keeps datetimes as text: a boundary compared with = or <= must be written the same way."""
    item = request_in(fair)
    item.created_at = datetime(2026, 11, 24, 9, 0, 0)  # on the second: the case drivers write shorter
    db.session.commit()
    statement = DriverStatement(sa.select(ServiceRequest.ticket_no)
                                .where(ServiceRequest.created_at == sa.bindparam("at", type_=sa.DateTime)))
    with driver_reads() as read:
        assert read.scalar(statement, at=datetime(2026, 11, 24, 9, 0, 0)) == "B07-001"


def test_a_connection_lost_since_its_last_use_is_replaced_and_the_read_done(fair):
    """After a database restart, pooled connections are dead; the poll must not fail for it."""
    statement = DriverStatement(sa.select(sa.func.count()).select_from(ServiceRequest))
    request_in(fair)
    with driver_reads() as read:
        read._connection.dbapi_connection.close()  # what a restart does, behind the pool's back
        assert read.scalar(statement) == 1


def test_the_fenced_reads_give_named_rows_with_the_values_the_orm_gives(fair, organiser):
    """poll_reads and auth.reads convert what each driver gives (strings for enums, 0/1 and strings on SQLite)
    into what the rest of the kiosk expects, on either database."""
    from kiosk import poll_reads
    from kiosk.auth import reads
    from kiosk.auth.models import Role, User

    taken = request_in(fair, Status.in_progress, joined=["B01"])
    waiting = request_in(fair, need="用" * 80)
    with poll_reads.reading() as read:
        rows = poll_reads.queue_rows(read, booth(fair, "B07").id)
        joined_rows = poll_reads.queue_rows(read, booth(fair, "B01").id)
        staff = reads.account(read, db.session.scalar(sa.select(User.id).filter_by(username="b07")))
        boss = reads.account(read, organiser.id)
    assert [row.ticket_no for row in rows] == [waiting.ticket_no, taken.ticket_no]  # waiting first
    first = rows[0]
    assert (first.id, first.status, first.category, first.created_at, first.lead_booth_id) == (
        waiting.id, Status.waiting, waiting.category, waiting.created_at, booth(fair, "B07").id)
    assert first.need == "用" * (poll_reads.NEED_PREVIEW + 1) and first.company == waiting.company.name
    assert [row.id for row in joined_rows] == [taken.id] and joined_rows[0].lead_booth_id == booth(fair, "B07").id
    assert (staff.role, staff.active, staff.booth_id) == (Role.staff, True, booth(fair, "B07").id)
    assert boss.role is Role.organiser and boss.booth_id is None


def test_the_reads_run_outside_a_transaction_and_the_connection_goes_back_as_it_came(fair):
    """On PostgreSQL a transaction would cost a BEGIN before the reads and a ROLLBACK after them,
    two round trips; the pool's next user (a session that writes) must find it transactional again.
    (SQLite's driver begins no transaction for reads.)"""
    statement = DriverStatement(sa.select(sa.func.count()).select_from(ServiceRequest))
    request_in(fair)
    with driver_reads() as read:
        assert read.scalar(statement) == 1
        raw = read._connection.dbapi_connection
        if db.engine.dialect.name == "postgresql":
            import psycopg
            assert raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        else:
            assert not raw.in_transaction
    if db.engine.dialect.name == "postgresql":
        assert raw.autocommit is False
