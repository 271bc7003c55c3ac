"""The live fake servers' own names in the one host decision (mockplex.domain.hosts):
``<address>.<hash>.plex.direct`` is answered on any port, and names the hash, when a
live server has that hash; any other name below plex.direct is refused, never passed
to the network, unless the user named that very host to pass through."""

from __future__ import annotations

import pytest

import mockplex
from mockplex.domain.hosts import (
    EVERY_HOST,
    PLEX_HOSTS,
    Action,
    decide,
    decide_url,
    direct_host,
    direct_wildcard,
)

LIVE = "0123456789abcdef0123456789abcdef"
GONE = "f" * 32
NAME = direct_host("127.0.0.1", LIVE)


def live(direct_hash: str) -> bool:
    return direct_hash == LIVE


def test_the_names_of_a_server():
    assert direct_host("127.0.0.1", LIVE) == f"127-0-0-1.{LIVE}.plex.direct"
    assert direct_wildcard(LIVE) == f"*.{LIVE}.plex.direct"


@pytest.mark.parametrize("scheme", ["https", "http"])
@pytest.mark.parametrize("port", [None, 443, 32400, 1])
@pytest.mark.parametrize("host", [NAME, NAME.upper() + ".", f"10-0-0-9.{LIVE}.plex.direct"])
def test_a_live_servers_name_is_answered_on_any_port_naming_its_hash(scheme, port, host):
    decision = decide(scheme, host, port, tunnel=True, servers=live)
    assert decision.action is Action.ANSWER and decision.direct_hash == LIVE


@pytest.mark.parametrize("host", [f"127-0-0-1.{GONE}.plex.direct", "plex.direct",
                                  f"{LIVE}.plex.direct", f"a.b.{LIVE}.plex.direct",
                                  f"127-0-0-1.{LIVE[:-1]}g.plex.direct"])
@pytest.mark.parametrize("passthrough", [(), EVERY_HOST])
def test_any_other_name_below_plex_direct_is_refused_without_a_lookup(host, passthrough):
    decision = decide("https", host, 443, passthrough, tunnel=True, servers=live)
    assert decision.refused and decision.status == 403 and decision.direct_hash is None
    assert decision.reason.startswith(f"no server of this mockplex is named {host!r}")
    assert "without looking it up" in decision.reason


def test_with_no_servers_given_no_plex_direct_name_is_answered():
    assert decide("https", NAME, 443, tunnel=True).refused
    assert decide_url(f"https://{NAME}/").refused  # the relayed connection's check


def test_a_plex_direct_host_named_to_pass_through_is_tunnelled():
    other = f"127-0-0-1.{GONE}.plex.direct"
    assert decide("https", other, 32400, {other}, tunnel=True, servers=live).passes
    assert decide("https", NAME, 32400, {NAME}, tunnel=True, servers=live).answered  # live


@pytest.mark.parametrize(("url", "action", "status"), [
    (f"http://{NAME}:32400/identity", Action.ANSWER, 403),
    (f"https://{NAME}/", Action.ANSWER, 403),
    (f"http://127-0-0-1.{GONE}.plex.direct:32400/", Action.REFUSE, 403),
    (f"http://{NAME}:99999/", Action.REFUSE, 400),
])
def test_an_absolute_url_for_a_plex_direct_name(url, action, status):
    decision = decide_url(url, servers=live)
    assert (decision.action, decision.status) == (action, status)


def test_interception_answers_its_live_servers_names_and_refuses_the_rest():
    from mockplex.interception.stack import Interception

    interception = Interception(mockplex.create_app())
    home = interception.store.add_server("Home")
    name = direct_host("127.0.0.1", home.direct_hash)
    assert interception.decide("https", name).direct_hash == home.direct_hash
    assert interception.covers(name)
    assert interception.decide("https", f"127-0-0-1.{GONE}.plex.direct").refused
    assert interception.decide("https", "example.com").passes
    assert decide("https", name, 1, EVERY_HOST, hosts=PLEX_HOSTS, below=True, any_port=True,
                  servers=lambda h: h == home.direct_hash) == interception.decide("https", name)
