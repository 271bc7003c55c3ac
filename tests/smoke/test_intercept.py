"""Beside requests and httpx: unchanged calls to https://plex.tv reach the mock."""

from __future__ import annotations

import httpx
import requests

import mockplex

CLIENT = {"X-Plex-Client-Identifier": "smoke", "Accept": "application/json"}


def test_requests_and_httpx_reach_the_mock():
    with mockplex.intercept() as plex:
        pin = requests.post("https://plex.tv/api/v2/pins", headers=CLIENT, timeout=10).json()
        token = plex.verify(pin["id"])
        poll = httpx.get(f"https://plex.tv/api/v2/pins/{pin['id']}", headers=CLIENT)
    assert poll.status_code == 200 and poll.json()["authToken"] == token


def test_the_fixture_intercepts_too(mockplex):
    with mockplex.intercept():
        user = requests.get("https://plex.tv/api/v2/user.json",
                            headers={"X-Plex-Token": mockplex.default_user.auth_token},
                            timeout=10).json()
    assert user["username"] == "mockplex"
