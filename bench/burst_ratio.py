"""DESIGN.md's burst as it sets it, one command: 500 submissions at once on each way the kiosk runs,
p99 against the floor's measured in the same run.

    .venv/bin/python bench/burst_ratio.py [--phones 500] [--rounds 1]

In one session, one after the other: on SQLite, on PostgreSQL with one app server
(scripts/with-postgres), and on PostgreSQL through nginx with two app servers (scripts/cluster,
CLUSTER_WORKERS each as in bench/bursts.py), the same burst (bench/burst.mjs: all at once, a
connection each) is fired at

    floor    bench/floor_app.py's floor: a bare Flask route filing the same rows with plain SQL on
             the same database (through nginx, both app servers serve it), and
    submit   the kiosk's real submission, POST /f/<fair> after each phone has loaded its form, as
             bench/load_sim.py sends it.

For each: p50 and p99 of the burst (the median of --rounds bursts), submit's p99 over floor's
(DESIGN.md: at most 1.5), and, as bench/load_sim.py checks it, the requests the phones were told
were filed but are not in the database (lost), the burst's requests in the database that no phone
was told about (doubled), and the answers that were a 5xx or none. The load average is printed
before each way: the servers, the database and the load generator share the machine's cores.

Ports: KIOSK_PG_PORT (PostgreSQL, direct and the cluster's, one at a time), KIOSK_CLUSTER_PORT and
KIOSK_CLUSTER_APP_PORTS (scripts/cluster).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import burst_floor  # noqa: E402
from bursts import CLUSTER_WORKERS  # noqa: E402

PYTHON = sys.executable
TARGETS = {"floor": "floor_app:floor", "submit": "wsgi:app"}
WAYS = {"sqlite": "SQLite, one app server", "postgres": "PostgreSQL, one app server",
        "cluster": "PostgreSQL, nginx + 2 app servers"}


def booths_of(url: str) -> list[tuple[int, int]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        booths = connection.execute(sa.text(
            "SELECT booth.id, booth.fair_id FROM booth JOIN fair ON fair.id = booth.fair_id "
            "WHERE fair.status = 'open' AND NOT booth.hidden ORDER BY booth.id")).all()
    engine.dispose()
    return [tuple(booth) for booth in booths]


def last_id(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = connection.scalar(sa.text("SELECT coalesce(max(id), 0) FROM service_request"))
    engine.dispose()
    return found


def fire(url: str, base: str, way: str, booths, phones: int, round_no: int) -> dict:
    """One burst at base: its p50 and p99 (s), and lost, doubled and 5xx as bench/load_sim.py counts them."""
    posts = burst_floor.posts_for(way, base, booths, phones, round_no)
    posts = [post for post in posts if post]  # (a phone whose form did not come sends nothing)
    before = last_id(url)
    time.sleep(1)
    done = subprocess.run(["node", str(ROOT / "bench" / "burst.mjs")], capture_output=True, text=True, check=True,
                          input=json.dumps({"base": base, "requests": posts}))
    answers = json.loads(done.stdout)
    told = {answer["redirect"].rsplit("/", 1)[-1] for answer in answers
            if answer["status"] == 200 and (answer["redirect"] or "").startswith("/t/")}
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        saved = [token for (token,) in connection.execute(
            sa.text("SELECT token FROM service_request WHERE id > :before"), {"before": before})]
    engine.dispose()
    q = statistics.quantiles([answer["ms"] / 1000 for answer in answers if answer["status"]], n=100,
                             method="inclusive")
    return {"p50": q[49], "p99": q[98], "sent": len(posts), "phones": phones,
            "lost": len(told - set(saved)), "doubled": len(saved) - len(told & set(saved)),
            "5xx": sum(1 for answer in answers if not answer["status"] or answer["status"] >= 500),
            "other": sum(1 for answer in answers if answer["status"] and answer["status"] != 200
                         and answer["status"] < 500)}


def one_server(url: str, way: str, phones: int, rounds: int) -> list[dict]:
    """The database migrated with the demo fair, one gunicorn serving way's app, its bursts."""
    booths = burst_floor.prepare(url)
    server, base = burst_floor.serve(TARGETS[way], url)
    try:
        return [fire(url, base, way, booths, phones, round_no) for round_no in range(rounds)]
    finally:
        server.terminate()
        server.wait()


def floor_shim(folder: str) -> dict:
    """What scripts/cluster is given so that its two app servers serve the floor, not the kiosk: a
    VENV whose gunicorn serves floor_app:floor where it is asked for wsgi:app (the rest is .venv's)."""
    shim = Path(folder) / "floor-venv" / "bin"
    shim.mkdir(parents=True)
    real = Path(PYTHON).parent
    for name in ("python", "flask"):
        (shim / name).symlink_to(real / name)
    gunicorn = shim / "gunicorn"
    gunicorn.write_text(f'#!/usr/bin/env bash\nexec "{real}/gunicorn" --pythonpath "{ROOT}/bench" '
                        '"${@/#wsgi:app/floor_app:floor}"\n')
    gunicorn.chmod(0o755)
    return {"VENV": str(shim.parent)}


def child(way: str, target: str, phones: int, rounds: int) -> None:
    """Inside scripts/with-postgres or scripts/cluster: the runs, as one line of JSON."""
    if way == "postgres":
        runs = one_server(os.environ["KIOSK_TEST_DATABASE_URL"], target, phones, rounds)
    else:
        url, base = os.environ["KIOSK_CLUSTER_DATABASE_URL"], os.environ["KIOSK_CLUSTER_URL"]
        runs = [fire(url, base, target, booths_of(url), phones, round_no) for round_no in range(rounds)]
    print("RUNS " + json.dumps(runs))


def in_child(command: list[str], env: dict) -> list[dict] | str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith("RUNS "):
            return json.loads(line[5:])
    return (done.stdout + done.stderr)[-3000:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=1, help="bursts of each, the median")
    parser.add_argument("--child", nargs=2, metavar=("WAY", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child, args.phones, args.rounds)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_CLUSTER_DEMO_PASSWORD": "demo1234"}
    this = [PYTHON, str(Path(__file__).resolve()), "--phones", str(args.phones), "--rounds", str(args.rounds)]
    results, loads = {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for way in WAYS:
            loads[way] = " ".join(f"{n:.2f}" for n in os.getloadavg())
            print(f"== {WAYS[way]}; load average {loads[way]}", flush=True)
            for target in TARGETS:
                if way == "sqlite":
                    url = f"sqlite:///{folder}/{target}.db"
                    runs = one_server(url, target, args.phones, args.rounds)
                elif way == "postgres":
                    runs = in_child([str(ROOT / "scripts" / "with-postgres"), *this, "--child", way, target], env)
                else:
                    extra = {"KIOSK_WORKERS": CLUSTER_WORKERS, **(floor_shim(folder) if target == "floor" else {})}
                    runs = in_child([str(ROOT / "scripts" / "cluster"), *this, "--child", way, target],
                                    {**env, **extra})
                if isinstance(runs, str):
                    print(f"{target}: failed\n{runs}", flush=True)
                    continue
                results[way, target] = runs
                print(f"{target}: " + "; ".join(
                    f"p99 {run['p99']:.2f} s, sent {run['sent']}, lost {run['lost']}, doubled {run['doubled']}, "
                    f"5xx {run['5xx']}, other non-200 {run['other']}" for run in runs), flush=True)
    print(f"\n{args.phones} submissions at once, the median of {args.rounds} burst(s) each "
          "(DESIGN.md: submit's p99 at most 1.5 x floor's; none lost, doubled or 5xx)")
    print(f"{'':<36}{'floor p99 s':>12}{'submit p99 s':>13}{'ratio':>7}   submit's lost, doubled, 5xx   load before")
    for way, name in WAYS.items():
        floor, submit = results.get((way, "floor")), results.get((way, "submit"))
        if not floor or not submit:
            print(f"{name:<36}  failed: see above")
            continue
        floor_p99 = statistics.median(run["p99"] for run in floor)
        submit_p99 = statistics.median(run["p99"] for run in submit)
        checks = ", ".join(str(sum(run[key] for run in submit)) for key in ("lost", "doubled", "5xx"))
        print(f"{name:<36}{floor_p99:>12.2f}{submit_p99:>13.2f}{submit_p99 / floor_p99:>7.2f}   {checks:<29} "
              f"{loads[way]}")


if __name__ == "__main__":
    main()
