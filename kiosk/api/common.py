"""What every resource of the API shares: reading the query (pages, filters, modified_since), the
page's shape {count, next, previous, results}, times in ISO 8601 with their zone, and the ETag that
lets a system polling for changes get a 304 without the answer being made.

Each piece comes with its OpenAPI text (the parameter or schema), so that the document says what
the code does; tests/test_api.py checks the document and schemathesis checks the code against it.
"""
import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, g, jsonify, request, url_for

from kiosk.core.extensions import db
from kiosk.core.i18n import language_key
from kiosk.core.rendering import not_modified, tagged
from kiosk.versions import all_fairs_version

#: the version of the API's shapes: part of every ETag, so a deploy that changes them is no 304
SHAPES = "1"
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200
#: beyond any page a real list has (1000 fairs of 1000 requests at the smallest page); also keeps
#: the OFFSET within what every database takes
MAX_PAGE = 1_000_000


class BadQuery(Exception):
    """A query parameter the API cannot use: a 400 naming it."""

    def __init__(self, parameter: str, problem: str):
        super().__init__(parameter, problem)
        self.parameter, self.problem = parameter, problem


def bad_query(error: BadQuery):
    return jsonify(error="bad_request", parameter=error.parameter, message=error.problem), 400


# --- the query ------------------------------------------------------------------------------------

def integer(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,12}", raw) or not low <= int(raw) <= high:
        raise BadQuery(name, f"an integer from {low} to {high}")
    return int(raw)


def choice(name: str, values) -> str | None:
    raw = request.args.get(name)
    if raw is not None and raw not in values:
        raise BadQuery(name, "one of " + ", ".join(values))
    return raw


_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?([Zz]|[+ -]\d\d:?\d\d)?)?")


def instant(name: str) -> datetime | None:
    """An RFC 3339 date-time (2026-06-13T09:30:00+08:00, ...Z) as naive UTC, as times are stored. Lenient
    where that costs nothing: a date alone is its midnight, a time without a zone is the kiosk's own
    zone's; a "+" left unescaped in the URL (so read as a space) is a "+". Everything RFC 3339 can say is taken: a leap second as :59, a year before 1 or an
    offset past the end of time as the earliest or latest instant."""
    raw = request.args.get(name)
    if raw is None:
        return None
    match = _RFC3339.fullmatch(raw)
    if match is None:
        raise BadQuery(name, "a date-time as RFC 3339 has it, e.g. 2026-06-13T09:30:00+08:00")
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        day_ = date(max(int(year), 1), int(month), int(day))
        clock = time(int(hour or 0), int(minute or 0), min(int(second or 0), 59))
    except ValueError as error:
        raise BadQuery(name, "a date-time as RFC 3339 has it, e.g. 2026-06-13T09:30:00+08:00") from error
    if int(hour or 0) > 23 or int(minute or 0) > 59:
        raise BadQuery(name, "a date-time as RFC 3339 has it, e.g. 2026-06-13T09:30:00+08:00")
    if zone is None:
        local = datetime.combine(day_, clock, ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        offset = local.utcoffset()
    elif zone in "Zz":
        offset = timedelta(0)
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    naive = datetime.combine(day_, clock)
    try:
        return naive - offset
    except OverflowError:
        return datetime.min if offset > timedelta(0) else datetime.max


# --- the answer -----------------------------------------------------------------------------------

def iso(value: datetime | None) -> str | None:
    """A stored (naive UTC) time in ISO 8601 with the kiosk's zone: 2026-06-13T09:30:00+08:00."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.replace(tzinfo=UTC).astimezone(zone).isoformat(timespec="seconds")


def end_of(day: date | None) -> str | None:
    """A due date as the last second of that day where the fair is: Open311 wants a date-time."""
    if day is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time(23, 59, 59), zone).isoformat(timespec="seconds")


def page_of(statement: sa.Select, serialize) -> dict:
    """One page of a statement's rows (in its own order: give it one), each serialised, with the
    count of all and the links to the pages beside it."""
    page = integer("page", 1, 1, MAX_PAGE)
    size = integer("page_size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.scalars(statement.limit(size).offset((page - 1) * size)).unique().all()
    return {"count": count,
            "next": _page_link(page + 1) if page * size < count else None,
            "previous": _page_link(min(page - 1, -(-count // size))) if page > 1 else None,
            "results": [serialize(row) for row in rows]}


def _page_link(page: int) -> str:
    args = {**request.args.to_dict(), "page": page}
    if page <= 1:
        args.pop("page")
    return url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)


def cached(make, version=all_fairs_version):
    """Answer 304 if the client holds what make() would give, else make() and tag it. The tag is
    the version of every fair's set-up and every booth's queue (kiosk.changes moves them on any write
    a request or a fair shows; a resource that shows something else gives its own `version`), with
    what was asked, by which scope, in which language."""
    asked = f"{request.full_path}|{g.api_token.scope.value}|{language_key()}|{SHAPES}"
    etag = f"api-{version()}-{hashlib.sha256(asked.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"
    held = not_modified(etag)
    if held is not None:
        return held
    return tagged(jsonify(make()), etag)


# --- OpenAPI pieces -------------------------------------------------------------------------------

def parameter(name: str, schema: dict, description: str, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path", "description": description,
            "schema": schema}


PAGE_PARAMETERS = [
    parameter("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
              "The page, from 1. A page past the last holds no results."),
    parameter("page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE},
              "Results per page."),
]


def page_schema(item: str) -> dict:
    return {"type": "object", "required": ["count", "next", "previous", "results"], "properties": {
        "count": {"type": "integer", "minimum": 0, "description": "All results, on every page."},
        "next": {"type": "string", "format": "uri", "nullable": True},
        "previous": {"type": "string", "format": "uri", "nullable": True},
        "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}}}


def answers(schema_ref: str, description: str, *, not_found: bool = False, bad_query_: bool = False) -> dict:
    """A GET's responses: 200 (with ETag), 304, 401, and 404 / 400 where they can happen."""
    responses = {
        "200": {"description": description,
                "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}},
        "304": {"description": "Unchanged since the ETag given in If-None-Match."},
        "401": {"$ref": "#/components/responses/Unauthorised"},
    }
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    if bad_query_:
        responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    return responses
