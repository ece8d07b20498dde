"""flask commands: `flask demo load` fills an empty database with a realistic fair."""
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
