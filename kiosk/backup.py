"""Backups of the SQLite database: a consistent copy taken while the kiosk serves, and a restore.

SQLite's online backup API copies the database page by page as one snapshot, so a copy taken during
the fair's rush holds every request whole (with its trail) or not at all. PostgreSQL has pg_dump.
"""
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class NotSQLite(Exception):
    """The kiosk runs on another database: use that database's own tools."""


def sqlite_path(database_uri: str) -> Path:
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise NotSQLite(database_uri)
    return Path(url.database)


def create_backup(database_uri: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{sqlite_path(database_uri)}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
        _check(copy, target)
    finally:
        copy.close()
        source.close()
    return target


def restore_backup(database_uri: str, backup: Path) -> None:
    """Replace the kiosk's database with the backup. Stop the kiosk first: requests saved while the
    restore runs would be lost."""
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(sqlite_path(database_uri))
    try:
        _check(source, backup)
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _check(connection, path):
    result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise ValueError(f"{path} is damaged: {result}")
