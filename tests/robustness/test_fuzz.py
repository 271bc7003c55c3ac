"""schemathesis against mockplex's own OpenAPI document: no 5xx, and every answer
conforms to what the document says (status, content type, schema).

Nothing is built at import: the apps and the schemas are fixtures, which schemathesis
reads when the test runs (``schemathesis.pytest.from_fixture``), so collecting this
module costs nothing. Each test is then one pytest item running every operation as a
subtest (a failure names its operation)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, settings

from mockplex import LiveServer, create_app, store_of
from mockplex.domain.faults import check_headers
from mockplex.web.errors import PLEX_ENDPOINTS

# Bounded and repeatable in `make test`; MOCKPLEX_FUZZ_EXAMPLES=500 digs deeper (and varies).
DEFAULT_EXAMPLES = 25
EXAMPLES = int(os.environ.get("MOCKPLEX_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
# Over a real socket the framing, not the app, is what is new: so only generated cases
# (the coverage phase's boundary values are the app's, fuzzed in the process above), of
# the pin routes every client calls and the control API (every body shape, and the
# faults that drop or delay the answer). The framing does not change with the route.
LIVE_EXAMPLES = 8
LIVE_PATHS = r"^/(api/v2/pins|_mockplex)"


def test_the_document_is_valid_openapi_and_covers_every_route(app, client):
    from openapi_spec_validator import validate

    document = client.get("/_mockplex/openapi.json").get_json()
    validate(document)
    documented = {(method.upper(), path) for path, item in document["paths"].items()
                  for method in item}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith((*PLEX_ENDPOINTS, "control.")) and "<any(" not in rule.rule:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                assert (method, path) in documented, (method, path)


@schemathesis.hook("map_body")
def fault_headers_http_can_send(ctx, body):
    """OpenAPI 3.0 cannot say which names and values a fault's headers may have (no
    propertyNames), so the fuzzer would call valid the ones mockplex refuses: keep the
    generated headers HTTP can send. The refusals are tested in test_faults.py."""
    if ctx.operation.path == "/_mockplex/faults" and isinstance(body, dict) and isinstance(
            body.get("headers"), dict):
        body["headers"] = {name: value for name, value in body["headers"].items()
                           if not isinstance(value, str) or sendable(name, value)}
        # (a value of another type is the fuzzer's negative case: kept, and refused)
    return body


@schemathesis.hook("map_body")
def library_titles_apart(ctx, body):
    """A server's libraries have titles of their own, which JSON Schema cannot say: in a
    body valid but for that, give the repeated titles new ones (the refusal is tested in
    test_control_servers.py)."""
    if ctx.operation.path == "/_mockplex/servers" and isinstance(body, dict):
        titles_apart(body)
    return body


def titles_apart(body) -> None:
    from mockplex.control.server_bodies import SERVER_ARGS

    problems = SERVER_ARGS.validate(body)
    if set(problems) != {"libraries"} or not isinstance(problems["libraries"], list):
        return
    body["libraries"] = [dict(library) for library in body["libraries"]]  # none shared
    seen = set()
    for index, library in enumerate(body["libraries"]):
        while library["title"] in seen:
            library["title"] = f"{library['title'][:1000]} {index}"
        seen.add(library["title"])


def sendable(name, value) -> bool:
    try:
        check_headers({name: value})
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32.5's ``from_fixture`` reads and rewrites ``item._nodeid`` (to name
    each operation's subtest), an attribute pytest 9.2 no longer has (it keeps ``_id``):
    without it every lazy test fails with an AttributeError. Give it a copy to read and
    rewrite (the item's real id stays as it is); drop this once schemathesis reads
    ``nodeid``."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture(scope="module")
def fuzzed_app() -> Flask:
    return create_app()


@pytest.fixture(scope="module")
def fuzzed_schema(fuzzed_app: Flask):
    """The document, called in the process through WSGI."""
    return schemathesis.openapi.from_wsgi("/_mockplex/openapi.json", fuzzed_app)


def fuzz(case, app: Flask) -> None:
    try:
        case.call_and_validate()
    finally:
        store_of(app).reset()  # a fuzzed fault or clock jump must not leak into the next case


FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                derandomize=EXAMPLES == DEFAULT_EXAMPLES,
                suppress_health_check=list(HealthCheck))
#: The control API's paths; plex.tv's are the rest. Two tests of about the same length,
#: which the suite's two workers can take one each.
CONTROL = r"^/_mockplex"


@schemathesis.pytest.from_fixture("fuzzed_schema").exclude(path_regex=CONTROL).parametrize()
@FUZZ
def test_fuzz_plex_tv(case, fuzzed_app):
    fuzz(case, fuzzed_app)


@schemathesis.pytest.from_fixture("fuzzed_schema").include(path_regex=CONTROL).parametrize()
@FUZZ
def test_fuzz_control(case, fuzzed_app):
    fuzz(case, fuzzed_app)


@pytest.fixture(scope="module")
def live_app() -> Flask:
    return create_app()


@pytest.fixture(scope="module")
def live_schema(live_app: Flask):
    """The same document, sent over a real socket: waitress's framing, the fault
    middleware's drops and the server staying up are tested too."""
    return schemathesis.openapi.from_dict(
        live_app.test_client().get("/_mockplex/openapi.json").get_json())


@pytest.fixture(scope="module")
def live_url(live_app: Flask) -> Iterator[str]:
    with LiveServer(live_app) as server:
        yield server.url
        assert requests.get(server.url + "/_mockplex/health", timeout=5).ok  # still up


@schemathesis.pytest.from_fixture("live_schema").include(path_regex=LIVE_PATHS).parametrize()
@settings(max_examples=LIVE_EXAMPLES, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_fuzz_over_a_real_socket(case, live_app, live_url):
    try:
        case.call_and_validate(base_url=live_url, timeout=10)
    finally:
        store_of(live_app).reset()
