"""plexauth 0.0.6 (aiohttp; what Home Assistant uses), unchanged, against https://plex.tv
answered by interception."""

from __future__ import annotations

import asyncio
import urllib.parse

import aiohttp
import plexauth
import pytest

PAYLOAD = {"X-Plex-Product": "Home Assistant", "X-Plex-Version": "2026.11",
           "X-Plex-Device": "Linux", "X-Plex-Platform": "Python",
           "X-Plex-Device-Name": "HA test", "X-Plex-Model": "Plex OAuth"}


@pytest.fixture
def plex(mockplex, monkeypatch):
    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)  # plexauth waits 3 s before every poll

    monkeypatch.setattr(plexauth, "sleep", no_wait)
    with mockplex.intercept() as plex:
        yield plex


def code_of(auth: plexauth.PlexAuth) -> str:
    fragment = urllib.parse.urlsplit(auth.auth_url("http://ha.test/done")).fragment
    return urllib.parse.parse_qs(fragment.removeprefix("!?"))["code"][0]


async def sign_in(plex, approve_as: str | None) -> tuple[str | None, dict]:
    async with plexauth.PlexAuth(dict(PAYLOAD)) as auth:
        await auth.initiate_auth()
        [pin] = [p for p in plex.pins if p["code"] == code_of(auth)]
        if approve_as:
            plex.verify(pin["id"], user=approve_as)
        return await auth.token(timeout=0), pin


def test_initiate_approve_token(plex):
    carol = plex.create_user("carol")
    token, pin = asyncio.run(sign_in(plex, "carol"))
    assert token == carol.auth_token
    assert len(pin["code"]) == 25 and pin["product"] == "Home Assistant"
    assert pin["expiresIn"] == 1800


def test_no_approval_gives_no_token(plex):
    token, _ = asyncio.run(sign_in(plex, None))
    assert token is None


def test_the_token_then_opens_the_account(plex):
    token, _ = asyncio.run(sign_in(plex, "mockplex"))

    async def user() -> dict:
        async with aiohttp.ClientSession() as session, session.get(
                "https://plex.tv/api/v2/user",
                headers={"X-Plex-Token": token, "Accept": "application/json"}) as response:
            return await response.json()

    assert asyncio.run(user())["username"] == "mockplex"
