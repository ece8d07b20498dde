"""A server process is ready for a burst before its first request: the first submissions of a
fair's opening do not each wait while Jinja compiles the ticket's page."""
import runpy
from pathlib import Path
from types import SimpleNamespace

import jinja2

SETTINGS = runpy.run_path(str(Path(__file__).parent.parent / "gunicorn.conf.py"))


def test_each_server_process_compiles_every_template_before_it_serves(app, monkeypatch):
    SETTINGS["post_worker_init"](SimpleNamespace(wsgi=app))

    def read_from_disk(*_args):
        raise AssertionError("a template was compiled while serving")

    monkeypatch.setattr(jinja2.BaseLoader, "load", read_from_disk)
    names = app.jinja_env.list_templates()
    assert "intake/track.html" in names and "base.html" in names
    for name in names:
        app.jinja_env.get_template(name)


def test_a_wrapped_app_is_served_as_it_is():
    SETTINGS["post_worker_init"](SimpleNamespace(wsgi=lambda environ, start_response: []))
