"""Backups of the kiosk's database: a consistent copy taken while the kiosk serves, a restore while it
is stopped, and how many copies to keep.

SQLite's online backup API copies the database page by page as one snapshot, so a copy taken during
the fair's rush holds every request whole (with its trail) or not at all. PostgreSQL's pg_dump takes
its snapshot in one transaction, with the same guarantee; pg_restore puts it back.
"""
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

#: written in the instance folder by gunicorn (kiosk/gunicorn_conf.py's when_ready, removed by
#: on_exit): the pid of the server while the kiosk serves
SERVING_FILE = "serving.pid"
#: what `backup create` names its copies, so that `--keep` removes only copies it made
BACKUP_NAME = re.compile(r"kiosk-\d{8}-\d{6}\.(db|dump)")


class KioskServing(Exception):
    """The kiosk is serving from this database: a restore now would drop what it saves meanwhile
    (191 acknowledged submissions vanished in the review)."""

    def __init__(self, pid: int):
        super().__init__(pid)
        self.pid = pid


class BackupFailed(Exception):
    """The database's own tool refused or is missing; the message says which and why."""


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


def default_name(database_uri: str, now: datetime) -> str:
    extension = "db" if _is_sqlite(database_uri) else "dump"
    return f"kiosk-{now:%Y%m%d-%H%M%S}.{extension}"


def create_backup(database_uri: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not _is_sqlite(database_uri):
        _postgres("pg_dump", database_uri, "--format=custom", "--no-owner", f"--file={target}")
        return target
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
    if not _is_sqlite(database_uri):
        # One transaction: a dump that does not restore whole leaves the database as it was.
        _postgres("pg_restore", database_uri, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  str(backup))
        return
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(sqlite_path(database_uri))
    try:
        _check(source, backup)
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def keep_newest(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` of the copies `backup create` named in the folder (their
    names sort by time); other files stay. Returns what was removed."""
    copies = sorted(path for path in folder.iterdir() if BACKUP_NAME.fullmatch(path.name))
    removed = copies[:-keep] if keep > 0 else copies
    for path in removed:
        path.unlink()
    return removed


def sqlite_path(database_uri: str) -> Path:
    return Path(make_url(database_uri).database)


def _is_sqlite(database_uri: str) -> bool:
    url = make_url(database_uri)
    if url.get_backend_name() == "postgresql":
        return False
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupFailed("backups are made of SQLite files and PostgreSQL databases, "
                           f"not of {url.get_backend_name()}")
    return True


def _postgres(tool: str, database_uri: str, *args: str) -> None:
    """Run pg_dump or pg_restore on the kiosk's database. The password goes in the environment, not
    on the command line, where every user of the machine could read it."""
    if shutil.which(tool) is None:
        raise BackupFailed(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    url = make_url(database_uri)
    environ = {**os.environ, "PGPASSWORD": url.password or ""}
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run([tool, f"--dbname={libpq}", *args], env=environ, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupFailed(f"{tool}: {done.stderr.strip()}")


def _check(connection, path):
    result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupFailed(f"{path} is damaged: {result}")
