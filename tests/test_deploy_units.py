"""deploy/systemd's units, as systemd reads them: `systemd-analyze verify` on every unit there, and
the kiosk commands they run.

verify runs with --root on a throwaway root laid out as the README's install leaves a Debian
machine: the units copied byte for byte into /etc/systemd/system, this machine's own systemd units
in /usr/lib/systemd/system (the targets ours name), a stub at /opt/kiosk/venv/bin/kiosk (the kiosk
is not installed on this machine; verify only checks that the program is there and executable),
and every other program the units run copied from this machine. So the units are checked as
shipped, their path to the kiosk included, rather than copies edited to point elsewhere.

verify reports a misspelt directive or section, a bad value or calendar, a missing program, but
exits 0 on most of them: any output at all fails the test."""
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.command import command_line

UNITS = Path(__file__).resolve().parent.parent / "deploy" / "systemd"
UNIT_SUFFIXES = {".service", ".timer", ".socket", ".target", ".path", ".mount"}

#: where the units expect the installed kiosk (README: a venv in /opt/kiosk)
KIOSK = "/opt/kiosk/venv/bin/kiosk"
#: the `kiosk` commands the units run (each is also parsed by the real command line, below)
KIOSK_COMMANDS = {"serve", "backup", "notifications"}
#: the settings the kiosk reads from its environment (README), which kiosk.env.example may name
KIOSK_SETTINGS = {"SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "KIOSK_HTTPS", "KIOSK_BEHIND_PROXY",
                  "KIOSK_INSTANCE", "KIOSK_BIND", "KIOSK_WORKERS", "KIOSK_THREADS", "KIOSK_TIMEZONE",
                  "KIOSK_SCOREBOARD_MIN_COUNTED", "KIOSK_AFTER_FAIR_REPLY_WORKING_DAYS",
                  "KIOSK_SUPERVISION_DUE_SOON_DAYS", "KIOSK_SUPERVISION_QUIET_DAYS", "KIOSK_ACKNOWLEDGE_WORKING_DAYS",
                  "KIOSK_EXTENSION_CEILING_DAYS", "KIOSK_PRIORITY_CATEGORIES", "KIOSK_SKIP_GRACE_MINUTES",
                  "KIOSK_WAIT_FALLBACK_MINUTES", "KIOSK_LONG_WAIT_MINUTES",
                  "KIOSK_NOTIFY_TIMEOUT_SECONDS", "KIOSK_NOTIFY_DIGEST_HOUR", "KIOSK_NOTIFY_POLL_SECONDS",
                  "KIOSK_NOTIFY_BACKOFF_SECONDS", "KIOSK_NOTIFY_MAX_ATTEMPTS", "KIOSK_NOTIFY_LEASE_SECONDS"}
#: what every unit that runs the kiosk must share with kiosk.service, so that all of them see one
#: kiosk: the same user, settings, instance folder (KIOSK_INSTANCE, set by an Environment= line)
SHARED = ("User", "Group", "EnvironmentFile", "KIOSK_INSTANCE", "StateDirectory")
#: settings that name other units and depend on them being there
REFERENCES = {"Wants", "Requires", "Requisite", "BindsTo", "PartOf", "Upholds", "OnFailure", "OnSuccess", "Unit",
              "WantedBy", "RequiredBy", "UpheldBy", "Also"}
EXEC_KEYS = {"ExecStart", "ExecStartPre", "ExecStartPost", "ExecCondition", "ExecReload", "ExecStop",
             "ExecStopPost"}


def unit_files() -> list[Path]:
    return sorted(path for path in UNITS.iterdir() if path.suffix in UNIT_SUFFIXES)


def settings(unit: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) for every line of a unit, in order; continued lines joined."""
    found, section, pending = [], "", ""
    for raw in unit.read_text(encoding="utf-8").splitlines():
        if not pending and raw.lstrip()[:1] in ("#", ";"):
            continue
        line, pending = pending + raw.strip(), ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif "=" in line:
            key, value = line.split("=", 1)
            found.append((section, key.strip(), value.strip()))
    return found


def commands(unit: Path) -> list[list[str]]:
    """Every command line of a unit's Exec*= settings, split as words; prefixes (-@:+!) dropped."""
    found = []
    for _, key, value in settings(unit):
        if key not in EXEC_KEYS or not value:
            continue
        words = shlex.split(value)
        while words:  # one setting may hold several commands, separated by a lone ';'
            command = words[: words.index(";")] if ";" in words else words
            words = words[len(command) + 1:]
            command[0] = command[0].lstrip("-@:+!|")
            found.append(command)
    return found


def kiosk_services() -> list[Path]:
    return [unit for unit in unit_files()
            if unit.suffix == ".service" and any(Path(command[0]).name == "kiosk" for command in commands(unit))]


def systemd_analyze() -> str:
    program = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"
    if not os.access(program, os.X_OK):
        pytest.fail("systemd-analyze is missing (Debian's systemd package): run `make system-packages`")
    return program


def host_unit_dir() -> Path:
    for folder in ("/usr/lib/systemd/system", "/lib/systemd/system"):
        if Path(folder, "sysinit.target").exists():
            return Path(folder)
    pytest.fail("systemd's own units (sysinit.target...) are missing: run `make system-packages`")


def test_the_folder_holds_units():
    names = {unit.name for unit in unit_files()}
    assert {"kiosk.service", "kiosk-backup.service", "kiosk-backup.timer", "kiosk-worker.service"} <= names, names


def test_every_unit_passes_systemd_analyze_verify(tmp_path):
    analyze = systemd_analyze()
    units = unit_files()
    assert units, f"no unit in {UNITS}"

    root = tmp_path / "root"
    shutil.copytree(host_unit_dir(), root / "usr/lib/systemd/system", symlinks=True)
    installed = root / "etc/systemd/system"
    installed.mkdir(parents=True)
    for unit in units:
        shutil.copyfile(unit, installed / unit.name)
    for command in (command for unit in units for command in commands(unit)):
        program = root / command[0].lstrip("/")
        if not command[0].startswith("/") or program.exists():
            continue
        program.parent.mkdir(parents=True, exist_ok=True)
        if command[0] == KIOSK:
            program.write_text("#!/bin/sh\nexit 0\n")
            program.chmod(0o755)
        elif Path(command[0]).exists():  # this machine's (/bin/kill): the one a Debian install has
            shutil.copy(command[0], program)
        # else: left missing, and verify says so

    result = subprocess.run([analyze, "verify", f"--root={root}", *(str(installed / unit.name) for unit in units)],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "SYSTEMD_COLORS": "0"})
    said = (result.stdout + result.stderr).replace(str(installed), str(UNITS)).replace(str(root), "")
    if result.returncode or said.strip():
        pytest.fail(f"systemd-analyze verify said (exit status {result.returncode}):\n{said}", pytrace=False)


def test_units_name_only_units_that_exist():
    """What verify lets pass without a word: a timer whose service is missing (its Unit=, or the
    service of its own name), a Wants= or WantedBy= of a misspelt target. Every unit named must be
    here or one of systemd's own. After= and Before= are left out: they only order, and may name a
    unit that a machine does not have (postgresql.service, when the database is elsewhere)."""
    known = {unit.name for unit in unit_files()} | {unit.name for unit in host_unit_dir().iterdir()}
    for unit in unit_files():
        named = [name for section, key, value in settings(unit) if key in REFERENCES for name in value.split()]
        if unit.suffix == ".timer" and not any(key == "Unit" for _, key, _ in settings(unit)):
            named.append(unit.with_suffix(".service").name)
        missing = [name for name in named if name not in known]
        assert not missing, f"{unit.name} names units that do not exist: {missing}"


def test_units_run_only_kiosk_commands_that_exist():
    used = set()
    for unit in unit_files():
        for command in commands(unit):
            if Path(command[0]).name != "kiosk":
                continue
            assert command[0] == KIOSK, f"{unit.name}: {command[0]} (the kiosk is installed as {KIOSK})"
            assert len(command) > 1 and command[1] in KIOSK_COMMANDS, f"{unit.name}: {shlex.join(command)}"
            # The kiosk's own command line parses it: the command, its subcommand and options exist.
            parsed = CliRunner().invoke(command_line(), [*command[1:], "--help"])
            assert parsed.exit_code == 0, f"{unit.name}: {shlex.join(command)}: {parsed.output}"
            used.add(command[1])
    assert used == KIOSK_COMMANDS  # (and so the parsing found them)


def test_every_kiosk_service_sees_the_same_kiosk():
    services = kiosk_services()
    assert UNITS / "kiosk.service" in services

    def shared(unit):
        found = []
        for section, key, value in settings(unit):
            if section == "Service" and key == "Environment":
                found += [tuple(word.split("=", 1)) for word in shlex.split(value) if "=" in word]
            elif section == "Service":
                found.append((key, value))
        return sorted(setting for setting in found if setting[0] in SHARED)

    expected = shared(UNITS / "kiosk.service")
    assert {key for key, _ in expected} == set(SHARED)
    for unit in services:
        assert shared(unit) == expected, unit.name


def test_the_example_environment_names_only_the_kiosks_settings():
    example = UNITS / "kiosk.env.example"
    named = set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", example.read_text(encoding="utf-8"), re.MULTILINE))
    assert named == KIOSK_SETTINGS
    for unit in kiosk_services():
        assert ("Service", "EnvironmentFile", "/etc/kiosk/kiosk.env") in settings(unit), unit.name
