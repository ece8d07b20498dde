"""Database connection settings, and where transactions end.

Services only flush; a write is committed in one of two places:
- at the end of the web request (commit_at_request_end), when the view answered below 400: whatever
  the request changed stands or falls together;
- in a unit of work (unit_of_work, in_transaction) where the write must stand apart from the
  request's outcome (a sign-in attempt counted before a refusal), or outside a request (commands).
"""
import time
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InternalError, OperationalError

from kiosk.core.extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    # Without WAL and a busy timeout, concurrent writers on SQLite fail with "database is locked"
    # instead of waiting their turn; foreign keys are off in SQLite unless asked for.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def commit_at_request_end(response):
    """Commit what the request changed, if the view succeeded; a refusal or an error (a 4xx or 5xx
    answer, or an exception, after which Flask-SQLAlchemy's teardown rolls back) keeps nothing.

    A commit that fails keeps nothing either, and its answer is an error page in place of the
    view's: the session is rolled back here (so that the page can read who is signed in) and the
    error goes on to Flask, whose 500 handler (kiosk.core.errors) answers the 503 page when the
    database is the cause (away() below) and the 500 page otherwise. A lost connection is thrown
    away, not given back to the pool for the error page or the next request to find dead."""
    if not db.session.registry.has():  # never used (the queue poll reads through the driver)
        return response
    if response.status_code >= 400:
        _roll_back()
        return response
    try:
        db.session.commit()
    except Exception as error:
        if away(error):
            db.session().invalidate()
        else:
            _roll_back()
        raise
    return response


def away(error: BaseException | None) -> bool:
    """Whether an error is the database's doing, not the request's: unreachable, restarted, locked or
    full (OperationalError), a transaction it ended itself (InternalError: PostgreSQL's
    idle_in_transaction_session_timeout, at the next statement or at the commit), or any error on a
    connection found lost. Such an error gets the 503 page, whose advice, to try again shortly,
    holds; a constraint or a bug of ours does not."""
    if not isinstance(error, DBAPIError):
        return False
    return error.connection_invalidated or isinstance(error, (OperationalError, InternalError))


def _roll_back():
    """Roll the session back; on a connection that is gone, drop it (nothing is left to undo)."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session().invalidate()


@contextmanager
def savepoint():
    """A SAVEPOINT within the session's transaction, whose failure undoes only what it wrote (a
    number another writer took a moment ago, a key written meanwhile), on both databases.

    Python's sqlite3 opens no transaction before a SAVEPOINT (only before a write), so on SQLite a
    savepoint taken before the transaction's first write was the transaction itself, and its
    release committed everything written so far, whatever the request did next: the transaction
    is opened first there."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
    with db.session.begin_nested() as nested:
        yield nested


@contextmanager
def unit_of_work():
    """A block whose writes are committed together at its end, or not at all."""
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def in_transaction(work, attempts: int = 4):
    """Run work() and commit; on a lost race or a busy database, roll back and run it again.

    work must be safe to repeat: it looks up what an earlier attempt may already have saved
    (for example by the submission key), since a COMMIT that raised may still have landed.
    Never after a lost connection, though: whether what it sent landed is not known, and a phone
    that sends its form again finds a filing that did by its key.
    """
    for attempt in range(1, attempts + 1):
        try:
            result = work()
            db.session.commit()
            return result
        except (IntegrityError, OperationalError) as error:
            db.session.rollback()
            if attempt == attempts or error.connection_invalidated:
                raise
            time.sleep(0.05 * attempt)
        except Exception:
            # work() refused (a rule's exception) after writing: none of it stands, whatever the
            # request's answer (an htmx refusal answers 200, which the request's end would commit).
            db.session.rollback()
            raise
