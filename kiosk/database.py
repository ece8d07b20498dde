"""Database connection settings and the one retry loop for write transactions."""
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from kiosk.extensions import db


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


def in_transaction(work, attempts: int = 4):
    """Run work() and commit; on a lost race or a busy database, roll back and run it again.

    work must be safe to repeat: it looks up what an earlier attempt may already have saved
    (for example by the submission key), since a COMMIT that raised may still have landed.
    """
    for attempt in range(1, attempts + 1):
        try:
            result = work()
            db.session.commit()
            return result
        except (IntegrityError, OperationalError):
            db.session.rollback()
            if attempt == attempts:
                raise
            time.sleep(0.05 * attempt)
