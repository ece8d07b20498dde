"""A local stand-in for the notification channels' far ends, for tests and the demo: nothing the
kiosk sends here reaches the internet.

- HTTP: records every POST (path, query, headers, JSON or form body) and answers as the real
  service would: a WeCom group robot ({"errcode": 0, "errmsg": "ok"}) or, for a SendSms (its
  x-acs-action header, or a form's Action), Alibaba Cloud SMS ({"Code": "OK", ...}).
- SMTP (aiosmtpd): records every message's envelope, headers, subject and text.

Each delivery is kept once per idempotency key, with a count of how many times it came. The key is
where each channel carries it: the robot's `Idempotency-Key` header, the SMS's `OutId` field (the
provider's own field for the caller's id), the e-mail's Message-ID (`<key@domain>`, the key
percent-encoded so that any key makes a valid Message-ID).

Plans make chosen requests fail: `sink.plan(status=500)` answers the next matching request 500,
`sink.plan(hang=3)` holds it 3 s before answering (the provider got it, the answer came late: a
client that timed out and sends again is counted twice), `sink.plan(reply={...})` answers a
provider's refusal. `GET /_sink/received` gives what was received as JSON, `POST /_sink/plan` and
`POST /_sink/reset` do the same from another process.

Run it: `python scripts/fake_sink.py --http-port 8025 --smtp-port 8026` (Ctrl-C or SIGTERM stops
it). Tests import `FakeSink` through tests/notify_fakes.py. It needs aiosmtpd, a test extra: it
runs from the checkout's venv (make's setup installs '.[test]'), never from a production install.
"""
import argparse
import asyncio
import contextlib
import json
import logging
import signal
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.smtp import SMTP, AuthResult

# aiosmtpd itself warns on every successful AUTH (its own legacy attribute, set by its own code)
logging.getLogger("mail.log").addFilter(lambda record: "login_data is deprecated" not in record.getMessage())

KEY_HEADER = "Idempotency-Key"
SMS_KEY_FIELD = "OutId"
WECOM_OK = {"errcode": 0, "errmsg": "ok"}


def sms_ok(key):
    return {"Code": "OK", "Message": "OK", "BizId": f"fake-{abs(hash(key)) % 10**9}", "RequestId": "fake-request"}


def key_from_message_id(message_id):
    """The kiosk's key from a Message-ID `<percent-encoded key@domain>`."""
    left = (message_id or "").strip().strip("<>").rpartition("@")[0]
    return urllib.parse.unquote(left) if left else None


@dataclass
class Plan:
    """What to do with the next `times` requests matching `channel` (http or smtp) and `path`
    (a prefix of the HTTP path; ignored for SMTP)."""
    channel: str = "http"
    path: str = "/"
    status: int | None = None
    hang: float | None = None
    reply: dict | None = None
    smtp_reply: str | None = None
    times: int = 1

    def matches(self, channel, path):
        return self.channel == channel and (channel == "smtp" or path.startswith(self.path))


@dataclass
class Record:
    channel: str
    key: str | None
    at: float
    data: dict
    status: int = 200
    delivered: bool = True

    def as_dict(self):
        return {"channel": self.channel, "key": self.key, "at": self.at, "status": self.status,
                "delivered": self.delivered, **self.data}


@dataclass
class FakeSink:
    host: str = "127.0.0.1"
    http_port: int = 0
    smtp_port: int = 0
    records: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    #: a server TLS context: the SMTP side then offers STARTTLS and takes no mail before it
    smtp_starttls: ssl.SSLContext | None = None
    #: a server TLS context: the SMTP side then speaks TLS from the first byte (SMTPS, port 465's way)
    smtp_ssl: ssl.SSLContext | None = None

    def __post_init__(self):
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._http = None
        self._loop = None
        self._smtp_server = None

    # --- what tests read -------------------------------------------------------------------
    @property
    def http_url(self):
        return f"http://{self.host}:{self.http_port}"

    def received(self, channel=None):
        """Every request or message received, in order, failed ones included (as dicts)."""
        with self._lock:
            return [r.as_dict() for r in self.records if channel in (None, r.channel)]

    def delivered(self, channel=None):
        """Each delivered message once per key (the first delivery of each), in order."""
        seen, out = set(), []
        for record in self.received(channel):
            if record["delivered"] and (record["key"] is None or record["key"] not in seen):
                seen.add(record["key"])
                out.append(record)
        return out

    def counts(self, channel=None):
        """How many times each key was delivered (a count above 1 is a message sent twice)."""
        out = {}
        for record in self.received(channel):
            if record["delivered"]:
                out[record["key"]] = out.get(record["key"], 0) + 1
        return out

    def plan(self, **kwargs):
        with self._lock:
            self.plans.append(Plan(**kwargs))

    def reset(self):
        with self._lock:
            self.records.clear()
            self.plans.clear()

    def wait_for(self, count, channel=None, timeout=10.0):
        """Wait until `count` deliveries (failed ones not counted) have come; returns them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = [r for r in self.received(channel) if r["delivered"]]
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise TimeoutError(f"{count} deliveries expected, {len(got)} came")

    def as_json(self):
        return {"received": self.received(), "delivered": self.delivered(), "counts": self.counts()}

    # --- what the servers call -------------------------------------------------------------
    def _take_plan(self, channel, path):
        with self._lock:
            for plan in self.plans:
                if plan.matches(channel, path):
                    plan.times -= 1
                    if plan.times <= 0:
                        self.plans.remove(plan)
                    return plan
        return None

    def _record(self, record):
        with self._lock:
            self.records.append(record)

    # --- starting and stopping -------------------------------------------------------------
    def start(self):
        self._http = ThreadingHTTPServer((self.host, self.http_port), _handler_for(self))
        self._http.daemon_threads = True
        self.http_port = self._http.server_address[1]
        threading.Thread(target=self._http.serve_forever, name="fake-sink-http", daemon=True).start()
        started = threading.Event()
        threading.Thread(target=self._run_smtp, args=(started,), name="fake-sink-smtp", daemon=True).start()
        if not started.wait(10):
            raise RuntimeError("the fake SMTP server did not start")
        return self

    def _run_smtp(self, started):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        handler = _SmtpHandler(self)
        # AUTH over plain text: a loopback fake; the kiosk's own TLS settings are tested apart
        self._smtp_server = self._loop.run_until_complete(self._loop.create_server(
            lambda: SMTP(handler, authenticator=handler.authenticate, auth_require_tls=False,
                         enable_SMTPUTF8=True, hostname="fake-sink", tls_context=self.smtp_starttls,
                         require_starttls=self.smtp_starttls is not None),
            self.host, self.smtp_port, ssl=self.smtp_ssl))
        self.smtp_port = self._smtp_server.sockets[0].getsockname()[1]
        started.set()
        self._loop.run_forever()
        for task in asyncio.all_tasks(self._loop):  # sessions still open (a hang plan's among them)
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*asyncio.all_tasks(self._loop), return_exceptions=True))
        self._smtp_server.close()
        self._loop.run_until_complete(self._smtp_server.wait_closed())
        self._loop.close()

    def stop(self):
        """Stop both servers (a second call does nothing)."""
        if self._stopping.is_set():
            return
        self._stopping.set()  # wakes any request held by a `hang` plan
        if self._http:
            self._http.shutdown()
            self._http.server_close()
        if self._loop:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _handler_for(sink):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet: tests and the demo read /_sink/received instead
            pass

        def do_GET(self):
            if self.path.startswith("/_sink/received"):
                return self._answer(200, sink.as_json())
            return self._answer(404, {"error": "not found"})

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/_sink/reset":
                sink.reset()
                return self._answer(200, {"ok": True})
            if url.path == "/_sink/plan":
                sink.plan(**json.loads(raw or b"{}"))
                return self._answer(200, {"ok": True})
            data = {"method": "POST", "path": url.path, "query": dict(urllib.parse.parse_qsl(url.query)),
                    "headers": dict(self.headers.items()), "raw": raw.decode("utf-8", "replace")}
            content_type = self.headers.get("Content-Type", "")
            if "json" in content_type:
                data["json"] = json.loads(raw or b"null")
            elif "form" in content_type:
                data["form"] = dict(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
            form = data.get("form") or {}
            key = self.headers.get(KEY_HEADER) or form.get(SMS_KEY_FIELD)
            is_sms = "SendSms" in (self.headers.get("x-acs-action"), form.get("Action"))
            reply = sms_ok(key) if is_sms else WECOM_OK
            plan = sink._take_plan("http", url.path)
            status = 200
            if plan and plan.hang:
                sink._stopping.wait(plan.hang)
            if plan and plan.status:
                status, reply = plan.status, {"error": "planned failure"}
            if plan and plan.reply is not None:
                reply = plan.reply
            refused = reply.get("errcode", 0) != 0 or reply.get("Code", "OK") != "OK"
            sink._record(Record("http", key, time.time(), data, status=status,
                                delivered=status == 200 and not refused))
            with contextlib.suppress(OSError):  # a client that gave up waiting (a hang plan): recorded all the same
                self._answer(status, reply)

        def _answer(self, status, body):
            payload = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


class _SmtpHandler:
    def __init__(self, sink):
        self.sink = sink

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        session.fake_login = {"mechanism": mechanism, "login": getattr(auth_data, "login", b"").decode(),
                              "password": getattr(auth_data, "password", b"").decode()}
        return AuthResult(success=True)

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        body = message.get_body(("plain",))
        data = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                "headers": {k: str(v) for k, v in message.items()}, "subject": str(message["Subject"] or ""),
                "text": body.get_content().replace("\r\n", "\n") if body else "",
                "auth": getattr(session, "fake_login", None)}
        key = key_from_message_id(message["Message-ID"])
        plan = self.sink._take_plan("smtp", "")
        if plan and plan.hang:
            await asyncio.sleep(plan.hang)
        answer = (plan.smtp_reply if plan and plan.smtp_reply else None) or "250 OK"
        self.sink._record(Record("smtp", key, time.time(), data, status=int(answer[:3]),
                                 delivered=answer.startswith("2")))
        return answer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument("--smtp-port", type=int, default=8026)
    args = parser.parse_args()
    sink = FakeSink(args.host, args.http_port, args.smtp_port).start()
    print(f"fake sink: HTTP {sink.http_url} (what it received: {sink.http_url}/_sink/received), "
          f"SMTP {sink.host}:{sink.smtp_port}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    sink.stop()


if __name__ == "__main__":
    main()
