"""The load simulation, short: gunicorn on loopback, phones in bursts, tablets polling and resolving,
slips given. Asserts what must hold under any load (nothing lost, nothing doubled, no 5xx), not
timings: bench/load_sim.py prints those."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.load_sim import check_database, simulate, start_fair

pytestmark = pytest.mark.load


def test_a_short_rush_loses_nothing_and_answers_no_5xx(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    server, base, codes, staff = start_fair(url)
    try:
        # A thread of its own: Playwright's browser (tests/browser) may hold this thread's event loop.
        with ThreadPoolExecutor(1) as runner:
            recorder, filed = runner.submit(lambda: asyncio.run(simulate(
                base, codes, staff[:6], phones=40, requests=80, gap=1.5, tablets_for=4))).result()
    finally:
        server.terminate()
        server.wait()
    lost, extra = check_database(url, filed)
    assert recorder.server_errors() == 0, recorder.report()
    assert len(filed) == 80 and lost == 0 and extra == 0, recorder.report()
    assert recorder.statuses["resolve"][200] > 0 and recorder.statuses["slip"][200] > 0, recorder.report()
