"""The kiosk's own script runs on the oldest engines companies bring: WeChat's in-app browser on older
phones lacks syntax newer than ES2017 (optional chaining, object spread, async iteration...), and a
script that does not parse does nothing at all: no kept draft, no errors in view, no offline line."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ACORN = ROOT / "tests" / "vendor" / "acorn-8.19.0.js"
#: parses stdin as a script of the given ECMAScript version; prints the error and exits 1 if it cannot
PARSE = """
const acorn = require(process.argv[1]);
let source = "";
process.stdin.on("data", chunk => { source += chunk; });
process.stdin.on("end", () => {
  try { acorn.parse(source, {ecmaVersion: Number(process.argv[2]), sourceType: "script"}); }
  catch (error) { console.log(error.message); process.exit(1); }
});
"""

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (Debian's nodejs)")


def parses(source: str, version: int = 2017) -> str | None:
    """None if the source parses as that ECMAScript version, else acorn's message."""
    done = subprocess.run(["node", "-e", PARSE, str(ACORN), str(version)], input=source, text=True,
                          capture_output=True, timeout=30)
    return None if done.returncode == 0 else done.stdout.strip() or done.stderr.strip()


def test_app_js_parses_as_es2017():
    assert parses((ROOT / "kiosk" / "static" / "app.js").read_text()) is None


@pytest.mark.parametrize("newer", [
    "var a = {b: 1}; var c = a?.b;",              # optional chaining, ES2020
    "var a = {b: 1}; var c = {...a};",            # object spread, ES2018
    "var a = null ?? 1;",                         # nullish coalescing, ES2020
    "try {} catch {}",                            # optional catch binding, ES2019
    "var r = /(?<year>\\d{4})/;",                 # named capture groups, ES2018
])
def test_the_check_refuses_what_es2017_lacks(newer):
    assert parses(newer) is not None
    assert parses(newer, 2022) is None, json.dumps(newer)  # it is the version that refuses it, not a typo
