"""How a route is documented in mockplex's OpenAPI document: the operation, declared
beside the route with :func:`documented`, and the pieces operations are made of. No
library is imported here: declaring costs start-up next to nothing, and apispec loads
only when the document is first asked for (:mod:`mockplex.control.openapi`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from mockplex.domain.ids import ID_RANGE

JSON = "application/json"
XML = "application/xml"
NEGOTIATED = (JSON, XML)  # the plex.tv routes answer XML unless asked for JSON
OPERATIONS = "openapi_operations"  # the attribute a documented view carries

V = TypeVar("V", bound=Callable[..., Any])


def documented(**operations: dict[str, Any]) -> Callable[[V], V]:
    """``@documented(get={...})``: the OpenAPI operation of each HTTP method of a view."""
    def declare(view: V) -> V:
        setattr(view, OPERATIONS, operations)
        return view
    return declare


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def answer(description: str, schema: dict[str, Any] | None = None,
           media: tuple[str, ...] = (JSON,)) -> dict[str, Any]:
    if schema is None:
        return {"description": description}
    content: dict[str, Any] = {}
    for media_type in media:
        content[media_type] = {"schema": schema if media_type == JSON else {"type": "string"}}
    return {"description": description, "content": content}


def plex_error(description: str) -> dict[str, Any]:
    return answer(description, ref("Errors"), NEGOTIATED)


def control_error(description: str) -> dict[str, Any]:
    return answer(description, ref("Errors"))


def header(name: str, description: str) -> dict[str, Any]:
    return {"in": "header", "name": name, "required": False, "description": description,
            "schema": {"type": "string"}}


CLIENT_ID = {**header("X-Plex-Client-Identifier", "who asks (plex.tv answers 400 without it; "
                                                  "a query or form field will also do)"),
             "required": True, "schema": {"type": "string", "minLength": 1}}
PRODUCT = header("X-Plex-Product", "the app's name")
TOKEN = header("X-Plex-Token", "an account's token")
ACCEPT = header("Accept", "application/json for JSON; anything else gets XML")
PIN_ID_SCHEMA = {"type": "integer", "minimum": ID_RANGE[0], "maximum": ID_RANGE[1]}
PIN_ID = {"in": "path", "name": "id", "required": True, "schema": PIN_ID_SCHEMA}
UNEMULATED = plex_error("a path or method mockplex does not emulate")
NO_TOKEN = plex_error("a missing or unknown token (1001)")
REVOKED = answer("a revoked or signed-out token", {"type": "string"}, (XML,))
XML_ONLY = {"description": "XML", "content": {XML: {"schema": {"type": "string"}}}}
FILTERS = [{"in": "query", "name": name, "required": False,
            "schema": {"type": "string", "enum": ["0", "1"]}}
           for name in ("includeHttps", "includeRelay", "includeIPv6")]
SIGNED_OUT = {"401": NO_TOKEN, "422": REVOKED}

def control(summary: str, responses: dict[str, Any], body: str | None = None,
            parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "tags": ["control"],
                                 "responses": responses}
    if body:
        operation["requestBody"] = {"required": body not in OPTIONAL_BODIES,
                                    "content": {JSON: {"schema": ref(body)}}}
    if parameters:
        operation["parameters"] = parameters
    return operation


def array(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


OBJECT = {"type": "object"}
OPTIONAL_BODIES = {"VerifyArgs"}  # the others are required
BAD_BODY = control_error("a body that is not valid JSON or not of the schema")
NO_PIN = control_error("no live pin has that id")
RULE = answer("the rule in force", {"type": "object", "properties": {
    "autoApprove": {"type": "string", "nullable": True}}})
