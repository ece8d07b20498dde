"""The kiosk's commands, as `kiosk ...` (an installed kiosk's entry point, kiosk.command) or `flask
--app wsgi ...` in a checkout: `users create-organiser NAME` makes the first organiser of a new install
(the password from standard input), `users unlock NAME` lifts a sign-in lock; `demo load` fills an
empty database with a demo fair; `backup create` / `backup restore` copy the database; `serve`
(kiosk only) starts gunicorn with the kiosk's settings; `notifications work` sends the outbox's
messages (a process of its own beside the app servers); and Flask-Migrate's `db upgrade`."""
import os
import sys
from pathlib import Path

import click
from flask import current_app


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--bind", "-b", multiple=True, default=["127.0.0.1:8000"], show_default=True, envvar="KIOSK_BIND",
              help="address:port to listen on (repeat for more; or KIOSK_BIND, addresses apart by spaces)")
@click.pass_context
def serve(context, bind):
    """Serve the kiosk with gunicorn and the kiosk's settings (kiosk/gunicorn_conf.py); any other
    option is gunicorn's own (e.g. --access-logfile -). The process becomes gunicorn: the same pid,
    SIGTERM stops it gracefully, SIGHUP reloads its workers."""
    command = [sys.executable, "-m", "gunicorn", "--config", "python:kiosk.gunicorn_conf",
               *(f"--bind={address}" for address in bind), *context.args, "kiosk.wsgi:app"]
    os.execv(sys.executable, command)


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
        from kiosk.core.database import unit_of_work
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
        click.echo(f"Organiser {user.username} created: sign in at {sign_in_address()}")

    def sign_in_address() -> str:
        # PUBLIC_BASE_URL is where the kiosk is reached; without it, the default printed in QR codes
        # (127.0.0.1:5000) is only a guess at where this install listens.
        if os.environ.get("PUBLIC_BASE_URL"):
            return f"{current_app.config['PUBLIC_BASE_URL']}/login"
        return "/login on the kiosk's address (set PUBLIC_BASE_URL to the address phones reach, for the QR codes)"

    @users.command("unlock")
    @click.argument("name")
    def unlock(name):
        """Lift the lock that failed sign-ins put on an account (an organiser's, or a booth's)."""
        import sqlalchemy as sa

        from kiosk.auth.accounts import unlock as lift
        from kiosk.auth.models import User
        from kiosk.core.database import unit_of_work
        from kiosk.core.extensions import db
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
    def notifications():
        """The notifications' outbox."""

    @notifications.command("work")
    @click.option("--once", is_flag=True, help="one round: send what is due, then stop")
    def work(once):
        """Send the outbox's messages as they fall due, until SIGTERM or Ctrl-C, which let the message
        in hand finish first. Run one beside the app servers (deploy/systemd/kiosk-worker.service);
        on PostgreSQL, several may run at once without sending one message twice."""
        import signal
        import threading

        from kiosk.notifications.worker import work as send_due
        stop = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
        tried = send_due(stop, once=once)
        click.echo(f"The notifications' worker stopped, after {tried} attempts to send.")

    @app.cli.group()
    def backup():
        """Consistent copies of the database (SQLite's file, or PostgreSQL's through pg_dump)."""

    @backup.command("create")
    @click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path),
                  help="where to write the copy (default: backups/kiosk-<time>.db or .dump in the instance folder)")
    @click.option("--keep", type=click.IntRange(min=1),
                  help="then remove all but the newest N copies that `backup create` made in that folder")
    def backup_create(target, keep):
        """Copy the database while the kiosk keeps serving."""
        from kiosk.core.backup import BackupFailed, create_backup, default_name, keep_newest
        from kiosk.core.timeutil import fair_now
        url = current_app.config["SQLALCHEMY_DATABASE_URI"]
        try:
            target = target or Path(current_app.instance_path) / "backups" / default_name(url, fair_now())
            create_backup(url, target)
        except BackupFailed as failed:
            raise click.ClickException(str(failed)) from None
        click.echo(f"Backup written to {target}")
        if keep:
            for old in keep_newest(target.parent, keep):
                click.echo(f"Removed the older backup {old}")

    @backup.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="confirm: the current database is replaced")
    @click.option("--force-offline", is_flag=True,
                  help="the kiosk is stopped although serving.pid in the instance folder names a live process")
    def backup_restore(source, yes, force_offline):
        """Replace the database with a backup. Refused while the kiosk serves: stop it first."""
        from kiosk.core.backup import BackupFailed, KioskServing, restore_backup
        if not yes:
            raise click.ClickException("This replaces the current database. Stop the kiosk, then add --yes.")
        try:
            restore_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], source,
                           instance_path=current_app.instance_path, force_offline=force_offline)
        except KioskServing as serving:
            raise click.ClickException(
                f"The kiosk is serving (gunicorn pid {serving.pid}): stop it first, or it would lose what it "
                "saves meanwhile. If it is stopped and the pid file is stale, add --force-offline.") from None
        except BackupFailed as failed:
            raise click.ClickException(str(failed)) from None
        click.echo(f"Database restored from {source}")
