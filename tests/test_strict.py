"""A bug in the mock, or a request to a plex.tv route it does not emulate, never passes
silently: the fixture fails the test at teardown, interception at the end of its
block, ``mockplex serve --strict`` at shutdown. Injected faults never count."""

from __future__ import annotations

import inspect
import signal

import pytest
import requests

import mockplex
from tests.values import HEADERS

USER_TESTS = '''
import pytest
import requests

import mockplex.plextv.wire

HEADERS = {"X-Plex-Client-Identifier": "strict", "Accept": "application/json"}


def test_a_bug_in_the_mock(mockplex, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the mock is broken")

    monkeypatch.setattr(mockplex_schemas(), "dump_pin", broken)
    response = requests.post(mockplex.url + "/api/v2/pins", headers=HEADERS, timeout=5)
    assert response.status_code == 500  # a client that ignores the status would pass


def test_the_next_test_is_unaffected(mockplex):
    assert requests.post(mockplex.url + "/api/v2/pins", headers=HEADERS,
                         timeout=5).status_code == 201


def test_an_unemulated_route(mockplex):
    requests.get(mockplex.url + "/api/v2/friends", headers=HEADERS, timeout=5)


@pytest.mark.mockplex_allow_unmatched
def test_an_unemulated_route_allowed(mockplex):
    requests.get(mockplex.url + "/api/v2/friends", headers=HEADERS, timeout=5)


def test_injected_faults_are_not_problems(mockplex):
    mockplex.fail("GET", "/api/v2/friends", status=503)
    mockplex.fail("POST", "/api/v2/pins", drop=True, times=1)
    assert requests.get(mockplex.url + "/api/v2/friends", timeout=5).status_code == 503
    with pytest.raises(requests.ConnectionError):
        requests.post(mockplex.url + "/api/v2/pins", headers=HEADERS, timeout=5)


def mockplex_schemas():
    return mockplex.plextv.wire
'''


def test_the_fixture_fails_the_test_during_which_the_mock_raised(run_pytest, pytester):
    pytester.makepyfile(USER_TESTS)
    result = run_pytest("-p", "no:randomly")
    result.assert_outcomes(passed=5, errors=2)
    out = result.stdout.str()
    assert "ERROR at teardown of test_a_bug_in_the_mock" in out
    assert "RuntimeError: the mock is broken" in out and "Traceback" in out
    assert "ERROR at teardown of test_an_unemulated_route " in out or (
        "ERROR at teardown of test_an_unemulated_route\n" in out)
    assert "GET /api/v2/friends: mockplex does not emulate this plex.tv route" in out
    assert "mark the test @pytest.mark.mockplex_allow_unmatched" in out  # the way out
    assert "test_an_unemulated_route_allowed" not in out.split("short test summary")[1]


def test_the_config_can_allow_unemulated_routes(run_pytest, pytester):
    pytester.makeconftest('''
import pytest

@pytest.fixture(scope="session")
def mockplex_config():
    return {"MOCKPLEX_ALLOW_UNMATCHED": True}
''')
    pytester.makepyfile('''
import requests

def test_it(mockplex):
    assert requests.get(mockplex.url + "/api/v2/friends", timeout=5).status_code == 404
''')
    run_pytest().assert_outcomes(passed=1)


def test_interception_fails_its_block_on_an_unemulated_route():
    expected = "GET /api/v2/friends: mockplex does not emulate"
    with pytest.raises(AssertionError, match=expected), mockplex.intercept():
        requests.get("https://plex.tv/api/v2/friends", timeout=5)
    with mockplex.intercept(allow_unmatched=True):
        requests.get("https://plex.tv/api/v2/friends", timeout=5)


def test_the_unmatched_failure_names_each_way_to_allow_it():
    with pytest.raises(AssertionError) as raised, mockplex.intercept():
        requests.get("https://plex.tv/api/v2/friends", timeout=5)
    message = str(raised.value)
    assert "@pytest.mark.mockplex_allow_unmatched" in message  # the marker
    assert 'return {"MOCKPLEX_ALLOW_UNMATCHED": True} from a mockplex_config fixture' in (
        message)  # the configuration key, and where it goes
    assert "mockplex.intercept(allow_unmatched=True)" in message  # the argument


def test_each_way_the_failure_names_exists(pytestconfig):
    """No made-up names: the marker is registered, the key configured, the argument taken
    (and there is no ini option, so the message names none)."""
    from mockplex.app import DEFAULTS
    from mockplex.domain.problems import HOW_TO_ALLOW_UNMATCHED

    markers = [line.split(":")[0] for line in pytestconfig.getini("markers")]
    assert "mockplex_allow_unmatched" in markers
    assert DEFAULTS["MOCKPLEX_ALLOW_UNMATCHED"] is False
    assert "allow_unmatched" in inspect.signature(mockplex.Intercept).parameters
    assert "ini" not in HOW_TO_ALLOW_UNMATCHED


def test_interception_fails_its_block_on_a_bug(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("lost")

    plex = mockplex.intercept()
    monkeypatch.setattr(plex.store, "create_pin", broken)
    expected = r"(?s)mockplex failed on POST /api/v2/pins.*KeyError: 'lost'"
    with pytest.raises(AssertionError, match=expected) as raised, plex:
        assert requests.post("https://plex.tv/api/v2/pins", headers=HEADERS,
                             timeout=5).status_code == 500
    assert "allow_unmatched" not in str(raised.value)  # a bug cannot be allowed


def test_an_error_in_the_block_is_not_hidden_by_the_check():
    with pytest.raises(ZeroDivisionError), mockplex.intercept():
        requests.get("https://plex.tv/api/v2/friends", timeout=5)
        1 / 0  # noqa: B018


def test_serve_strict_exits_1_listing_what_it_saw(serve):
    proc, url = serve("--port", "0", "--strict")
    requests.get(url + "/api/v2/friends", timeout=5)
    requests.post(url + "/_mockplex/reset", timeout=5)  # a reset forgets nothing here
    requests.post(url + "/_mockplex/faults", json={"path": "/api/v2/servers", "status": 500},
                  timeout=5)
    assert requests.get(url + "/api/v2/servers", timeout=5).status_code == 500  # injected
    assert requests.post(url + "/api/v2/pins", headers=HEADERS, timeout=5).status_code == 201
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 1
    log = proc.stderr.read()
    assert "--strict: 1 problem(s) seen:" in log
    assert "GET /api/v2/friends: mockplex does not emulate" in log
    assert "/api/v2/servers" not in log.split("--strict")[1]


def test_serve_strict_exits_0_when_all_was_emulated(serve):
    proc, url = serve("--port", "0", "--strict")
    assert requests.post(url + "/api/v2/pins", headers=HEADERS, timeout=5).status_code == 201
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
