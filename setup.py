"""What pyproject.toml cannot say alone:
- the migrations stay at the top of the checkout, where Flask-Migrate puts them, and the build maps
  them into the package as kiosk/migrations, so that an installed kiosk can upgrade its database
  (kiosk.migrations_folder finds either);
- the build compiles the translations' catalogs (.po to .mo) into the package: the .mo files are
  not kept in git (a checkout compiles them with `make setup`), and an installed kiosk needs them."""
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in Path("kiosk/translations").glob("*/LC_MESSAGES/*.po"):
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parts[-3])
            target = Path(self.build_lib) / po.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                write_mo(out, catalog)


setup(
    packages=[*find_packages(include=["kiosk", "kiosk.*"]), "kiosk.migrations"],
    package_dir={"kiosk.migrations": "migrations"},
    cmdclass={"build_py": BuildWithCatalogs},
)
