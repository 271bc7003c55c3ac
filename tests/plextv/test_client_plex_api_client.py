"""plex-api-client 0.30.0 (PyPI, pinned): the SDK that documents
GetTokenByPinIDAuthPinContainer, pointed at the live mock with server_url."""

from __future__ import annotations

import pytest
from plex_api_client import PlexAPI
from plex_api_client.models import errors

from mockplex import MockPlex

CLIENT_ID = "plex-api-client-tests"


@pytest.fixture
def sdk() -> PlexAPI:
    return PlexAPI()


@pytest.fixture
def server_url(mockplex: MockPlex) -> str:
    return mockplex.url + "/api/v2"


def create(sdk, server_url, **request):
    response = sdk.plex.get_pin(request={"client_id": CLIENT_ID, "client_name": "SDK test",
                                         **request}, server_url=server_url)
    assert response.status_code == 201
    return response.auth_pin_container


def poll(sdk, server_url, pin_id):
    return sdk.plex.get_token_by_pin_id(request={"pin_id": pin_id, "client_id": CLIENT_ID},
                                        server_url=server_url)


def test_the_pin_parses_and_the_token_appears_after_approval(mockplex, sdk, server_url):
    pin = create(sdk, server_url, strong=False)
    assert len(pin.code) == 4
    assert pin.product == "SDK test"
    assert pin.location.postal_code == "4814"
    assert pin.expires_in == 900
    assert pin.auth_token is None
    assert poll(sdk, server_url, pin.id).auth_pin_container.auth_token is None
    token = mockplex.verify(pin.id)
    polled = poll(sdk, server_url, pin.id)
    assert polled.status_code == 200
    assert polled.auth_pin_container.auth_token == token
    assert polled.auth_pin_container.created_at == pin.created_at


def test_a_strong_pin(sdk, server_url):
    pin = create(sdk, server_url, strong=True)
    assert len(pin.code) == 25 and pin.expires_in == 1800


def test_an_expired_pin_raises_the_typed_404(mockplex, sdk, server_url):
    pin = create(sdk, server_url)
    mockplex.expire(pin.id)
    with pytest.raises(errors.GetTokenByPinIDResponseBody) as failure:
        poll(sdk, server_url, pin.id)
    assert failure.value.raw_response.status_code == 404
    assert failure.value.data.errors[0].code == 1020
    assert failure.value.data.errors[0].message == "Code not found or expired"


def test_a_missing_client_identifier_raises_the_typed_400(sdk, server_url):
    with pytest.raises(errors.GetPinBadRequest) as failure:
        create(sdk, server_url, client_id="")
    assert failure.value.data.errors[0].code == 1000
