"""The access log carries no tokens: tracking links and the hall screen's link are masked in the
request line, the path and the Referer."""
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

CONF = Path(__file__).parent.parent / "gunicorn.conf.py"
TOKEN = "Q3x_9kLmN2pR7sT1vW4yZ6aB8cD0eF"


def test_the_access_log_masks_tracking_and_screen_tokens(tmp_path):
    settings = runpy.run_path(str(CONF))
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s %(U)s "%(f)s" %({referer}i)s')
    logger = settings["logger_class"](cfg)
    for path, referer in [(f"/t/{TOKEN}", f"https://kiosk.example/t/{TOKEN}"),
                          (f"/t/{TOKEN}/slip", "-"), (f"/screen/{TOKEN}", f"https://kiosk.example/screen/{TOKEN}?x=1")]:
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.7", "HTTP_REFERER": referer}
        response = SimpleNamespace(status="200 OK", sent=10, headers=[])
        request = SimpleNamespace(headers=[("REFERER", referer)])
        logger.access(response, request, environ, timedelta(milliseconds=5))
    _close(logger)
    logged = (tmp_path / "access.log").read_text()
    assert TOKEN not in logged
    assert logged.count("/t/***") >= 4 and "/screen/***" in logged and "/t/***/slip" in logged


def test_the_start_says_the_address_it_listens_at(tmp_path):
    """With a socket per worker (reuse_port) the master holds none, and gunicorn's own line would
    read "Listening at:  (pid)"."""
    settings = runpy.run_path(str(CONF))
    cfg = Config()
    cfg.set("bind", ["0.0.0.0:8000", "[::1]:8001"])
    cfg.set("errorlog", str(tmp_path / "error.log"))
    logger = settings["logger_class"](cfg)
    logger.info("Listening at: %s (%s)", "", 4242)
    logger.info("Listening at: %s (%s)", "http://127.0.0.1:9000", 4243)
    _close(logger)
    logged = (tmp_path / "error.log").read_text()
    assert "Listening at: 0.0.0.0:8000, [::1]:8001, a socket per worker (4242)" in logged
    assert "Listening at: http://127.0.0.1:9000 (4243)" in logged


def _close(logger):
    """gunicorn's loggers are the process's: the next test's would otherwise leave these files open."""
    for log in (logger.access_log, logger.error_log):
        for handler in list(log.handlers):
            handler.close()
            log.removeHandler(handler)
