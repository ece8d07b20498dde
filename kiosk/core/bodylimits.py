"""A larger request body for the few routes that take files, the limit staying MAX_CONTENT_LENGTH
(2 MB) everywhere else.

A route marked with `@larger_body(limit)` (below its route decorator, so that the function Flask
registers carries the mark) has `limit(view_args)` asked before the form is read: a number raises
this request's `max_content_length` (Flask 3.1), None keeps the app's. It runs first of all the
before_request functions, ahead of the NUL check (kiosk.core.security), which reads the form. A body
over the limit is refused as any other (413), and nginx keeps the same limits (its own location for
those paths: deploy/nginx/kiosk.conf).
"""
from collections.abc import Callable

from flask import Flask, request

#: the attribute a marked view carries
MARK = "larger_body"


def larger_body(limit: Callable[[dict], int | None]):
    def mark(view):
        setattr(view, MARK, limit)
        return view
    return mark


def init(app: Flask) -> None:
    def raise_limit():
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        limit = getattr(view, MARK, None)
        if limit is not None and (size := limit(request.view_args or {})):
            request.max_content_length = size
    app.before_request_funcs.setdefault(None, []).insert(0, raise_limit)
