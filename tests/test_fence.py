"""The fast paths stay behind their fence: only kiosk/poll_reads.py (the tablets' poll) and
kiosk/auth/reads.py (the signed-in account) run statements on the database driver, so that raw
rows and driver quirks (0/1
booleans, datetimes as strings, enums as their stored strings) never leak into the rest of the
kiosk."""
import ast
from pathlib import Path

import kiosk

KIOSK = Path(kiosk.__file__).parent
FENCED = (KIOSK / "poll_reads.py", KIOSK / "auth" / "reads.py", KIOSK / "core" / "driver.py")


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, by its full name (`from kiosk.core import driver` is kiosk.core.driver)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_but_the_fence_imports_the_driver():
    trespassers = [str(path.relative_to(KIOSK)) for path in sorted(KIOSK.rglob("*.py"))
                   if path not in FENCED and "kiosk.core.driver" in imports_of(path)]
    assert trespassers == []


def test_the_fence_check_sees_every_way_of_importing(tmp_path):
    for source in ("import kiosk.core.driver", "from kiosk.core.driver import driver_reads",
                   "from kiosk.core import driver"):
        module = tmp_path / "m.py"
        module.write_text(source + "\n")
        assert "kiosk.core.driver" in imports_of(module), source
