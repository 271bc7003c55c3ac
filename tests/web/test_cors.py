"""The CORS headers a plain answer gets without flask-cors (mockplex.web.cors) are
flask-cors's own, byte for byte and in the same place among the answer's headers."""

from __future__ import annotations

import flask_cors.extension
import pytest

from mockplex import create_app, store_of

CLIENT = {"X-Plex-Client-Identifier": "cors-tests"}
ORIGIN = {"Origin": "https://app.example"}
PREFLIGHT = {**ORIGIN, "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "X-Plex-Client-Identifier, Accept"}
PRIVATE = {**ORIGIN, "Access-Control-Request-Private-Network": "true"}

PATHS = ["/api/v2/pins/{pin}", "/api/v2/pins/{pin}.xml", "/api/v2/pins", "/api/v2/friends",
         "/devices.xml", "/pms/servers", "/devicesx",
         "/api", "/apix", "/%61pi/v2/pins/{pin}", "/users/account.json", "/usersx",
         "/nothing", "/link", "/_mockplex/health", "/_mockplex/pins"]
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]
HEADERS = [{}, ORIGIN, PREFLIGHT, PRIVATE, {"Accept": "application/json"}]


def answers(config: dict[str, object]) -> list[tuple[object, ...]]:
    """Every (path, method, headers) above through a new app: status and headers."""
    app = create_app({"MOCKPLEX_SEED": 5, **config})
    pin = store_of(app).create_pin(CLIENT["X-Plex-Client-Identifier"])
    client = app.test_client()
    seen = []
    for path in PATHS:
        for method in METHODS:
            for headers in HEADERS:
                url = path.format(pin=pin.id)
                answer = client.open(url, method=method, headers={**CLIENT, **headers})
                seen.append((url, method, sorted(headers), answer.status,
                             answer.headers.to_wsgi_list()))
    return seen


def test_every_answer_has_the_headers_flask_cors_gives_it():
    # Any CORS_* setting hands every answer to flask-cors; this one is its default.
    assert answers({}) == answers({"CORS_VARY_HEADER": True})


def test_a_plain_answer_is_not_handed_to_flask_cors(monkeypatch):
    calls = []
    real = flask_cors.extension.set_cors_headers

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(flask_cors.extension, "set_cors_headers", counted)
    app = create_app()
    pin = store_of(app).create_pin("cors-tests")
    client = app.test_client()
    answer = client.get(f"/api/v2/pins/{pin.id}", headers={**CLIENT, **ORIGIN})
    assert answer.headers["Access-Control-Allow-Origin"] == "*" and calls == []
    preflight = client.options(f"/api/v2/pins/{pin.id}", headers=PREFLIGHT)
    assert preflight.headers["Access-Control-Max-Age"] == "86400" and len(calls) == 1


@pytest.mark.parametrize("headers", [{}, ORIGIN])
def test_an_injected_faults_own_origin_header_is_left_alone(headers):
    app = create_app()
    client = app.test_client()
    client.post("/_mockplex/faults", json={
        "path": "/api/v2/pins", "status": 503,
        "headers": {"Access-Control-Allow-Origin": "https://fault.example"}})
    answer = client.post("/api/v2/pins", headers={**CLIENT, **headers})
    assert answer.status_code == 503
    assert answer.headers.getlist("Access-Control-Allow-Origin") == ["https://fault.example"]
