"""Backups of the SQLite database: a consistent copy taken while the kiosk serves, and a restore.

SQLite's online backup API copies the database page by page as one snapshot, so a copy taken during
the fair's rush holds every request whole (with its trail) or not at all. PostgreSQL has pg_dump.
"""
import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

#: written in the instance folder by gunicorn (gunicorn.conf.py's when_ready, removed by on_exit):
#: the pid of the server while the kiosk serves
SERVING_FILE = "serving.pid"


class KioskServing(Exception):
    """The kiosk is serving from this database: a restore now would drop what it saves meanwhile
    (191 acknowledged submissions vanished in the review)."""

    def __init__(self, pid: int):
        super().__init__(pid)
        self.pid = pid


def serving_pid(instance_path: str | Path) -> int | None:
    """The pid of the server that serves the kiosk, if one is running; a file left by a server that
    died without cleaning up (its process is gone) counts for nothing."""
    try:
        pid = int((Path(instance_path) / SERVING_FILE).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid  # alive, under another user
    return pid


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


def restore_backup(database_uri: str, backup: Path, instance_path: str | Path | None = None,
                   force_offline: bool = False) -> None:
    """Replace the kiosk's database with the backup. Refused while the kiosk serves (requests saved
    while the restore runs, and since the backup, would be lost without a word): stop it first.
    force_offline is the operator's word that it is stopped although the serving file says otherwise."""
    if instance_path is not None and not force_offline and (pid := serving_pid(instance_path)) is not None:
        raise KioskServing(pid)
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
