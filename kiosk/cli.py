"""flask commands: `flask demo load` fills an empty database with a realistic fair;
`flask backup create` / `flask backup restore` copy the SQLite database."""
from datetime import datetime
from pathlib import Path

import click
from flask import current_app


def register(app):
    @app.cli.group()
    def demo():
        """The demo fair."""

    @demo.command("load")
    @click.option("--password", default="demo1234", show_default=True, help="password of every demo account")
    def load(password):
        """Load the demo fair unless a fair exists already; print the URL and the logins."""
        from kiosk.demo import build_demo_fair, has_any_fair
        if has_any_fair():
            click.echo("A fair exists already: the demo fair was not loaded.")
        else:
            fair = build_demo_fair(password)
            click.echo(f"Demo fair loaded: {fair.name}")
            click.echo(f"  logins: organiser admin / {password}; booth staff b01 ... b15, f01 ... f10 / {password}")
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
    def backup_restore(source, yes):
        """Replace the database with a backup. Stop the kiosk first."""
        from kiosk.backup import NotSQLite, restore_backup
        if not yes:
            raise click.ClickException("This replaces the current database. Stop the kiosk, then add --yes.")
        try:
            restore_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
        except NotSQLite:
            raise click.ClickException("Not an SQLite database: restore it with pg_restore.") from None
        except ValueError as damaged:
            raise click.ClickException(str(damaged)) from None
        click.echo(f"Database restored from {source}")
