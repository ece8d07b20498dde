"""Reads that go straight to the database driver, for the request made most often: the booth
tablet's poll, every few seconds from every tablet all day.

Around a small query SQLAlchemy's execution (parameters, result processing, the ORM session)
costs two to three times the query itself. A DriverStatement is still written with SQLAlchemy, so
it speaks every database the kiosk runs on; it is compiled once per database and then run on the
driver's own cursor. What comes back is what the driver gives: enums as their stored strings, and
datetimes as strings on SQLite (as_datetime reads both).
"""
from contextlib import contextmanager
from datetime import datetime

from kiosk.extensions import db


class DriverStatement:
    """A Core SELECT, compiled once per database, with its parameters passed by name."""

    def __init__(self, statement):
        self.statement = statement
        self._compiled = {}  # dialect name -> (sql, constant parameters, parameter order, processors)

    def prepare(self, dialect, values: dict) -> tuple[str, tuple | dict]:
        """The SQL and the parameters in the form this database's driver takes them."""
        sql, constants, order, processors = self._compiled.get(dialect.name) or self._compile(dialect)
        params = {**constants, **{name: processors[name](value) if name in processors else value
                                  for name, value in values.items()}}
        return sql, params if order is None else tuple(params[name] for name in order)

    def _compile(self, dialect):
        compiled = self.statement.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string:
            # An IN list is expanded at each execution, which only SQLAlchemy's execution does.
            raise ValueError("a DriverStatement cannot hold an IN (...) list of values: spell it out")
        # By the names the parameters take in the SQL (anonymous ones are numbered there).
        names = {bind: compiled.bind_names[bind] for bind in compiled.binds.values()}
        processors = {names[bind]: process for bind in names
                      if (process := bind.type.bind_processor(dialect)) is not None}
        # The statement's own values (an enum compared with, a constant) are made ready once.
        given = {names[bind] for bind in names if bind.required}
        constants = {name: processors[name](value) if name in processors else value
                     for name, value in compiled.construct_params({name: None for name in given}).items()
                     if name not in given}
        entry = self._compiled[dialect.name] = (
            compiled.string, constants, compiled.positiontup if compiled.positional else None, processors)
        return entry


class Reads:
    """One pooled connection's cursor, for a few DriverStatements in a row."""

    def __init__(self, cursor, dialect):
        self._cursor, self._dialect = cursor, dialect

    def all(self, statement: DriverStatement, **values) -> list[tuple]:
        self._cursor.execute(*statement.prepare(self._dialect, values))
        return self._cursor.fetchall()

    def one(self, statement: DriverStatement, **values) -> tuple | None:
        self._cursor.execute(*statement.prepare(self._dialect, values))
        return self._cursor.fetchone()

    def scalar(self, statement: DriverStatement, **values):
        row = self.one(statement, **values)
        return None if row is None else row[0]


@contextmanager
def driver_reads():
    """A cursor on a connection from the app's pool, given back (and rolled back) at the end."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            yield Reads(cursor, db.engine.dialect)
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool


def as_datetime(value) -> datetime:
    """A datetime column as a driver gives it: PostgreSQL's driver parses it, SQLite's does not."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value
