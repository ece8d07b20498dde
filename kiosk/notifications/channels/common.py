"""What every channel shares: its two failures, its timeout, an HTTP POST whose failures never
carry a secret, and the scrubbing of any text shown to organisers or logged."""
import functools
import logging
import urllib.parse

import httpx
from flask import current_app


class DeliveryFailed(Exception):
    """The channel did not take the message this time (a timeout, a 5xx, a refused connection, the
    robot's rate limit): the worker tries again later, not before `retry_after` seconds when the
    channel said how long to wait. Its text is shown to organisers: never put a secret in it."""

    def __init__(self, text: str = "", retry_after: float | None = None):
        super().__init__(text)
        self.retry_after = retry_after


class Undeliverable(DeliveryFailed):
    """Trying again cannot help (no channel configured any more, no consent, the provider refused
    the template or the key): the message fails at once."""


def timeout() -> float:
    return current_app.config["NOTIFY_TIMEOUT_SECONDS"]


def scrub(text: str, secrets) -> str:
    """The text with every secret replaced by dots (an answer that echoes a key, an exception that
    names the URL it failed on)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "••••")
            # a URL's key also appears percent-encoded, or on its own after "key="
            key = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(secret).query)).get("key")
            if key:
                text = text.replace(key, "••••")
    return text


def host_of(url: str) -> str:
    """What a failure may name of a URL: its host (a robot's URL holds its key in the query)."""
    return urllib.parse.urlsplit(url).hostname or "?"


@functools.cache
def _tls():
    """httpx's own TLS context, made once: made for each POST, loading the CA bundle took most of
    a message's time in the worker (bench/RESULTS.md)."""
    return httpx.create_ssl_context()


def post(url: str, **kwargs) -> httpx.Response:
    """POST with the channels' timeout. A failure to get an answer is DeliveryFailed naming only
    the host and what went wrong: httpx's own messages may quote the URL, key and all."""
    try:
        return httpx.post(url, timeout=timeout(), follow_redirects=False, verify=_tls(), **kwargs)
    except httpx.TimeoutException:
        raise DeliveryFailed(f"{host_of(url)} 在 {timeout():g} 秒内没有应答（超时）") from None
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"无法连接 {host_of(url)}（{type(error).__name__}）") from None


class _NoQueryInLogs(logging.Filter):
    """httpx logs each request's URL at INFO ("HTTP Request: POST https://...?key=..."): a robot's
    key would reach the logs. The URL is logged without its query."""

    def filter(self, record):
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(a.copy_with(query=None) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_NoQueryInLogs())
