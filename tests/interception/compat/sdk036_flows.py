"""plex-api-client 0.36.x flows, run by tests/interception/test_compat_plex_api_client.py in a
pytest of their own whose path puts 0.36.x first (0.30.0 is the suite's own).

Interception only: no server_url anywhere, the SDK talks to https://plex.tv.
"""

import pytest
from plex_api_client import PlexAPI, _version
from plex_api_client.models import errors

import mockplex

CLIENT_ID = "sdk036-tests"


@pytest.fixture
def plex():
    with mockplex.intercept() as plex:
        yield plex


def test_it_is_the_036_release():
    assert _version.__version__.startswith("0.36.")


def test_get_token_details_reads_the_account(plex):
    alice = plex.create_user("alice", email="alice@x.test")
    sdk = PlexAPI(token=alice.auth_token, client_identifier=CLIENT_ID)
    details = sdk.authentication.get_token_details(request={})
    assert details.status_code == 200
    account = details.user_plex_account
    assert (account.id, account.uuid, account.username, account.email) == (
        alice.id, alice.uuid, "alice", "alice@x.test")
    assert (account.title, account.friendly_name, account.auth_token) == (
        "alice", "alice", alice.auth_token)
    assert isinstance(account.joined_at, int)


def test_get_token_details_with_an_unknown_token_is_the_typed_401(plex):
    sdk = PlexAPI(token="not-a-token", client_identifier=CLIENT_ID)
    with pytest.raises(errors.Unauthorized) as failure:
        sdk.authentication.get_token_details(request={})
    assert failure.value.data.errors[0].code == 1001


def test_create_o_auth_pin_fails_on_plex_tvs_201(plex):
    sdk = PlexAPI(client_identifier=CLIENT_ID)
    with pytest.raises(errors.SDKError, match="Unexpected response received") as failure:
        sdk.authentication.create_o_auth_pin(security={"client_identifier": CLIENT_ID},
                                             request={"client_identifier": CLIENT_ID})
    assert failure.value.raw_response.status_code == 201
    assert len(plex.pins) == 1  # the pin was made, as on plex.tv


def test_link_o_auth_pin_fails_on_plex_tvs_204(plex):
    alice = plex.create_user("alice")
    pin = plex.store.create_pin(CLIENT_ID)
    sdk = PlexAPI(token=alice.auth_token, client_identifier=CLIENT_ID)
    with pytest.raises(errors.SDKError, match="Unexpected response received") as failure:
        sdk.authentication.link_o_auth_pin(request={"pin": pin.code})
    assert failure.value.raw_response.status_code == 204
    assert plex.pin(pin.id).auth_token == alice.auth_token  # the link happened, as on plex.tv


def test_get_token_details_retries_an_injected_429_by_itself(plex):
    # Retry-After in seconds: the SDK waits that long (it backs off a second or more for 0)
    plex.fail("GET", "/api/v2/user", status=429, headers={"Retry-After": "0.01"}, times=2)
    sdk = PlexAPI(token=plex.default_user.auth_token, client_identifier=CLIENT_ID)
    details = sdk.authentication.get_token_details(request={})
    assert details.user_plex_account.username == "mockplex"
    assert [entry.status for entry in plex.requests] == [429, 429, 200]
