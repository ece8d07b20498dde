"""Imports point down: the figures read the models and never the services or views that use them."""
import ast
from pathlib import Path

import kiosk

KIOSK = Path(kiosk.__file__).parent
#: what a figures module may import from the kiosk: the models, the database, time
FIGURES_MAY_IMPORT = ("kiosk.core.extensions", "kiosk.core.timeutil", "kiosk.figures")


def kiosk_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return {name for name in names if name == "kiosk" or name.startswith("kiosk.")}


def test_figures_import_only_models_and_each_other():
    for path in (KIOSK / "figures").glob("*.py"):
        for name in kiosk_imports(path):
            assert name.endswith(".models") or name.startswith(FIGURES_MAY_IMPORT), (path.name, name)


def test_only_the_organiser_pages_import_the_printed_tally():
    for path in KIOSK.rglob("*.py"):
        if any(name.startswith("kiosk.tally") for name in kiosk_imports(path)):
            assert path.parent.name in ("organiser", "tally"), path
