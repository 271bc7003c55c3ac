"""Interception's rules: process-wide, nested as a stack, one starting thread, every
library restored after the last block, plex.tv never left to the network, and a
user's own mocks (responses, respx, requests-mock, pytest-httpx) undisturbed in
either order."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

import aiohttp
import httpx
import pytest
import requests
import requests_mock
import responses
import respx

import mockplex
from mockplex.interception.stack import InterceptionError

JSON = {"X-Plex-Client-Identifier": "rules", "Accept": "application/json"}


def patched_attributes() -> list[object]:
    return [requests.Session.get_adapter, httpx.Client._transport_for_url,
            httpx.AsyncClient._transport_for_url, aiohttp.ClientSession._request,
            requests_mock.adapter.Adapter.send]


def create_pin() -> int:
    response = requests.post("https://plex.tv/api/v2/pins", headers=JSON, timeout=5)
    assert response.status_code == 201
    return int(response.json()["id"])


async def aiohttp_create() -> int:
    async with aiohttp.ClientSession() as session, session.post(
            "https://plex.tv/api/v2/pins", headers=JSON) as response:
        return int((await response.json(content_type=None))["id"])


def test_every_thread_sees_the_interception():
    """python-plexapi's MyPlexPinLogin.run() polls from a thread of its own."""
    found: list[int] = []
    with mockplex.intercept() as plex:
        worker = threading.Thread(target=lambda: found.append(create_pin()))
        worker.start()
        worker.join(10)
        assert [pin["id"] for pin in plex.pins] == found


def test_a_start_from_another_thread_is_refused_at_once():
    errors: list[BaseException] = []

    def start_elsewhere() -> None:
        try:
            mockplex.intercept().start()
        except InterceptionError as error:
            errors.append(error)

    with mockplex.intercept() as plex:
        thread = threading.Thread(target=start_elsewhere, name="second")
        thread.start()
        thread.join(10)
        assert len(errors) == 1 and "already active, started in thread 'MainThread'" in str(
            errors[0])
        create_pin()
        assert len(plex.pins) == 1


def test_eight_racing_threads_get_one_interception_and_leave_nothing_patched():
    # The first use imports mockplex's lazily loaded modules. Done here, not by racing
    # threads: pytest rewrites a plugin's modules with ast.parse on import, and CPython
    # 3.11.7's AST conversion is not thread-safe ("SystemError: AST constructor
    # recursion depth mismatch"). The racing threads still build eight apps at once,
    # which create_app serializes for the same reason (werkzeug compiles routes with ast).
    with mockplex.intercept():
        create_pin()
    before = patched_attributes()
    barrier = threading.Barrier(8)
    outcome: dict[str, object] = {}

    def run(name: str) -> None:
        try:
            plex = mockplex.intercept()
            barrier.wait(timeout=20)
            try:
                plex.start()
            except InterceptionError:
                outcome[name] = "refused"
                barrier.wait(timeout=20)
                return
            try:
                barrier.wait(timeout=20)  # everyone has tried before anyone stops
                pin_id = create_pin()
                outcome[name] = [pin["id"] for pin in plex.pins] == [pin_id]
            finally:
                plex.stop()
        except BaseException as error:  # shown by the assertion below, not lost in a thread
            outcome[name] = repr(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(f"t{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(map(str, outcome.values())) == ["True"] + ["refused"] * 7
    assert patched_attributes() == before
    with requests_mock.Mocker() as local:  # requests works unpatched afterwards
        local.get("http://127.0.0.1:9/ok", text="ok")
        assert requests.get("http://127.0.0.1:9/ok", timeout=5).text == "ok"


def test_nested_blocks_form_a_stack_the_innermost_answering():
    before = patched_attributes()
    with mockplex.intercept() as outer:
        create_pin()
        with mockplex.intercept() as inner:
            create_pin()
            httpx.post("https://plex.tv/api/v2/pins", headers=JSON)
            asyncio.run(aiohttp_create())
            assert (len(outer.pins), len(inner.pins)) == (1, 3)
        assert patched_attributes() != before
        create_pin()
        asyncio.run(aiohttp_create())
        assert (len(outer.pins), len(inner.pins)) == (3, 3)
    assert patched_attributes() == before


def test_every_host_below_plex_tv_is_answered_by_the_mock():
    with mockplex.intercept(allow_unmatched=True) as plex:
        response = requests.get("https://metadata.provider.plex.tv/library/sections",
                                timeout=5)
        assert response.status_code == 404 and "emulates no route" in response.text
        assert plex.requests[-1].path == "/library/sections"
        assert not plex.covers("plex.tv.example.com") and not plex.covers("notplex.tv")


# -- a user's own mocks ----------------------------------------------------------------

@contextlib.contextmanager
def in_order(order: str, user: contextlib.AbstractContextManager) -> Iterator[mockplex.Intercept]:
    """The user's mock and mockplex's interception, one inside the other."""
    with contextlib.ExitStack() as stack:
        if order == "mockplex inside":
            stack.enter_context(user)
        plex = stack.enter_context(mockplex.intercept())
        if order == "mockplex outside":
            stack.enter_context(user)
        yield plex


def requests_both_ways(plex: mockplex.Intercept, user_url: str) -> None:
    assert requests.get(user_url, timeout=5).text == "the user's"
    assert create_pin() in [pin["id"] for pin in plex.pins]


@pytest.mark.parametrize("order", ["mockplex inside", "mockplex outside"])
def test_responses_keeps_the_users_routes(order):
    user = responses.RequestsMock()
    user.add(responses.GET, "https://api.example.com/thing", body="the user's")
    with in_order(order, user) as plex:
        requests_both_ways(plex, "https://api.example.com/thing")


@pytest.mark.parametrize("order", ["mockplex inside", "mockplex outside"])
def test_requests_mock_keeps_the_users_routes(order):
    user = requests_mock.Mocker()
    user.get("https://api.example.com/thing", text="the user's")
    with in_order(order, user) as plex:
        requests_both_ways(plex, "https://api.example.com/thing")


@pytest.mark.parametrize("order", ["mockplex inside", "mockplex outside"])
def test_respx_keeps_the_users_routes(order):
    user = respx.mock(assert_all_called=False)
    user.get("https://api.example.com/thing").respond(text="the user's")
    with in_order(order, user) as plex:
        assert httpx.get("https://api.example.com/thing").text == "the user's"
        created = httpx.post("https://plex.tv/api/v2/pins", headers=JSON)
        assert created.status_code == 201 and len(plex.pins) == 1


def test_pytest_httpx_keeps_the_users_routes(httpx_mock):
    httpx_mock.add_response(url="https://api.example.com/thing", text="the user's")
    with mockplex.intercept() as plex:
        assert httpx.get("https://api.example.com/thing").text == "the user's"
        assert httpx.post("https://plex.tv/api/v2/pins", headers=JSON).status_code == 201
        assert len(plex.pins) == 1


@pytest.fixture
def intercepting():
    with mockplex.intercept() as plex:
        yield plex


def test_pytest_httpx_set_up_after_interception(intercepting, httpx_mock):
    httpx_mock.add_response(url="https://api.example.com/thing", text="the user's")
    assert httpx.get("https://api.example.com/thing").text == "the user's"
    assert httpx.post("https://plex.tv/api/v2/pins", headers=JSON).status_code == 201
    assert len(intercepting.pins) == 1
