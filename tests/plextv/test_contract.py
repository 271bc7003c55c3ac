"""Live answers checked against an independent reference of plex.tv's JSON: the typed
models plex-api-client 0.30.0 (from PyPI) generates from the community's OpenAPI
description of plex.tv, with pydantic's strict mode (a string where the reference has
a number fails, and so does a missing required field).

Why these models: they are the community's documented contract in a form every clone
installs with the suite, written by neither mockplex nor its tests; they are the
models the SDK itself parses plex.tv's answers into. docs/contract.md records where
plex.tv is observed to differ from them, and what the mock follows.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from plex_api_client.models.errors import getpin as getpin_errors
from plex_api_client.models.errors import gettokenbypinid as poll_errors
from plex_api_client.models.errors import gettokendetails as user_errors
from plex_api_client.models.operations import (
    get_server_resources,
    getpin,
    gettokenbypinid,
    gettokendetails,
    post_users_sign_in_data,
)
from pydantic import BaseModel, TypeAdapter

from tests.values import CLIENT_ID

JSON = {"X-Plex-Client-Identifier": CLIENT_ID, "Accept": "application/json"}


def wire_names(model: type[BaseModel]) -> set[str]:
    """The JSON names a model documents (its aliases, or else its field names)."""
    return {field.alias or name for name, field in model.model_fields.items()}


def required_names(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()
            if field.is_required()}


def strictly(model: type[BaseModel], response: requests.Response) -> dict[str, Any]:
    """The body, after the model has accepted it in strict mode; returns it as a dict."""
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    model.model_validate_json(response.content, strict=True)
    body: dict[str, Any] = json.loads(response.content)
    return body


def create(mockplex, query: str = "") -> requests.Response:
    return requests.post(f"{mockplex.url}/api/v2/pins{query}", headers=JSON, timeout=5)


def poll(mockplex, pin_id: int, headers: dict[str, str] = JSON) -> requests.Response:
    return requests.get(f"{mockplex.url}/api/v2/pins/{pin_id}", headers=headers, timeout=5)


@pytest.mark.parametrize("query", ["", "?strong=true"])
def test_a_created_pin_has_exactly_the_documented_fields(mockplex, query):
    response = create(mockplex, query)
    assert response.status_code == 201
    pin = strictly(getpin.GetPinAuthPinContainer, response)
    assert set(pin) == wire_names(getpin.GetPinAuthPinContainer)
    assert set(pin["location"]) == wire_names(getpin.GeoData)


def test_a_pending_poll_has_exactly_the_documented_fields(mockplex):
    pin_id = create(mockplex).json()["id"]
    response = poll(mockplex, pin_id)
    assert response.status_code == 200
    pin = strictly(gettokenbypinid.GetTokenByPinIDAuthPinContainer, response)
    assert set(pin) == wire_names(gettokenbypinid.GetTokenByPinIDAuthPinContainer)
    assert set(pin["location"]) == wire_names(gettokenbypinid.GetTokenByPinIDGeoData)
    assert pin["authToken"] is None and pin["newRegistration"] is None


def test_an_approved_poll_matches_with_new_registration_false(mockplex):
    """plex.tv answers newRegistration false once a pin is linked (observed); the
    models type it as any value, so false passes as it should."""
    pin_id = create(mockplex).json()["id"]
    token = mockplex.verify(pin_id)
    pin = strictly(gettokenbypinid.GetTokenByPinIDAuthPinContainer, poll(mockplex, pin_id))
    assert (pin["authToken"], pin["newRegistration"]) == (token, False)


def test_the_reference_rejects_a_wrong_type():
    """The check can fail: a numeric postal code (the spec's one bad example) does."""
    pin = {"id": 308667304, "code": "7RQZ", "product": "0", "qr": "q", "clientIdentifier": "c",
           "createdAt": "2024-07-16T17:03:05Z", "expiresAt": "2024-07-16T17:18:05Z",
           "location": {"code": "VI", "continent_code": "NA", "country": "x", "city": "x",
                        "time_zone": "x", "postal_code": 802, "subdivisions": "x",
                        "coordinates": "x"}}
    with pytest.raises(ValueError, match="postal_code"):
        getpin.GetPinAuthPinContainer.model_validate_json(json.dumps(pin), strict=True)


@pytest.mark.parametrize(("request_args", "status", "model"), [
    (("post", "/api/v2/pins", {"Accept": "application/json"}), 400,
     getpin_errors.GetPinBadRequestData),
    (("get", "/api/v2/pins/123456789", {"Accept": "application/json"}), 400,
     poll_errors.GetTokenByPinIDBadRequestData),
    (("get", "/api/v2/pins/123456789", JSON), 404, poll_errors.GetTokenByPinIDResponseBodyData),
    (("get", "/api/v2/user", {"X-Plex-Token": "nope", "Accept": "application/json"}), 401,
     user_errors.GetTokenDetailsUnauthorizedData),
], ids=["create-400", "poll-400", "poll-404", "user-401"])
def test_errors_have_the_documented_shape(mockplex, request_args, status, model):
    method, path, headers = request_args
    response = requests.request(method, mockplex.url + path, headers=headers, timeout=5)
    assert response.status_code == status
    body = strictly(model, response)
    [error] = body["errors"]
    item = model.model_fields["errors"].annotation.__args__[0].__args__[0]  # List[Item]
    assert wire_names(item) <= set(error)
    assert error["status"] == status  # plex.tv's own answers carry it (docs/contract.md)


def test_the_user_has_every_required_field_and_nothing_undocumented(mockplex):
    alice = mockplex.create_user("alice")
    response = requests.get(mockplex.url + "/api/v2/user",
                            headers={"X-Plex-Token": alice.auth_token,
                                     "Accept": "application/json"}, timeout=5)
    assert response.status_code == 200
    model = gettokendetails.GetTokenDetailsUserPlexAccount
    user = strictly(model, response)
    assert required_names(model) <= set(user) <= wire_names(model)
    assert (user["username"], user["authToken"]) == ("alice", alice.auth_token)


def test_password_sign_in_answers_the_documented_account(mockplex):
    mockplex.create_user("alice", password="pw")
    response = requests.post(mockplex.url + "/api/v2/users/signin", headers=JSON,
                             data={"login": "alice", "password": "pw"}, timeout=5)
    assert response.status_code == 201
    model = post_users_sign_in_data.PostUsersSignInDataUserPlexAccount
    user = strictly(model, response)
    assert required_names(model) <= set(user) <= wire_names(model)


def test_resources_have_exactly_the_documented_fields(mockplex):
    mockplex.create_user("bob")
    mockplex.add_server("Home", connections=["http://127.0.0.1:1",
                                             "https://media.example.test:32400"])
    mockplex.share("Home", "bob")
    for account in (mockplex.default_user, mockplex.store.account("bob")):
        response = requests.get(mockplex.url + "/api/v2/resources?includeHttps=1",
                                headers={**JSON, "X-Plex-Token": account.auth_token},
                                timeout=5)
        assert response.status_code == 200
        model = get_server_resources.PlexDevice
        TypeAdapter(list[model]).validate_json(response.content, strict=True)
        [resource] = response.json()
        assert set(resource) == wire_names(model)
        assert {name for c in resource["connections"] for name in c} == wire_names(
            get_server_resources.Connections)


def test_xml_is_the_default_which_the_models_do_not_describe(mockplex):
    """plex.tv answers XML unless asked for JSON (observed; python-plexapi relies on it),
    where the community spec lists only JSON: the models cannot read it."""
    response = requests.post(mockplex.url + "/api/v2/pins",
                             headers={"X-Plex-Client-Identifier": CLIENT_ID}, timeout=5)
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    with pytest.raises(ValueError, match="Invalid JSON"):
        getpin.GetPinAuthPinContainer.model_validate_json(response.content, strict=True)
