"""`kiosk`, an installed kiosk's command line: the flask commands bound to the kiosk (kiosk.cli),
from any directory, with `serve` beside them."""
import click
from flask.cli import FlaskGroup

from kiosk import __version__, create_app
from kiosk.cli import serve


def main():
    """`kiosk`: the flask commands bound to the kiosk, from any directory, with `serve` beside them."""
    command_line().main(prog_name="kiosk")


def command_line() -> FlaskGroup:
    group = FlaskGroup(create_app=create_app, add_version_option=False, name="kiosk",
                       help="要素保障大集 kiosk: `kiosk db upgrade`, `kiosk users create-organiser NAME`, "
                            "`kiosk serve`, `kiosk backup create`.")
    click.version_option(__version__, prog_name="kiosk")(group)
    group.add_command(serve)
    return group
