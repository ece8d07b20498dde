"""The notification channels' far ends as fixtures: `fake_sink` starts scripts/fake_sink.py's
recorder (an HTTP server for the WeCom robots and the SMS provider, an SMTP server) on free
loopback ports, and stops it after the test. A test module asks for it with
`pytest_plugins = ["tests.notify_fakes"]`."""
import pytest

from scripts.fake_sink import FakeSink


@pytest.fixture
def fake_sink():
    """A started FakeSink: `.http_url`, `.host`/`.smtp_port`, `.received()`, `.delivered()`,
    `.counts()`, `.plan(status=500 | hang=seconds | reply={...} | smtp_reply="451 ...")`."""
    sink = FakeSink().start()
    yield sink
    sink.stop()
