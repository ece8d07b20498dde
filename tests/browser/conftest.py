"""Real-browser tests: Debian's chromium driven by Playwright against the kiosk on loopback."""
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN"}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "locale": "zh-CN"}


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port by a threaded server, for as long as the test runs."""
    app.config.update(TRACK_POLL_SECONDS=1, QUEUE_POLL_SECONDS=1)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


def _page(browser, options):
    """A page in a browser context of its own: its own cookies, storage and device. Whatever the
    test does, the Content-Security-Policy must not have blocked anything the kiosk itself sent."""
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert blocked == [], blocked


@pytest.fixture
def phone(browser):
    yield from _page(browser, PHONE)


@pytest.fixture
def tablet(browser):
    yield from _page(browser, TABLET)
