"""Safe by default: the fixture keeps plex.tv on the machine, and what a client sent is
shown, not obeyed."""

from __future__ import annotations

import pytest
from plexapi.myplex import MyPlexAccount


# -- the fixture keeps plex.tv on the machine ------------------------------------------------


def test_the_fixture_alone_answers_an_unchanged_client(mockplex):
    """python-plexapi with plex.tv hard-coded, under the suite's socket guard (any
    connection off the machine raises): answered by the mock, and journaled."""
    account = MyPlexAccount(token=mockplex.default_user.auth_token)
    assert account.username == mockplex.default_user.username
    assert [entry.host for entry in mockplex.requests] == ["plex.tv"]


@pytest.mark.mockplex_no_intercept
def test_the_marker_leaves_the_clients_alone(mockplex):
    with pytest.raises(Exception, match="refuses a name lookup off the machine"):
        MyPlexAccount(token=mockplex.default_user.auth_token)
    assert mockplex.requests == []


def test_the_ini_option_leaves_the_clients_alone(pytester, run_pytest):
    pytester.makeini("[pytest]\nmockplex_intercept = false\n")
    pytester.makepyfile("""
        import requests

        def test_off(mockplex):
            try:
                requests.get("https://plex.tv/api/v2/user", timeout=0.001)
            except requests.RequestException:
                pass
            assert mockplex.requests == []

        def test_on_by_default_elsewhere():
            import mockplex.interception as interception
            assert interception.STACK.active == []
    """)
    run_pytest("-q").assert_outcomes(passed=2)


# -- what a client sent is shown, not obeyed ---------------------------------------------------


def test_a_forged_report_is_printed_escaped(pytester, run_pytest):
    pytester.makepyfile("""
        import requests

        def test_fails(mockplex):
            requests.get(mockplex.url + "/x%1b%5b2J%1b%5d0;owned%07/y?z=%0aPASSED%20all%20tests",
                         headers={"X-Plex-Client-Identifier": "c"})
            assert False
    """)
    result = run_pytest("-q", "-p", "no:randomly")
    result.assert_outcomes(failed=1, errors=1)  # the unmatched route fails the teardown
    output = result.stdout.str()
    assert "\x1b" not in output and "\x07" not in output
    assert not any(line.startswith("PASSED all tests") for line in output.splitlines())
    assert "/x\\x1b[2J\\x1b]0;owned\\x07/y?z=\\x0aPASSED all tests" in output
