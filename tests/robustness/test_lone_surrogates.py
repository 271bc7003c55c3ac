"""A lone surrogate (JSON's ``"\\ud800"``, no character) in any text a test gives is a
400 naming the field, never a 500 later when an answer cannot encode it."""

from __future__ import annotations

import pytest

from mockplex import create_app

LONE = "a\\ud800b"  # as JSON text: the escape, decoded by the JSON parser


@pytest.fixture
def client():
    return create_app().test_client()


@pytest.mark.parametrize(("path", "body"), [
    ("/_mockplex/users", f'{{"username": "{LONE}"}}'),
    ("/_mockplex/users", f'{{"username": "alice", "title": "{LONE}"}}'),
    ("/_mockplex/servers", f'{{"name": "{LONE}"}}'),
    ("/_mockplex/servers", f'{{"name": "Home", "libraries": [{{"title": "{LONE}", '
                           '"type": "movie"}]}'),
    ("/_mockplex/servers", f'{{"name": "Home", "libraries": [{{"title": "Films", '
                           f'"type": "movie", "items": ["{LONE}"]}}]}}'),
    ("/_mockplex/faults", f'{{"path": "/api/v2/user", "status": 500, "message": "{LONE}"}}'),
])
def test_a_lone_surrogate_is_refused_where_it_is_given(client, path, body):
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400, response.data
    assert "lone surrogate" in response.get_json()["errors"][0]["message"]
    listing = client.get("/api/v2/resources", headers={
        "X-Plex-Token": "MockPlexDefaultToken", "Accept": "application/json"})
    assert listing.status_code == 200  # nothing half-kept that no answer can encode
