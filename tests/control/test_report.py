"""The "mockplex saw" section of a failing test's report, as a user meets it: test files
run by pytester, in a subprocess."""

from __future__ import annotations

import re

USER_TESTS = '''
import pytest
import requests

HEADERS = {"X-Plex-Client-Identifier": "report-user", "Accept": "application/json"}


@pytest.mark.mockplex_allow_unmatched
def test_fails_after_some_requests(mockplex):
    pin = requests.post(mockplex.url + "/api/v2/pins", headers=HEADERS, timeout=5).json()
    requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}", headers=HEADERS, timeout=5)
    requests.get(mockplex.url + "/api/v2/friends", headers=HEADERS, timeout=5)
    mockplex.verify(pin["id"])
    mockplex.fail("GET", "/api/v2/user", status=503, times=2)
    assert False, "the app never signed in"


def test_passes(mockplex):
    requests.post(mockplex.url + "/api/v2/pins", headers=HEADERS, timeout=5)


def test_many(mockplex):
    for _ in range(45):
        requests.get(mockplex.url + "/api/v2/pins/123456789", headers=HEADERS, timeout=5)
    assert False
'''


def sections(output: str) -> dict[str, str]:
    """The "mockplex saw" section of each failing test, by the test's name."""
    found = {}
    for name, body in re.findall(r"_{3,} (test_\w+) _{3,}\n(.*?)(?=\n_{3,} test_|\n={5,})",
                                 output, re.S):
        match = re.search(r"-+ mockplex saw -+\n(.*?)(?:\n-{5,}|\Z)", body, re.S)
        if match:
            found[name] = match.group(1)
    return found


def test_a_failing_test_shows_what_the_mock_saw_unmatched_first(run_pytest, pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    result = run_pytest("-rP")
    result.assert_outcomes(failed=2, passed=1)
    found = sections(result.stdout.str())
    assert sorted(found) == ["test_fails_after_some_requests", "test_many"]  # not the pass
    lines = found["test_fails_after_some_requests"].splitlines()
    assert lines[0] == "requests (3; unmatched first, then the newest):"
    assert lines[1].endswith("GET /api/v2/friends -> 404  [UNMATCHED]")
    assert re.search(r"GET /api/v2/pins/\d+ -> 200 pin \d+$", lines[2])
    assert lines[3].endswith("POST /api/v2/pins -> 201")
    assert lines[4] == "pins (1 live):"
    assert re.fullmatch(r"  \d+ code \w{4} \(4-character\), client 'report-user', product "
                        r"'0': approved as mockplex, 1 poll\(s\), 900 s left", lines[5])
    assert lines[6:] == ["faults (1 active):",
                         "  GET /api/v2/user: answer 503 (2 more time(s))"]
    many = found["test_many"].splitlines()  # a long journal is trimmed, saying how much
    assert many[0] == "requests (45; unmatched first, then the newest):"
    assert many[31] == "  ... and 15 older ones left out"


def test_the_option_turns_it_off(run_pytest, pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    result = run_pytest("--no-mockplex-report")
    result.assert_outcomes(failed=2, passed=1)
    assert "mockplex saw" not in result.stdout.str()


def test_interception_without_the_fixture_is_reported_too(run_pytest, pytester):
    pytester.makepyfile(test_user='''
import requests

import mockplex


def test_fails():
    with mockplex.intercept():
        requests.post("https://plex.tv/api/v2/pins",
                      headers={"X-Plex-Client-Identifier": "intercepted"}, timeout=5)
    assert False


def test_later_and_without_interception():
    assert False
''')
    result = run_pytest()
    result.assert_outcomes(failed=2)
    found = sections(result.stdout.str())
    assert list(found) == ["test_fails"]  # the second test started no interception
    assert "POST /api/v2/pins -> 201" in found["test_fails"]


def test_a_test_that_fails_and_then_errors_at_teardown_shows_it_once(run_pytest, pytester):
    """The test fails, then the check after it errors (an unemulated route): two failing
    reports, one "mockplex saw" section, in the first."""
    pytester.makepyfile(test_user='''
import requests


def test_fails_after_an_unemulated_route(mockplex):
    requests.get(mockplex.url + "/api/v2/friends", timeout=5)
    assert False, "the app never signed in"
''')
    result = run_pytest()
    result.assert_outcomes(failed=1, errors=1)
    out = result.stdout.str()
    assert len(re.findall(r"-+ mockplex saw -+", out)) == 1
    assert "ERROR at teardown of test_fails_after_an_unemulated_route" in out
    assert "GET /api/v2/friends -> 404  [UNMATCHED]" in sections(out)[
        "test_fails_after_an_unemulated_route"]
