"""plex.tv's error body, as mockplex/web/errors.py builds it, has exactly the fields
of mockplex/plextv/wire.py's ErrorSchema (the shape the OpenAPI document publishes as
``Error``), with their types: neither side can gain or lose a field alone."""

from __future__ import annotations

import json

import pytest
from marshmallow import Schema

from mockplex.plextv.wire import ERRORS_SCHEMA, ErrorSchema, ErrorsSchema
from mockplex.web import errors
from mockplex.web.errors import error_document, error_json
from tests.values import HEADERS

# Every kind of error the app answers in plex.tv's shape that can be made outside a
# request (Unemulated reads the request it answers; it is the same class underneath).
ERRORS = [
    errors.PlexError(),
    errors.PlexError("a message", status=429),
    errors.PlexError("a message", status=418, code=1234),
    errors.MissingClientIdentifier(),
    errors.BadParameter("Invalid parameters (strong: ['Not a valid boolean.'])"),
    errors.NotAuthenticated(),
    errors.VerificationCodeMissing(),
    errors.CodeNotFound(),
    errors.ControlError("a bad control call", status=409),
]


def wire_names(schema: Schema) -> set[str]:
    """The names a schema's fields have on the wire."""
    return {field.data_key or name for name, field in schema.fields.items()}


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_the_error_body_has_exactly_the_schemas_fields(error):
    document = error_document(error)
    assert set(document) == wire_names(ErrorsSchema())
    [entry] = document["errors"]
    assert set(entry) == wire_names(ErrorSchema())
    assert entry == {"code": error.code, "message": error.message, "status": error.status}
    # The schema's types too: it loads the body unchanged, and dumps it unchanged.
    assert ERRORS_SCHEMA.validate(document) == {}
    assert ERRORS_SCHEMA.load(document) == document
    assert ERRORS_SCHEMA.dump(document) == document
    assert isinstance(entry["code"], int) and isinstance(entry["status"], int)


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_the_servers_and_the_proxys_own_json_is_that_body(error):
    assert json.loads(error_json(error)) == error_document(error)


def test_the_schemas_fields_are_plex_tvs():
    """docs/contract.md: ``{"errors":[{"code":<int>,"message":"<text>","status":<HTTP
    status>}]}``; were a field added to the schema alone, the tests above would fail."""
    assert wire_names(ErrorsSchema()) == {"errors"}
    assert wire_names(ErrorSchema()) == {"code", "message", "status"}
    assert all(field.required for field in ErrorSchema().fields.values())


@pytest.mark.parametrize(("method", "path", "headers", "status"), [
    ("POST", "/api/v2/pins", {}, 400),
    ("GET", "/api/v2/user", {}, 401),
    ("GET", "/api/v2/pins/123456789", HEADERS, 404),
    ("GET", "/api/v2/nothing", HEADERS, 404),  # Unemulated
    ("DELETE", "/api/v2/pins", HEADERS, 405),
    ("POST", "/_mockplex/clock", {}, 400),  # a control error
])
def test_every_error_the_app_answers_has_that_shape(client, method, path, headers, status):
    answer = client.open(path, method=method, headers={**headers, "Accept": "application/json"})
    assert answer.status_code == status
    document = answer.get_json()
    assert ERRORS_SCHEMA.validate(document) == {}  # no field missing, none unknown
    [entry] = document["errors"]
    assert set(entry) == wire_names(ErrorSchema()) and entry["status"] == status


DEEP = "[" * 100_000 + "]" * 100_000  # past the interpreter's recursion limit


@pytest.mark.parametrize(("path", "headers", "wanted"), [
    ("/_mockplex/users", {}, "nested too deeply"),
    ("/api/v2/users/signin", HEADERS, "not valid JSON"),
    ("/api/v2/pins", HEADERS, "not valid JSON"),
])
def test_json_nested_too_deeply_is_a_400_not_a_500(client, path, headers, wanted):
    response = client.post(path, data=DEEP, headers={**headers, "Accept": "application/json"},
                           content_type="application/json")
    assert response.status_code == 400, response.data[:300]
    assert wanted in response.get_json()["errors"][0]["message"]
    assert client.get("/_mockplex/health").status_code == 200
