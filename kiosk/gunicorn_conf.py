"""gunicorn's settings for the kiosk: `kiosk serve` starts gunicorn with them; in a checkout,
gunicorn.conf.py reads them for `make run`, the benchmarks and scripts/cluster. Chosen by
bench/load_sim.py's burst of 500 on 2 cores, against more threads and one shared socket: the
figures are in bench/RESULTS.md."""
import os

#: one process per core: the work is Python, so a process uses at most one core (the cores this
#: process may run on, which in a container can be fewer than the machine has)
workers = int(os.environ.get("KIOSK_WORKERS", len(os.sched_getaffinity(0))))
#: two threads per process: one can wait on the database while the other runs; more only add
#: switching between threads that each hold Python's lock in turn. The price: a long request (the
#: tally PDF) holds one of the machine's four threads meanwhile. KIOSK_THREADS also sizes each
#: process's connection pool (kiosk/core/config.py).
threads = int(os.environ.get("KIOSK_THREADS", "2"))
#: phones pause between loading the form and sending it; with gunicorn's default of 2 s they find
#: their connection closed under load (a third of a 500-phone burst failed that way)
keepalive = 75
#: a listening socket per worker, so the kernel spreads connections evenly; with one shared
#: socket, one worker took three in four of a burst while the other idled. (The flip side: a second
#: kiosk started by mistake on the same port does not fail, it silently takes half the traffic.)
reuse_port = True


def post_worker_init(worker):
    """Each process compiles the kiosk's templates before it takes requests (a second or so),
    rather than during the first submissions (kiosk.core.rendering.compile_templates)."""
    from flask import Flask

    if isinstance(worker.wsgi, Flask):  # (not a benchmark's wrapper around the kiosk)
        from kiosk.core.rendering import compile_templates

        compile_templates(worker.wsgi)


# The access log must not carry the links that stand in for a password: a company's tracking link
# /t/<token> (its request, its contact) and the hall screen's /screen/<token>. They show up in the
# request line, the path, and the Referer of everything those pages load; every atom is masked.
import re  # noqa: E402  (kept beside what uses it: the settings above read best first)
from pathlib import Path  # noqa: E402

from gunicorn.glogging import Logger  # noqa: E402

TOKEN_IN_PATH = re.compile(r"(/(?:t|screen)/)[^/?#\s\"]+")


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1***", text)


class KioskLogger(Logger):
    """gunicorn's logger, with the tokens masked in the access log and the address in the start line."""

    def info(self, msg, *args, **kwargs):
        if msg == "Listening at: %s (%s)" and args and not args[0]:
            # With reuse_port each worker opens its own socket, so the master has none to name and
            # gunicorn's line would say "Listening at:  (pid)".
            args = (", ".join(self.cfg.bind) + ", a socket per worker", *args[1:])
        super().info(msg, *args, **kwargs)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: mask_tokens(value) if isinstance(value, str) else value for name, value in atoms.items()}


logger_class = KioskLogger


# gunicorn's own control socket (gunicornc) is not used here, and two kiosks on one machine would
# share its one path in the home folder, which a service account may not have.
control_socket_disable = True

# While the kiosk serves, serving.pid in its instance folder holds the server's pid: `kiosk backup
# restore` refuses while it names a live process (a restore under a serving kiosk lost 191
# submissions). The folder is the one the app and the commands use (kiosk.core.config.instance_folder).
from kiosk.core.backup import SERVING_FILE  # noqa: E402
from kiosk.core.config import instance_folder  # noqa: E402

SERVING_PID = Path(instance_folder()) / SERVING_FILE


def when_ready(server):
    SERVING_PID.parent.mkdir(parents=True, exist_ok=True)
    SERVING_PID.write_text(f"{server.pid}\n")


def on_exit(server):
    # Only if it still names this server: two servers started from one checkout (scripts/cluster)
    # share the file, and the first to stop must not make the other look stopped.
    try:
        if SERVING_PID.read_text().strip() == str(server.pid):
            SERVING_PID.unlink()
    except FileNotFoundError:
        pass
