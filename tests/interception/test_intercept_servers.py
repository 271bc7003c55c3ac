"""Interception answers the live fake servers' plex.direct names in the process: each
patched client (requests, httpx, aiohttp) reaches the server a name's hash names, on
any port; a plex.direct name no live server has fails at once as a refused connection,
in the client's own error type, and is never looked up (the suite's guard would fail a
lookup); a server's http://127.0.0.1:PORT reaches its own socket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import httpx
import pytest
import requests

import mockplex

TIMEOUT = 5
REFUSAL = "no server of this mockplex is named"


def with_requests(url: str) -> tuple[int, str]:
    answer = requests.get(url, timeout=TIMEOUT)
    return answer.status_code, answer.text


def with_httpx(url: str) -> tuple[int, str]:
    answer = httpx.get(url, timeout=TIMEOUT)
    return answer.status_code, answer.text


def with_httpx_async(url: str) -> tuple[int, str]:
    async def get() -> tuple[int, str]:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            answer = await client.get(url)
            return answer.status_code, answer.text
    return asyncio.run(get())


def with_aiohttp(url: str) -> tuple[int, str]:
    async def get() -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.get(url) as answer:
            return answer.status, await answer.text()
    return asyncio.run(get())


CLIENTS: dict[str, tuple[Callable[[str], tuple[int, str]], type[Exception]]] = {
    "requests": (with_requests, requests.ConnectionError),
    "httpx": (with_httpx, httpx.ConnectError),
    "httpx-async": (with_httpx_async, httpx.ConnectError),
    "aiohttp": (with_aiohttp, aiohttp.ClientConnectorError),
}


@pytest.fixture
def plex():
    with mockplex.intercept() as plex:
        yield plex


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_reaches_a_live_server_by_its_plex_direct_name(plex, client):
    get, _ = CLIENTS[client]
    home = plex.add_server("Home")
    port = plex.store.port_of(home)
    for on in (port, 32400):  # the port it lists, or any other: the name says which
        status, text = get(f"https://127-0-0-1.{home.direct_hash}.plex.direct:{on}/identity")
        assert status == 200
        assert f'machineIdentifier="{home.machine_identifier}"' in text
    status, text = get(f"https://10-0-0-9.{home.direct_hash.upper()}.plex.direct/identity")
    assert status == 200 and home.machine_identifier in text


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("name", [f"127-0-0-1.{'0' * 32}.plex.direct:32400",
                                  "plex.direct", "127-0-0-1.plex.direct"])
def test_a_plex_direct_name_of_no_server_is_refused_at_once(plex, client, name):
    get, refused = CLIENTS[client]
    plex.add_server("Home")
    with pytest.raises(refused, match=REFUSAL):
        get(f"https://{name}/identity")


def test_a_server_reset_away_is_refused(plex):
    home = plex.add_server("Home")
    url = f"https://127-0-0-1.{home.direct_hash}.plex.direct:1/identity"
    assert with_requests(url)[0] == 200
    plex.reset()
    with pytest.raises(requests.ConnectionError, match=REFUSAL):
        with_requests(url)


def test_a_servers_loopback_address_reaches_its_own_socket(plex):
    home = plex.add_server("Home")
    status, text = with_requests(f"http://127.0.0.1:{plex.store.port_of(home)}/identity")
    assert status == 200 and home.machine_identifier in text


def test_the_innermost_interceptions_servers_answer():
    with mockplex.intercept() as outer:
        home = outer.add_server("Home")
        url = f"https://127-0-0-1.{home.direct_hash}.plex.direct:1/identity"
        with mockplex.intercept(), pytest.raises(requests.ConnectionError, match=REFUSAL):
            with_requests(url)  # the inner one has a store of its own, with no server
        assert with_requests(url)[0] == 200


def test_interception_ended_leaves_the_name_to_the_client(plex):
    home = plex.add_server("Home")
    url = f"https://127-0-0-1.{home.direct_hash}.plex.direct:1/identity"
    plex.stop()
    with pytest.raises(requests.ConnectionError, match="refuses a name lookup"):
        with_requests(url)  # the suite's guard: no lookup leaves the machine
