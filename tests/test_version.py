"""One release number, written once (kiosk/__init__.py): the package's, the footer organisers see,
/healthz's, and a section of CHANGELOG.md that says what a city must do to upgrade to it."""
import re
from importlib.metadata import version
from pathlib import Path

from kiosk import __version__
from tests.helpers import login

CHANGELOG = Path(__file__).parent.parent / "CHANGELOG.md"


def test_the_installed_package_carries_the_release_the_code_names():
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    assert version("kiosk") == __version__


def test_organisers_see_the_release_in_the_footer_and_no_one_else_does(app, fair, organiser):
    page = login(app.test_client(), organiser.username).get("/organiser/").get_data(as_text=True)
    assert f'<footer class="release">要素保障大集系统 {__version__}</footer>' in page
    for account in ("b07",):
        assert 'class="release"' not in login(app.test_client(), account).get("/staff/").get_data(as_text=True)
    assert 'class="release"' not in app.test_client().get(f"/b/{fair.id}/B07").get_data(as_text=True)


def test_the_changelog_says_what_a_city_must_do_to_upgrade_to_this_release():
    sections = [s for s in re.split(r"^## ", CHANGELOG.read_text(), flags=re.M)[1:] if not s.startswith("Unreleased")]
    assert sections and sections[0].startswith(__version__), "the newest release's section comes first"
    newest = sections[0]
    assert "### Upgrading" in newest and "kiosk db upgrade" in newest
