"""The pytest plugin, used as a user uses it: fixtures in a test file run by pytester,
plus the fixtures in this suite's own tests."""

from __future__ import annotations

import socket

import requests
from freezegun import freeze_time

from mockplex import DEFAULT_TOKEN, LiveServer, MockPlex
from tests.values import HEADERS

USER_TESTS = '''
import requests
from freezegun import freeze_time

HEADERS = {"X-Plex-Client-Identifier": "plugin-user", "Accept": "application/json"}


def create(mockplex):
    return requests.post(mockplex.url + "/api/v2/pins", headers=HEADERS, timeout=5).json()


def test_first_leaves_a_pin_behind(mockplex):
    create(mockplex)
    mockplex.advance(10)
    assert len(mockplex.pins) == 1


def test_second_starts_clean(mockplex, mockplex_server):
    assert mockplex.pins == []
    assert mockplex_server.store.clock.offset == 0
    assert not mockplex.url.endswith("/")


def test_approve_and_expire(mockplex):
    pin = create(mockplex)
    token = mockplex.verify(pin["id"])
    polled = requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}", headers=HEADERS,
                          timeout=5).json()
    assert polled["authToken"] == token
    mockplex.expire(pin["id"])
    gone = requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}", headers=HEADERS, timeout=5)
    assert gone.status_code == 404


def test_freezegun_expires_a_pin_over_http(mockplex):
    with freeze_time() as frozen:
        pin = create(mockplex)
        frozen.tick(901)
        gone = requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}", headers=HEADERS,
                            timeout=5)
    assert gone.status_code == 404
    assert gone.json()["errors"][0]["code"] == 1020
'''


def test_the_plugin_is_registered_and_resets_between_tests(run_pytest, pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    result = run_pytest()
    result.assert_outcomes(passed=4)


def test_mockplex_config_is_overridable(run_pytest, pytester):
    pytester.makeconftest('''
import pytest

@pytest.fixture(scope="session")
def mockplex_config():
    return {"MOCKPLEX_PIN_LIFETIME": 30}
''')
    pytester.makepyfile('''
import requests

def test_short_pins(mockplex):
    pin = requests.post(mockplex.url + "/api/v2/pins.json",
                        headers={"X-Plex-Client-Identifier": "c"}, timeout=5).json()
    assert pin["expiresIn"] == 30
''')
    run_pytest().assert_outcomes(passed=1)


def test_environment_chooses_host_and_port(run_pytest, pytester, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("MOCKPLEX_HOST", "127.0.0.1")
    monkeypatch.setenv("MOCKPLEX_PORT", str(port))
    pytester.makepyfile(f'''
def test_port(mockplex):
    assert mockplex.url == "http://127.0.0.1:{port}"
''')
    run_pytest().assert_outcomes(passed=1)


def test_a_bad_port_variable_is_a_clear_error(run_pytest, pytester, monkeypatch):
    monkeypatch.setenv("MOCKPLEX_PORT", "eighty")
    pytester.makepyfile("def test_port(mockplex):\n    pass\n")
    result = run_pytest()
    result.stdout.fnmatch_lines(["*MOCKPLEX_PORT must be a port number*'eighty'*"])
    result.assert_outcomes(errors=1)


def test_the_handle_drives_the_live_server(mockplex: MockPlex, mockplex_server: LiveServer):
    assert mockplex.url == mockplex_server.url
    pin = requests.post(mockplex.url + "/api/v2/pins.json", headers=HEADERS, timeout=5).json()
    assert mockplex.pins == [dict(pin, expiresIn=mockplex.pins[0]["expiresIn"])]
    assert mockplex.verify(pin["id"], "custom-token-1234567") == "custom-token-1234567"
    assert mockplex.verify(str(pin["id"])) == DEFAULT_TOKEN
    assert mockplex.pin(pin["id"]).auth_token == DEFAULT_TOKEN
    mockplex.advance(900)
    assert mockplex.pins == []
    assert "pins=0" in repr(mockplex)


def test_freezegun_reaches_the_server_thread(mockplex: MockPlex):
    with freeze_time("2024-07-16 17:03:05") as frozen:
        pin = requests.post(mockplex.url + "/api/v2/pins.json", headers=HEADERS,
                            timeout=5).json()
        assert pin["createdAt"] == "2024-07-16T17:03:05Z"
        frozen.tick(901)
        gone = requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}.json", headers=HEADERS,
                            timeout=5)
    assert (gone.status_code, gone.json()["errors"][0]["code"]) == (404, 1020)


def test_a_port_in_use_fails_with_the_clis_words(run_pytest, pytester, monkeypatch):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("MOCKPLEX_PORT", str(port))
        pytester.makepyfile("def test_port(mockplex):\n    pass\n")
        result = run_pytest()
    result.stdout.fnmatch_lines([f"*mockplex: cannot listen on 127.0.0.1:{port}: *in use*"])
    assert "Traceback" not in result.stdout.str()
    result.assert_outcomes(errors=1)


def test_the_listen_address_is_an_overridable_fixture(run_pytest, pytester):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pytester.makeconftest(f'''
import pytest

@pytest.fixture(scope="session")
def mockplex_listen_address():
    return "127.0.0.1", {port}
''')
    pytester.makepyfile(f'''
def test_port(mockplex):
    assert mockplex.url == "http://127.0.0.1:{port}"
''')
    run_pytest().assert_outcomes(passed=1)


def test_mockplex_proxy_runs_an_unchanged_program_on_the_fixtures_state(run_pytest, pytester,
                                                                      monkeypatch, tmp_path):
    monkeypatch.setenv("MOCKPLEX_CA_DIR", str(tmp_path / "ca"))
    pytester.makepyfile('''
import json
import subprocess


def create_with_curl(mockplex_proxy):
    done = subprocess.run(
        ["curl", "-sS", "-X", "POST", "-H", "X-Plex-Client-Identifier: unchanged",
         "-H", "Accept: application/json", "https://plex.tv/api/v2/pins"],
        env=mockplex_proxy.env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_first(mockplex, mockplex_proxy):
    pin = create_with_curl(mockplex_proxy)
    assert [p["id"] for p in mockplex.pins] == [pin["id"]]
    assert mockplex_proxy.url.startswith("http://127.0.0.1:")
    assert mockplex_proxy.env["MOCKPLEX_URL"] == mockplex.url


def test_second_starts_clean(mockplex, mockplex_proxy):
    assert mockplex.pins == []
    assert str(mockplex_proxy.ca_path).endswith("/ca/ca.pem")
''')
    run_pytest().assert_outcomes(passed=2)
    assert (tmp_path / "ca" / "ca-key.pem").exists()  # the configured CA, kept
