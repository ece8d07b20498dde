"""The read-only JSON API for the city's other systems, under /api/v1, described by the OpenAPI 3
document at /api/v1/openapi.json.

A system reads it with a bearer token an organiser issued (`Authorization: Bearer kapi_...`):
no cookie, no session, no CSRF (nothing here writes). A token's scope decides whether personal data
(the company, its contact and phone, the request's text) is in the answers; the public scope gets
figures and states only. An organiser revokes a token and the next request with it is refused.

Each resource is a module in kiosk.api.resources: its routes on `bp`, its OpenAPI paths (PATHS) and
schemas (SCHEMAS). Adding one (the ledger's items, the scoreboard's rankings) is a module and a line
in RESOURCES below; kiosk.api.openapi gathers the document from them.
"""
import re
from functools import cache

from flask import Blueprint, current_app, g, jsonify, request

from kiosk.api.common import BadQuery, bad_query
from kiosk.api.tokens import token_for

bp = Blueprint("api", __name__, url_prefix="/api/v1")
#: the endpoints anyone may read: the document that says how to use the rest
OPEN = {"api.openapi"}


@bp.before_request
def known_parameters_only():
    """A query parameter the document does not name is a 400: a system that misspells
    modified_since must hear of it, not be sent every request there is."""
    unknown = sorted(set(request.args) - _parameters().get(request.endpoint, set()))
    if unknown:
        raise BadQuery(unknown[0], "not a parameter of this operation (see /api/v1/openapi.json)")


@cache
def _parameters() -> dict[str, set[str]]:
    """Each endpoint's query parameters, as the OpenAPI document declares them."""
    from kiosk.api.openapi import document
    paths = document()["paths"]
    known = {}
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{bp.name}."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix(bp.url_prefix)
            known[rule.endpoint] = {p["name"] for p in paths[path]["get"].get("parameters", []) if p["in"] == "query"}
    return known


@bp.before_request
def authenticate():
    """The bearer token, or a 401 (RFC 6750). A signed-in organiser's session counts for nothing
    here: another system never holds one, and a browser's cookie must not open the API to a page
    that makes the browser ask."""
    if request.endpoint in OPEN:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    record = token_for(token.strip()) if scheme.lower() == "bearer" else None
    if record is None:
        problem = "invalid_token" if token else "missing_token"
        response = jsonify(error=problem, message="A valid bearer token is needed: Authorization: Bearer <token>.")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk"' + (', error="invalid_token"' if token else "")
        response.headers["Cache-Control"] = "no-store"
        return response
    g.api_token = record
    return None


def sees_personal_data() -> bool:
    """Whether this request's token may read personal data."""
    return g.api_token.scope.sees_personal_data


bp.register_error_handler(BadQuery, bad_query)

from kiosk.api import openapi  # noqa: E402,F401  (its route joins bp)
from kiosk.api.resources import fairs, ledger, rankings, requests, tallies  # noqa: E402

#: every resource, in the document's order
RESOURCES = (fairs, tallies, requests, ledger, rankings)
