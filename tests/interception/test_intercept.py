"""mockplex.intercept(): each HTTP library reaches the mock at https://plex.tv, and
every other host is left alone."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import httpx
import pytest
import requests

import mockplex
from mockplex import DEFAULT_TOKEN, PLEX_HOSTS, Intercept, LiveServer, MockPlex

JSON = {"X-Plex-Client-Identifier": "intercepted", "Accept": "application/json"}


def create_with_requests(host: str = "plex.tv") -> requests.Response:
    return requests.post(f"https://{host}/api/v2/pins", headers=JSON, timeout=5)


async def aiohttp_post(url: str, **kwargs) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        return response.status, await response.json(content_type=None)


async def aiohttp_get(url: str, **kwargs) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(url, **kwargs) as response:
        return response.status, await response.json(content_type=None)


async def httpx_post(url: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(url, **kwargs)


@pytest.mark.parametrize("host", PLEX_HOSTS)
def test_requests_reaches_the_mock_on_every_plex_host(host):
    with mockplex.intercept() as plex:
        response = create_with_requests(host)
        assert response.status_code == 201
        assert response.json()["qr"] == f"https://{host}/api/v2/pins/qr/{response.json()['code']}"
        assert [pin["id"] for pin in plex.pins] == [response.json()["id"]]


def test_httpx_sync_and_async_reach_the_mock():
    with mockplex.intercept() as plex:
        created = httpx.post("https://plex.tv/api/v2/pins?strong=true", headers=JSON)
        assert created.status_code == 201 and len(created.json()["code"]) == 25
        plex.verify(created.json()["id"])
        polled = asyncio.run(httpx_post("https://plex.tv/api/v2/pins", headers=JSON))
        assert polled.status_code == 201
        token = httpx.get(f"https://plex.tv/api/v2/pins/{created.json()['id']}", headers=JSON)
        assert token.json()["authToken"] == DEFAULT_TOKEN


def test_aiohttp_reaches_the_mock_with_the_plex_url_kept():
    with mockplex.intercept() as plex:
        status, pin = asyncio.run(aiohttp_post(
            "https://plex.tv/api/v2/pins.json?strong=true",
            data={"X-Plex-Client-Identifier": "aio", "X-Plex-Product": "aio test"}))
        assert status == 201
        assert (pin["clientIdentifier"], pin["product"]) == ("aio", "aio test")
        assert pin["qr"].startswith("https://plex.tv/api/v2/pins/qr/")
        assert [p["id"] for p in plex.pins] == [pin["id"]]


def test_xml_is_still_the_default_through_interception():
    with mockplex.intercept():
        response = requests.post("https://plex.tv/api/v2/pins",
                                 headers={"X-Plex-Client-Identifier": "x"}, timeout=5)
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<pin ')


def test_other_hosts_pass_through_untouched():
    with LiveServer() as elsewhere, mockplex.intercept() as plex:
        for send in (
            lambda url: requests.post(url, headers=JSON, timeout=5).status_code,
            lambda url: httpx.post(url, headers=JSON).status_code,
            lambda url: asyncio.run(httpx_post(url, headers=JSON)).status_code,
            lambda url: asyncio.run(aiohttp_post(url, headers=JSON))[0],
        ):
            assert send(elsewhere.url + "/api/v2/pins") == 201
        assert len(elsewhere.store) == 4
        assert plex.pins == []


def test_the_control_api_is_not_on_the_plex_hosts():
    with mockplex.intercept():
        for url in ("https://plex.tv/_mockplex/health", "https://plex.tv/_mockplex/reset"):
            response = requests.post(url, headers={"Accept": "application/json"}, timeout=5)
            assert response.status_code == 404
            assert response.json()["errors"][0]["code"] == 1904
        status, error = asyncio.run(aiohttp_post("https://plex.tv/_mockplex/reset",
                                                 headers={"Accept": "application/json"}))
        assert (status, error["errors"][0]["code"]) == (404, 1904)


def test_stop_restores_every_library():
    original_aiohttp = aiohttp.ClientSession._request
    with mockplex.intercept():
        assert aiohttp.ClientSession._request is not original_aiohttp
    assert aiohttp.ClientSession._request is original_aiohttp
    with LiveServer() as elsewhere:
        # nothing is mocked any more: a plex.tv URL would leave the machine, so show
        # instead that requests and httpx reach real sockets again
        assert requests.get(elsewhere.url + "/_mockplex/health", timeout=5).ok
        assert httpx.get(elsewhere.url + "/_mockplex/health").is_success


def test_starting_twice_is_an_error():
    with Intercept() as plex, pytest.raises(RuntimeError, match="active already"):
        plex.start()


def test_the_decorator_forms():
    plex = mockplex.intercept()

    @plex
    def create() -> int:
        return create_with_requests().status_code

    @mockplex.intercept
    def bare() -> int:
        return create_with_requests().status_code

    @plex
    async def create_async() -> int:
        return (await httpx_post("https://plex.tv/api/v2/pins", headers=JSON)).status_code

    assert (create(), bare(), asyncio.run(create_async())) == (201, 201, 201)
    assert len(plex.pins) == 2
    assert not plex.active


def test_the_fixture_handle_intercepts_with_its_own_state(mockplex: MockPlex):
    with mockplex.intercept() as plex:
        created = create_with_requests().json()
        assert plex.store is mockplex.store
        token = mockplex.verify(created["id"])
        status, pin = asyncio.run(aiohttp_get(
            f"https://plex.tv/api/v2/pins/{created['id']}", headers=JSON))
        assert (status, pin["authToken"]) == (200, token)
    assert mockplex.server is not None and mockplex.server.running  # the session's server


def test_a_store_can_be_shared():
    store = mockplex.Store()
    with mockplex.intercept(store=store):
        create_with_requests()
    assert len(store) == 1


def test_hosts_may_be_any_iterable_and_not_empty():
    with mockplex.intercept(hosts=(host for host in ["plex.tv"])) as plex:
        assert plex.hosts == ("plex.tv",) and plex.url == "https://plex.tv"
        assert create_with_requests().status_code == 201
    with pytest.raises(ValueError, match="at least one host"):
        mockplex.intercept(hosts=[])


def test_the_suite_refuses_traffic_off_the_machine():
    """The guard in conftest.py: what a leaking interception would meet."""
    with pytest.raises(requests.ConnectionError, match="refuses a name lookup off the machine"):
        requests.get("https://plex.tv/api/v2/pins", timeout=5)
    with socket.socket() as sock, pytest.raises(OSError, match="refuses a connection off"):
        sock.connect(("192.0.2.1", 443))
