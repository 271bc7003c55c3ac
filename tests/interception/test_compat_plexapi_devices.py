"""python-plexapi 4.18.x, unchanged, through interception: ``devices()`` lists the
account's server and the client that signed in (plexapi itself), ``device.delete()``
forgets the client, ``claimToken()`` gets a claim token, and the avatar in ``thumb``
is fetched as an image (the same through the proxy, in a subprocess:
tests/unchanged/test_devices.py)."""

from __future__ import annotations

import re

import plexapi
import pytest
import requests
from plexapi.exceptions import NotFound
from plexapi.myplex import MyPlexAccount


@pytest.fixture
def signed_in(plex):
    plex.create_user("alice", email="alice@x.test", password="secret")
    return MyPlexAccount("alice", "secret")  # a password sign-in: plexapi is a device now


def test_devices_list_the_server_and_the_signed_in_client(plex, signed_in):
    server = plex.add_server("Home", owner="alice")
    devices = signed_in.devices()
    assert [(d.name, d.product, d.clientIdentifier) for d in devices] == [
        ("Home", "Plex Media Server", server.machine_identifier),
        (plexapi.X_PLEX_DEVICE_NAME, plexapi.X_PLEX_PRODUCT, plexapi.X_PLEX_IDENTIFIER)]
    home, me = devices
    assert home.provides == "server" and home.token == server.access_token
    assert home.connections and all(uri.startswith(("http://", "https://"))
                                    for uri in home.connections)
    assert me.platform == plexapi.X_PLEX_PLATFORM and me.token == signed_in.authToken
    assert me.createdAt is not None and me.lastSeenAt is not None
    assert signed_in.device(clientId=plexapi.X_PLEX_IDENTIFIER).id == me.id


def test_a_client_device_is_deleted(signed_in):
    signed_in.device(clientId=plexapi.X_PLEX_IDENTIFIER).delete()
    with pytest.raises(NotFound):
        signed_in.device(clientId=plexapi.X_PLEX_IDENTIFIER)


def test_claim_token(signed_in):
    assert re.fullmatch(r"claim-[A-Za-z0-9]{20}", signed_in.claimToken())


def test_the_avatar_is_an_image(signed_in):
    response = requests.get(signed_in.thumb, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")

