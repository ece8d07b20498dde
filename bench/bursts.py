"""DESIGN.md's burst, the three ways the kiosk runs, one after the other in one session: 500 phones
submitting at once (with 25 tablets polling), on SQLite, on PostgreSQL with one app server, and on
PostgreSQL through nginx with two app servers (scripts/cluster, one worker each on 2 cores:
CLUSTER_WORKERS). Each run is bench/load_sim.py; this prints each report, then the submissions'
latency side by side. DESIGN.md's figure, each way's p99 against the floor's (a bare route filing
the same rows) in the same run, is bench/burst_ratio.py's.

    .venv/bin/python bench/bursts.py [--runs 2] [--phones 500]

Ports: KIOSK_PG_PORT (PostgreSQL direct and the cluster's, one at a time), KIOSK_CLUSTER_PORT and
KIOSK_CLUSTER_APP_PORTS (scripts/cluster). The machine's load is printed before each run: the
kiosk, its database and the load generator share its cores, and anything else running shows.
"""
import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SUBMIT = re.compile(r"^submit\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$", re.M)
CHECK = re.compile(r"lost: (\d+); in the database unconfirmed: (\d+); 5xx or dropped: (\d+)")


#: the two app servers of the scale-out share this machine's cores, so each gets its share of
#: gunicorn.conf.py's one worker per core (on 2 cores: one each; two each took p99 2.4-2.6 s
#: against 1.8-1.9 s, as four processes took turns on two cores). KIOSK_WORKERS set outside wins.
CLUSTER_WORKERS = os.environ.get("KIOSK_WORKERS") or str(max(1, len(os.sched_getaffinity(0)) // 2))


def ways(phones: int) -> dict[str, tuple[list[str], dict]]:
    """Each way's command and what it adds to the environment."""
    burst = [PYTHON, str(ROOT / "bench" / "load_sim.py"), "--phones", str(phones), "--requests", str(phones)]
    return {
        "SQLite, one app server": (burst, {}),
        "PostgreSQL, one app server": ([str(ROOT / "scripts" / "with-postgres"), *burst, "--postgres"], {}),
        "PostgreSQL, nginx + 2 app servers": ([str(ROOT / "scripts" / "cluster"), *burst, "--cluster"],
                                              {"KIOSK_WORKERS": CLUSTER_WORKERS}),
    }


def machine_load() -> str:
    """The load average and what else is using the cores right now (top's first lines)."""
    top = subprocess.run(["top", "-b", "-n", "1", "-c", "-w", "160"], capture_output=True,
                         text=True).stdout.splitlines()
    busy = [line for line in top[7:] if line.split() and float(line.split()[8].replace(",", ".")) >= 5.0]
    return (f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}; using the CPU now:\n  "
            + ("\n  ".join(busy[:8]) or "nothing"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1, help="runs of each way, in turn")
    parser.add_argument("--phones", type=int, default=500)
    args = parser.parse_args()
    env = {**os.environ, "KIOSK_CLUSTER_DEMO_PASSWORD": "demo1234", "VENV": str(Path(PYTHON).parent.parent),
           "PYTHONPATH": str(ROOT)}
    results = {name: [] for name in ways(args.phones)}
    for run in range(1, args.runs + 1):
        for name, (command, extra) in ways(args.phones).items():
            print(f"== {name}, run {run}; {machine_load()}", flush=True)
            done = subprocess.run(command, cwd=ROOT, env={**env, **extra}, capture_output=True, text=True)
            print(done.stdout + (done.stderr if done.returncode else ""), flush=True)
            submit, check = SUBMIT.search(done.stdout), CHECK.search(done.stdout)
            results[name].append((submit.groups() if submit else None, check.groups() if check else None))
    print(f"\nSubmissions, {args.phones} at once (DESIGN.md: none lost, no errors; p99: bench/burst_ratio.py):")
    print(f"{'':<36}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}   lost, doubled, 5xx")
    for name, runs in results.items():
        for submit, check in runs:
            if submit is None or check is None:
                print(f"{name:<36}  failed: see its output above")
                continue
            print(f"{name:<36}{submit[1]:>8}{submit[2]:>8}{submit[3]:>8}   {', '.join(check)}")


if __name__ == "__main__":
    main()
