"""flask commands: `flask users create-organiser NAME` makes the first organiser of a new install
(the password from standard input), `flask users unlock NAME` lifts a sign-in lock; `flask demo load`
fills an empty database with a demo fair; `flask backup create` / `flask backup restore` copy the
SQLite database."""
import os
from datetime import datetime
from pathlib import Path

import click
from flask import current_app


def register(app):
    @app.cli.group()
    def users():
        """Accounts, from the machine's own shell: the first organiser, and a lock lifted."""

    @users.command("create-organiser")
    @click.argument("name")
    @click.option("--display-name", help="shown on the trail (default: the name)")
    def create_organiser(name, display_name):
        """Add an organiser; the password is read from standard input (one line), never from the
        command line, where other users of the machine and the shell's history would see it."""
        import sys

        from flask_babel import force_locale

        from kiosk.auth.accounts import AccountRefused
        from kiosk.auth.accounts import create_organiser as create
        from kiosk.database import unit_of_work
        if sys.stdin.isatty():  # a person at a terminal: asked, unseen, twice
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True, default="",
                                    show_default=False)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        try:
            with unit_of_work():
                user = create(name, password, display_name)
        except AccountRefused as refused:
            # In the kiosk's own language: there is no browser here to choose another.
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                raise click.ClickException(str(refused.message)) from None
        click.echo(f"Organiser {user.username} created: sign in at {current_app.config['PUBLIC_BASE_URL']}/login")

    @users.command("unlock")
    @click.argument("name")
    def unlock(name):
        """Lift the lock that failed sign-ins put on an account (an organiser's, or a booth's)."""
        import sqlalchemy as sa

        from kiosk.auth.accounts import unlock as lift
        from kiosk.auth.models import User
        from kiosk.database import unit_of_work
        from kiosk.extensions import db
        with unit_of_work():
            user = db.session.scalar(sa.select(User).filter_by(username=name.strip().lower()))
            if user is None:
                raise click.ClickException(f"No account named {name}.")
            lift(user)
        click.echo(f"{user.username} may sign in again.")

    @app.cli.group()
    def demo():
        """The demo fair."""

    @demo.command("load")
    @click.option("--password", help="one password for every demo account (default: a random one each)")
    def load(password):
        """Load the demo fair and last month's (closed, its plans on the ledger) into an empty
        database (no fair, no account); print the URL and the logins, which are made at random on
        each install and kept in instance/demo-logins.txt."""
        from kiosk.demo import build_demo_fair, build_demo_history, in_use
        logins = Path(current_app.instance_path) / "demo-logins.txt"
        if in_use():
            click.echo("A fair or an account exists already: the demo fair was not loaded.")
        else:
            accounts = []
            fair = build_demo_fair(password, logins=accounts)
            past = build_demo_history(fair)
            logins.parent.mkdir(parents=True, exist_ok=True)
            logins.unlink(missing_ok=True)  # made anew, readable by the kiosk's user alone from the start
            with open(os.open(logins, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
                out.writelines(f"{name}\t{secret}\n" for name, secret in accounts)
            click.echo(f"Demo fair loaded: {fair.name}, and last month's, closed, on the ledger: {past.name}")
        if logins.exists():
            lines = logins.read_text(encoding="utf-8").splitlines()
            click.echo(f"  demo logins (account / password), kept in {logins}:")
            for line in lines:
                click.echo("    " + line.replace("\t", " / "))
        base = current_app.config["PUBLIC_BASE_URL"]
        click.echo(f"  the kiosk: {base}/   a booth's form: {base}/b/B01")

    @app.cli.group()
    def backup():
        """Consistent copies of the SQLite database."""

    @backup.command("create")
    @click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path),
                  help="where to write the copy (default: instance/backups/kiosk-<time>.db)")
    def backup_create(target):
        """Copy the database while the kiosk keeps serving."""
        from kiosk.backup import NotSQLite, create_backup
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = target or Path(current_app.instance_path) / "backups" / f"kiosk-{stamp}.db"
        try:
            create_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
        except NotSQLite:
            raise click.ClickException("Not an SQLite database: back it up with pg_dump.") from None
        click.echo(f"Backup written to {target}")

    @backup.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="confirm: the current database is replaced")
    @click.option("--force-offline", is_flag=True,
                  help="the kiosk is stopped although instance/serving.pid names a live process")
    def backup_restore(source, yes, force_offline):
        """Replace the database with a backup. Refused while the kiosk serves: stop it first."""
        from kiosk.backup import KioskServing, NotSQLite, restore_backup
        if not yes:
            raise click.ClickException("This replaces the current database. Stop the kiosk, then add --yes.")
        try:
            restore_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], source,
                           instance_path=current_app.instance_path, force_offline=force_offline)
        except KioskServing as serving:
            raise click.ClickException(
                f"The kiosk is serving (gunicorn pid {serving.pid}): stop it first, or it would lose what it "
                "saves meanwhile. If it is stopped and the pid file is stale, add --force-offline.") from None
        except NotSQLite:
            raise click.ClickException("Not an SQLite database: restore it with pg_restore.") from None
        except ValueError as damaged:
            raise click.ClickException(str(damaged)) from None
        click.echo(f"Database restored from {source}")
