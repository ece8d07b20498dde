"""Kept copies: a value made once and served again while everything it depends on is the same.

Every kept copy in the kiosk goes through kept(). Its key is the caller's (the inputs the value is
made from: a version, a role, a row) with, inside a request, the language in force and the path
the kiosk is served under, which every rendered piece depends on (words and URLs): a caller cannot
leave them out. A copy is kept per process, least recently used first out when a store is full.
A value that depends on something the key does not hold must not be kept: render it afresh.
"""
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import LRUCache
from flask import current_app, has_request_context, request
from flask_babel import get_locale

T = TypeVar("T")
_MISSING = object()
_stores_made = threading.Lock()


def kept(store: str, key: tuple[Hashable, ...], make: Callable[[], T], most: int = 512) -> T:
    """The value kept under `key` in the named store, made by make() when there is none.

    store: one name per kind of value (its own bound, `most` copies); key: every input of make()
    besides the language and the path served under, which are added here."""
    cache, lock = _store(store, most)
    full_key = (*key, *frame_key())
    with lock:
        value = cache.get(full_key, _MISSING)
    if value is _MISSING:
        value = make()  # (outside the lock: two threads may both make it, and both get the same)
        with lock:
            cache[full_key] = value
    return value


def frame_key() -> tuple[str | None, str | None]:
    """What every rendered piece depends on in a request: the language in force (force_locale
    included) and the path the kiosk is served under (SCRIPT_NAME, in every URL)."""
    if not has_request_context():
        return str(get_locale()), None
    return str(get_locale()), request.script_root


def _store(name: str, most: int) -> tuple[LRUCache, threading.Lock]:
    stores = current_app.extensions.get("kept")
    if stores is None or name not in stores:
        with _stores_made:
            stores = current_app.extensions.setdefault("kept", {})
            stores.setdefault(name, (LRUCache(maxsize=most), threading.Lock()))
    return stores[name]
