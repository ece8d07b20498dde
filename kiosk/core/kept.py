"""Kept copies: a value made once and served again while everything it depends on is the same.

Every kept copy in the kiosk goes through kept() (or kept_each(), for many of one kind at once: a
queue's rows). Its key is the caller's (the inputs the value is made from: a version, a role, a
row) with, inside a request, the language in force and the path the kiosk is served under, which
every rendered piece depends on (words and URLs): a caller cannot leave them out. A copy is kept
per process, least recently used first out when a store is full. A value that depends on something
the key does not hold must not be kept: render it afresh.
"""
import itertools
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from flask.globals import _cv_app, _cv_request
from flask_babel import get_locale

T = TypeVar("T")
Item = TypeVar("Item", bound=Hashable)
_MISSING = object()
_stores_made = threading.Lock()


def kept(store: str, key: tuple[Hashable, ...], make: Callable[[], T], most: int = 512) -> T:
    """The value kept under `key` in the named store, made by make() when there is none.

    store: one name per kind of value (its own bound, `most` copies); key: every input of make()
    besides the language and the path served under, which are added here."""
    return _kept(store, most, [(*key, *frame_key())], lambda _index: make())[0]


def kept_each(store: str, items: Sequence[Item], make: Callable[[Item], T], key: tuple[Hashable, ...] = (),
              most: int = 512) -> list[T]:
    """kept() for each of items at once (a queue's rows): the value of an item is make(item), kept
    under the item and `key` (the inputs besides the item, the same for every item); the language
    and the path are looked up once and the store locked once."""
    tail = (*key, *frame_key())
    return _kept(store, most, [(item, *tail) for item in items], lambda index: make(items[index]))


def _kept(store: str, most: int, full_keys: list[tuple], make_at: Callable[[int], T]) -> list[T]:
    copies = _store(store, most)
    values, missing = [], False
    now = next(copies.uses)
    with copies.lock:
        held = copies.held
        for full_key in full_keys:
            entry = held.get(full_key)
            if entry is None:
                values.append(_MISSING)
                missing = True
            else:
                entry[1] = now
                values.append(entry[0])
    if missing:
        made = {}
        for index, value in enumerate(values):
            if value is _MISSING:  # (made outside the lock: two threads may both make it, and both get the same)
                values[index] = made[full_keys[index]] = make_at(index)
        copies.put(made)
    return values


def frame_key() -> tuple[str | None, str | None]:
    """What every rendered piece depends on in a request: the language in force (force_locale
    included) and the path the kiosk is served under (SCRIPT_NAME, in every URL). Outside a
    request there is no path, and no language unless force_locale set one (Flask-Babel chooses one
    from the request: a value with words cannot be made there without it).

    Asked for every kept piece, so it is worked out once per request and locale: Flask-Babel's
    get_locale() and the locale's name cost more than finding a kept copy. force_locale puts another
    Locale object in place for a while, and the identity check then works the key out again."""
    request_context = _cv_request.get(None)
    if request_context is None:  # (a command's work: a language only if it forced one)
        app_context = _cv_app.get(None)
        locale = getattr(app_context and vars(app_context.g).get("_flask_babel"), "babel_locale", None)
        return (None if locale is None else str(locale)), None
    request, babel = request_context.request, vars(_cv_app.get().g).get("_flask_babel")
    held = vars(request).get("_kept_frame")
    if held is not None and held[0] is getattr(babel, "babel_locale", None):
        return held[1]
    locale = get_locale()  # (this sets the locale in force, if nothing had asked yet)
    vars(request)["_kept_frame"] = (locale, key := (str(locale), request.script_root))
    return key


class _Store:
    """One kind of copy, each held with when it was last used, so that finding one is a single
    lookup of its key (a queue poll finds 25 rows; an OrderedDict's move to the end hashed each key
    again). Past `most` copies, the least recently used go, down to three quarters of `most`."""
    __slots__ = ("held", "lock", "most", "uses")

    def __init__(self, most: int):
        self.held: dict[Hashable, list] = {}  # key: [value, when last used]
        self.lock = threading.Lock()
        self.most = most
        self.uses = itertools.count()

    def put(self, made: dict) -> None:
        now = next(self.uses)
        with self.lock:
            for key, value in made.items():
                self.held[key] = [value, now]
            if len(self.held) > self.most:
                by_use = sorted(self.held.items(), key=lambda item: item[1][1], reverse=True)
                self.held = dict(by_use[:max(1, self.most * 3 // 4)])


def _store(name: str, most: int) -> _Store:
    stores = _cv_app.get().app.extensions.get("kept")
    if stores is None or name not in stores:
        with _stores_made:
            stores = _cv_app.get().app.extensions.setdefault("kept", {})
            stores.setdefault(name, _Store(most))
    return stores[name]
