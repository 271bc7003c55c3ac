"""plex-api-client, unchanged, against https://plex.tv answered by interception:
0.30.0 in this process; 0.36.x in a pytest of its own (tests/interception/compat/sdk036_flows.py),
since one environment holds one release."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from plex_api_client import PlexAPI
from plex_api_client.models import errors

SDK036 = Path(sys.prefix) / "plex-api-client-0.36"
CLIENT_ID = "sdk030-tests"


def test_030_get_pin_and_token_by_pin_id(plex):
    sdk = PlexAPI()
    pin = sdk.plex.get_pin(request={"client_id": CLIENT_ID}).auth_pin_container
    assert pin.qr == f"https://plex.tv/api/v2/pins/qr/{pin.code}"
    pending = sdk.plex.get_token_by_pin_id(request={"pin_id": pin.id, "client_id": CLIENT_ID})
    assert pending.auth_pin_container.auth_token is None
    token = plex.verify(pin.id)
    approved = sdk.plex.get_token_by_pin_id(request={"pin_id": pin.id, "client_id": CLIENT_ID})
    assert approved.auth_pin_container.auth_token == token


def test_030_expired_pin_is_the_typed_404(plex):
    sdk = PlexAPI()
    pin = sdk.plex.get_pin(request={"client_id": CLIENT_ID}).auth_pin_container
    plex.expire(pin.id)
    with pytest.raises(errors.GetTokenByPinIDResponseBody):
        sdk.plex.get_token_by_pin_id(request={"pin_id": pin.id, "client_id": CLIENT_ID})


def test_036_flows(run_pytest, pytester, monkeypatch):
    if not (SDK036 / "plex_api_client").is_dir():
        pytest.fail(f"plex-api-client 0.36 is not installed at {SDK036}; `make test` "
                    "installs it")
    monkeypatch.setenv("PYTHONPATH", str(SDK036))
    flows = Path(__file__).parent / "compat" / "sdk036_flows.py"
    pytester.makepyfile(test_sdk036=flows.read_text())
    result = run_pytest()
    result.assert_outcomes(passed=6)
