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
#: (2: the current due date everywhere with the original beside it, the company's verdict, UTF-8 as is)
SHAPES = "2"
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


#: RFC 3339's date-time, ASCII digits only (a regex's \d takes any script's). Lenient where that
#: costs nothing: the seconds, the zone (then the kiosk's own), a space for the "T", "+0800" for
#: "+08:00", and a "+" left unescaped in the URL (so read as a space)
_RFC3339 = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?"
                      r"([Zz]|[+ -][0-9]{2}:?[0-9]{2})?")
_DATE_ALONE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_TIME = "a date-time as RFC 3339 has it, e.g. 2026-06-13T09:30:00+08:00"


def instant(name: str) -> datetime | None:
    """An RFC 3339 date-time (2026-06-13T09:30:00+08:00, ...Z) as naive UTC, as times are stored.
    A date alone is refused (which moment of which zone's day?); so is any field out of its range.
    Everything RFC 3339 can say is taken: a leap second as :59, a year before 1 or an offset past
    the end of time as the earliest or latest instant."""
    raw = request.args.get(name)
    if raw is None:
        return None
    match = _RFC3339.fullmatch(raw)
    if match is None:
        if _DATE_ALONE.fullmatch(raw):
            raise BadQuery(name, f"{DATE_TIME}; a date alone is not one: give its time, e.g. {raw}T00:00:00+08:00")
        raise BadQuery(name, DATE_TIME)
    year, month, day, hour, minute, second, zone = match.groups()
    zone_hours, zone_minutes = (0, 0) if zone is None or zone in "Zz" else (
        int(zone[1:3]), int(zone[1:].replace(":", "")[2:]))
    if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 60 or zone_hours > 23 or zone_minutes > 59:
        raise BadQuery(name, DATE_TIME)
    try:
        day_ = date(max(int(year), 1), int(month), int(day))
    except ValueError as error:
        raise BadQuery(name, DATE_TIME) from error
    clock = time(int(hour), int(minute), min(int(second or 0), 59))
    if zone is None:
        local = datetime.combine(day_, clock, ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        offset = local.utcoffset()
    else:
        sign = -1 if zone[0] == "-" else 1
        offset = sign * timedelta(hours=zone_hours, minutes=zone_minutes)
    naive = datetime.combine(day_, clock)
    try:
        return naive - offset
    except OverflowError:
        return datetime.min if offset > timedelta(0) else datetime.max


# --- the answer -----------------------------------------------------------------------------------

def iso(value: datetime | None) -> str | None:
    """A stored time (naive UTC, or aware as AwareDateTime's are) in ISO 8601 with the kiosk's zone:
    2026-06-13T09:30:00+08:00."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(zone).isoformat(
        timespec="seconds")


def end_of(day: date | None) -> str | None:
    """A due date as the last second of that day where the fair is: Open311 wants a date-time."""
    if day is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time(23, 59, 59), zone).isoformat(timespec="seconds")


def due_dates(original: date | None, current: date | None) -> dict:
    """The due dates as every resource names them: Open311's expected_datetime is the due date as it
    stands now (after any extensions), original_expected_datetime the one the plan was given with."""
    return {"expected_datetime": end_of(current), "original_expected_datetime": end_of(original)}


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


#: the schemas of due_dates()' fields
DUE_DATES = {
    "expected_datetime": {
        "type": "string", "format": "date-time", "nullable": True,
        "description": "Open311's: the due date as it stands now, after any extensions, to its last second "
                       "where the fair is (null: no plan). The same in every resource that shows a due date."},
    "original_expected_datetime": {
        "type": "string", "format": "date-time", "nullable": True,
        "description": "The due date the plan was given with at the fair, never moved by an extension (on time "
                       "is judged on it), to its last second where the fair is (null: no plan)."},
}


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
