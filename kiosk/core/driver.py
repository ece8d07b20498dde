"""Statements that go straight to the database driver, for the reads made most often: the booth
tablet's poll, every few seconds from every tablet all day, and the signed-in account, which every
signed-in page reads (kiosk.poll_reads).

Around a small query SQLAlchemy's execution (parameters, result processing, the ORM session)
costs two to three times the query itself. A DriverStatement is still written with SQLAlchemy, so
it speaks every database the kiosk runs on; it is compiled once per database driver and then run
on the driver's own cursor. What comes back is what the driver gives: enums as their stored
strings; on SQLite booleans as 0/1 and datetimes as strings (as_datetime reads both kinds); on
PostgreSQL averages as Decimal.
"""
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from enum import EnumMeta
from typing import NamedTuple

from kiosk.core.extensions import db


class DriverStatement:
    """A Core statement, compiled once per database, with its parameters passed by name."""

    def __init__(self, statement):
        self.statement = statement
        self._compiled = {}  # (database, driver, paramstyle) -> (sql, constants, parameter order, processors)

    def prepare(self, dialect, values: dict) -> tuple[str, tuple | dict]:
        """The SQL and the parameters in the form this database's driver takes them."""
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        sql, constants, order, processors = self._compiled.get(key) or self._compile(dialect, key)
        params = {**constants, **{name: processors[name](value) if name in processors else value
                                  for name, value in values.items()}}
        return sql, params if order is None else tuple(params[name] for name in order)

    def _compile(self, dialect, key):
        compiled = self.statement.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string:
            # An IN list is expanded at each execution, which only SQLAlchemy's execution does.
            raise ValueError("a DriverStatement cannot hold an IN (...) list of values: spell it out")
        # By the names the parameters take in the SQL (anonymous ones are numbered there).
        names = {bind: compiled.bind_names[bind] for bind in compiled.binds.values()}
        # The database's own version of each type: SQLite's DateTime, say, writes the microseconds
        # the way stored values have them, where the generic type leaves it to the driver.
        processors = {names[bind]: process for bind in names
                      if (process := dialect.type_descriptor(bind.type).bind_processor(dialect)) is not None}
        # The statement's own values (an enum compared with, a constant) are made ready once.
        given = {names[bind] for bind in names if bind.required}
        constants = {name: processors[name](value) if name in processors else value
                     for name, value in compiled.construct_params(dict.fromkeys(given)).items()
                     if name not in given}
        entry = self._compiled[key] = (
            compiled.string, constants, compiled.positiontup if compiled.positional else None, processors)
        return entry


class Reads:
    """One pooled connection's cursor, for a few DriverStatements in a row."""

    def __init__(self, dialect):
        self._dialect = dialect
        self._connect()

    def all(self, statement: DriverStatement, **values) -> list[tuple]:
        self._execute(statement, values)
        return self._cursor.fetchall()

    def one(self, statement: DriverStatement, **values) -> tuple | None:
        self._execute(statement, values)
        return self._cursor.fetchone()

    def scalar(self, statement: DriverStatement, **values):
        row = self.one(statement, **values)
        return None if row is None else row[0]

    def _connect(self):
        self._connection = db.engine.raw_connection()
        if self._dialect.name == "postgresql":
            # Outside a transaction: these are reads of one statement each, and in a transaction
            # psycopg sends a BEGIN before the first and the pool a ROLLBACK at the end, two round
            # trips more than the reads. (SQLite's driver begins none for reads.)
            self._connection.dbapi_connection.autocommit = True
        self._cursor = self._connection.cursor()

    def _execute(self, statement: DriverStatement, values: dict) -> None:
        sql, params = statement.prepare(self._dialect, values)
        try:
            self._cursor.execute(sql, params)
        except self._dialect.loaded_dbapi.Error as error:
            if not self._dialect.is_disconnect(error, self._connection.dbapi_connection, self._cursor):
                raise
            # The database restarted since this pooled connection was last used (SQLAlchemy's own
            # execution recovers the same way): drop it and read again on a new one. Only reads
            # go through here, so reading twice is harmless.
            self._connection.invalidate(error)
            self._cursor = None  # went with its connection
            self._connect()
            self._cursor.execute(sql, params)

    def close(self) -> None:
        try:
            if self._cursor is not None:
                self._cursor.close()
            if self._dialect.name == "postgresql":
                self._transactional_again()
        finally:
            self._connection.close()  # back to the pool

    def _transactional_again(self) -> None:
        """As the pool's other users expect it: a transaction begins at the first statement."""
        try:
            self._connection.dbapi_connection.autocommit = False
        except self._dialect.loaded_dbapi.Error as error:  # it died meanwhile: the pool drops it
            self._connection.invalidate(error)


@contextmanager
def driver_reads():
    """A cursor on a connection from the app's pool (on PostgreSQL outside a transaction), given
    back at the end."""
    reads = Reads(db.engine.dialect)
    try:
        yield reads
    finally:
        reads.close()


def as_datetime(value) -> datetime:
    """A datetime column as a driver gives it: PostgreSQL's driver parses it, SQLite's does not."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def shape(row_class, **conversions: Callable) -> Callable[[tuple], NamedTuple]:
    """Rows of row_class from a driver's tuples, each named column converted as given (an enum by
    its stored value)."""
    at = [(row_class._fields.index(name), by_value(convert) if isinstance(convert, EnumMeta) else convert)
          for name, convert in conversions.items()]

    def make(raw: tuple):
        values = list(raw)
        for index, convert in at:
            if values[index] is not None:
                values[index] = convert(values[index])
        return _new_tuple(row_class, values)  # (as row_class._make does, without its Python call)
    return make


_new_tuple = tuple.__new__


def by_value(enum_class: EnumMeta) -> Callable:
    """An enum's member from its stored value, by a plain lookup (calling the class costs more)."""
    return {member.value: member for member in enum_class}.__getitem__
