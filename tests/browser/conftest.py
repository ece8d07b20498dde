"""Real-browser tests: Debian's chromium driven by Playwright against the kiosk on loopback. Every
page they visit is checked by axe-core as it loads and after each htmx swap: a test fails on any
accessibility violation, as it does on anything the Content-Security-Policy blocked."""
import contextlib
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN"}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "locale": "zh-CN"}
#: the small phone the flows are checked on too (its own screenshots where the task asks for them)
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 640}}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
#: a smaller office screen
LAPTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}


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


#: axe-core, a test-only file (tests/vendor/README.md): the kiosk never serves it
AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
#: In every document of the test's pages: axe runs once the page has loaded, and again after each htmx
#: swap has settled (a refused form, a poll that changed, the ticket page swapped in), one run at a
#: time, and reports what it found to the test. (An init script is not held to the page's CSP.)
AXE_WATCH = """
(function () {
  if (window.top !== window) return;
  var running = false, again = false, timer = null;
  function check() {
    timer = null;
    if (running) { again = true; return; }
    running = true;
    window.axe.run(document, {resultTypes: ["violations"]}).then(function (result) {
      window.__axeReport(location.pathname + location.search, result.violations.map(function (v) {
        return {id: v.id, help: v.help, nodes: v.nodes.map(function (n) { return n.target.join(" "); })};
      }));
    }).catch(function () {}).then(function () {
      running = false;
      if (again) { again = false; later(); }
    });
  }
  function later() { if (timer) clearTimeout(timer); timer = setTimeout(check, 30); }
  window.addEventListener("load", later);
  document.addEventListener("htmx:afterSettle", later);
  window.__axeIdle = function () {
    return new Promise(function (resolve) {
      (function wait() { if (!running && !timer) resolve(); else setTimeout(wait, 20); })();
    });
  };
})();
"""


@pytest.fixture(autouse=True)
def axe_checked(monkeypatch):
    """Every browser context a test opens (through the fixtures below or its own browser.new_context)
    has axe-core watch its pages; the test fails on any violation found. A context is let finish its
    last check before it closes."""
    found = []
    open_contexts = []
    new_context = Browser.new_context

    def watched(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        context.expose_binding("__axeReport", lambda _source, where, violations: found.extend(
            f"{where}: {v['id']} ({v['help']}) at {', '.join(v['nodes'][:3])}" for v in violations))
        context.add_init_script(AXE)
        context.add_init_script(AXE_WATCH)
        close = context.close

        def close_when_checked(*close_args, **close_kwargs):
            _let_axe_finish(context)
            open_contexts.remove(context)
            return close(*close_args, **close_kwargs)
        context.close = close_when_checked
        open_contexts.append(context)
        return context
    monkeypatch.setattr(Browser, "new_context", watched)
    yield
    for context in list(open_contexts):  # left open by the test: checked and closed here
        context.close()
    assert found == [], "axe-core found:\n" + "\n".join(dict.fromkeys(found))


def _let_axe_finish(context):
    for page in context.pages:
        # (a page mid-navigation or crashed has nothing left to wait for)
        with contextlib.suppress(PlaywrightError):
            page.evaluate("window.__axeIdle && window.__axeIdle()")


def _page(browser, options):
    """A page in a browser context of its own: its own cookies, storage and device. Whatever the
    test does, the Content-Security-Policy must not have blocked anything the kiosk itself sent
    (and axe_checked has axe-core look at every page it showed)."""
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


@pytest.fixture
def laptop(browser):
    """An organiser's or a department's desktop browser (DESKTOP)."""
    yield from _page(browser, DESKTOP)


@pytest.fixture
def small_phone(browser):
    """A company's smaller phone (SMALL_PHONE, 360×640), beside `phone`."""
    yield from _page(browser, SMALL_PHONE)
