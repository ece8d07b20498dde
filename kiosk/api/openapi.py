"""The OpenAPI 3 document, gathered from the resources' own PATHS and SCHEMAS (kiosk.api.RESOURCES).

Written by hand rather than generated (apispec, flask-smorest): each resource states its schema as
a dict beside the function that makes the JSON, which is what a generator would need written anyway
(as marshmallow schemas), and the two checks a generator would stand for are in the tests:
openapi-spec-validator checks the document, schemathesis checks every answer against it.
"""
import hashlib
import json
from functools import cache

from flask import current_app

from kiosk.api import bp
from kiosk.api.common import MAX_PAGE_SIZE
from kiosk.core.rendering import not_modified

ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string"}, "message": {"type": "string"}, "parameter": {"type": "string"},
    "status": {"type": "integer"}}}


def document() -> dict:
    from kiosk.api import RESOURCES
    paths, schemas = {}, {"Error": ERROR}
    for resource in RESOURCES:
        paths.update(resource.PATHS)
        schemas.update(resource.SCHEMAS)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "要素保障大集 kiosk: read-only API",
            "version": "1.0.0",
            "description": (
                "Fairs, their tallies, their requests, the ledger's items after the fair and the published "
                "rankings, for the city's other systems. Read with a bearer token that an organiser issues "
                "(the organisers' page 数据接口, /organiser/api-tokens); a token with the public scope gets no "
                "personal data. Lists come in pages: {count, next, previous, results}, up to "
                f"{MAX_PAGE_SIZE} a page. Every answer carries an ETag: send it back in If-None-Match and an "
                "unchanged answer is a 304. Times are ISO 8601 with their zone; a time asked for (modified_since) "
                "is an RFC 3339 date-time with its time, and a value a parameter cannot take is a 400 naming it "
                "and its format. JSON comes in UTF-8, Chinese as it is (not escaped). Every due date is "
                "named alike: expected_datetime the current one (after extensions), original_expected_datetime "
                "the plan's. Texts (status_notes, service_name) follow Accept-Language: Chinese, or English for "
                "en."),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "tags": [{"name": resource.__name__.rsplit(".", 1)[-1]} for resource in RESOURCES],
        "paths": {**paths, "/openapi.json": {"get": {
            "operationId": "getOpenApi", "summary": "This document.", "security": [],
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "304": {"description": "Unchanged since the ETag given."}}}}},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A token issued by an organiser: kapi_..."}},
            "schemas": schemas,
            "headers": {"ETag": {"description": "Send it back in If-None-Match; unchanged is a 304.",
                                 "schema": {"type": "string"}}},
            "responses": {
                "Unauthorised": _error("No token, an unknown one or a revoked one."),
                "NotFound": _error("No such thing."),
                "BadRequest": _error("A query parameter the API cannot use; `parameter` names it."),
            },
        },
    }


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


@cache
def _rendered() -> tuple[bytes, str]:
    body = json.dumps(document(), ensure_ascii=False, indent=1).encode()
    return body, "doc-" + hashlib.sha256(body).hexdigest()[:16]


@bp.get("/openapi.json")
def openapi():
    body, etag = _rendered()
    held = not_modified(etag)
    if held is not None:
        return held
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "no-cache"
    return response
