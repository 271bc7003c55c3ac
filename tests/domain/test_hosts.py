"""Which hosts are plex.tv's and what happens to a request for each: one decision,
``mockplex.domain.hosts.decide``, that the proxy (both its branches), the relayed
connection's check, interception and the approval pages all ask, and no other module
keeps a list of plex.tv's hosts or a rule of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mockplex
from mockplex.domain import hosts
from mockplex.domain.hosts import (
    APPROVAL_HOSTS,
    EVERY_HOST,
    PLEX_DOMAIN,
    PLEX_HOSTS,
    PROXY_HOSTS,
    Action,
    decide,
    decide_on_plex_tv,
    decide_on_server,
    decide_url,
    direct_host,
    is_plex_host,
)

PACKAGE = Path(mockplex.__file__).parent
HOME = PACKAGE / "domain" / "hosts.py"
PROXY_WORDS = "mockplex's proxy answers only plex.tv's hosts"


def test_the_lists():
    assert PLEX_HOSTS == ("plex.tv", "www.plex.tv", "clients.plex.tv")
    assert (*PLEX_HOSTS, "app.plex.tv") == PROXY_HOSTS  # the first: the TLS default
    assert set(APPROVAL_HOSTS) == {"app.plex.tv", "plex.tv", "www.plex.tv"}
    assert all(is_plex_host(host, (PLEX_DOMAIN,), below=True) for host in PROXY_HOSTS)
    assert mockplex.PLEX_HOSTS is PLEX_HOSTS


# -- the proxy: CONNECT (a tunnel) and absolute URLs --------------------------------------

@pytest.mark.parametrize("host", PROXY_HOSTS)
def test_connect_to_a_plex_host_on_443_is_answered(host):
    assert decide("https", host, 443, tunnel=True).action is Action.ANSWER
    assert decide("https", host.upper() + ".", 443, tunnel=True).answered


def test_connect_to_a_plex_host_on_another_port_is_refused_even_if_let_through():
    decision = decide("https", "plex.tv", 80, {"plex.tv"}, tunnel=True)
    assert decision.refused and decision.status == 403
    assert decision.reason == "mockplex answers plex.tv on port 443 (https) only, not 80"


@pytest.mark.parametrize("host", ["example.com", "plex.tv.example.com", "notplex.tv",
                                  "metadata.provider.plex.tv", "10.0.0.1", ""])
def test_every_other_host_is_refused_with_how_to_let_it_through(host):
    decision = decide("https", host, 443, tunnel=True)
    assert decision.refused and decision.status == 403
    assert decision.reason == (
        f"{PROXY_WORDS} (plex.tv, www.plex.tv, clients.plex.tv, app.plex.tv), so it refused "
        f"{host!r} without looking it up; to let a host through unchanged, start the "
        f"server with --proxy-passthrough {host}")


def test_a_passthrough_host_is_tunnelled_on_any_port_and_relayed_over_http_only():
    through = frozenset({"127.0.0.1", "example.com"})
    assert decide("https", "example.com", 8443, through, tunnel=True).passes
    assert decide("http", "example.com", 8080, through).passes
    refused = decide("https", "example.com", None, through)  # https in absolute form
    assert refused.refused and "refused 'example.com'" in refused.reason


@pytest.mark.parametrize(("url", "action", "status", "words"), [
    ("http://plex.tv/api/v2/pins", Action.ANSWER, 403, ""),
    ("https://APP.plex.tv./auth", Action.ANSWER, 403, ""),
    ("http://plex.tv:80/", Action.ANSWER, 403, ""),
    ("http://plex.tv:22/", Action.REFUSE, 403, "port 80 (http) only, not 22"),
    ("https://plex.tv:8443/api/v2/user", Action.REFUSE, 403, "port 443 (https) only, not 8443"),
    ("http://plex.tv:99999/", Action.REFUSE, 400, "not a port: 'http://plex.tv:99999/'"),
    ("http://example.com/", Action.REFUSE, 403, "refused 'example.com'"),
    ("http://example.com:x/", Action.REFUSE, 403, "refused 'example.com'"),  # host first
    ("http://pass.example:8080/", Action.PASS, 403, ""),
    ("https://pass.example/", Action.REFUSE, 403, "refused 'pass.example'"),
    ("http://pass.example:x/", Action.REFUSE, 400, "not a port"),
    ("http://[::1/api/v2/pins", Action.REFUSE, 400, "not a URL"),  # urlsplit's ValueError
])
def test_an_absolute_url(url, action, status, words):
    decision = decide_url(url, frozenset({"pass.example"}))
    assert (decision.action, decision.status) == (action, status)
    assert words in decision.reason


# -- a connection relayed to one fake server's socket: its own names only ----------------

OWN, OTHER = "a" * 32, "b" * 32
SERVER_WORDS = "this connection reaches one fake server, which answers"


@pytest.mark.parametrize(("url", "action", "status", "words"), [
    (f"http://{direct_host('127.0.0.1', OWN)}:32400/identity", Action.ANSWER, 403, ""),
    (f"https://{direct_host('10.0.0.1', OWN).upper()}/", Action.ANSWER, 403, ""),  # any port
    (f"http://{direct_host('127.0.0.1', OTHER)}:32400/", Action.REFUSE, 403,
     f"its own plex.direct names only (<address>.{OWN}.plex.direct), so it refused "
     f"'127-0-0-1.{OTHER}.plex.direct' without looking it up"),
    ("http://plex.tv/api/v2/user", Action.REFUSE, 403, "so it refused 'plex.tv'"),
    ("https://clients.plex.tv:443/", Action.REFUSE, 403, "so it refused 'clients.plex.tv'"),
    ("http://plex.tv:x/", Action.REFUSE, 403, "so it refused 'plex.tv'"),  # the host first
    ("http://example.com/", Action.REFUSE, 403, "so it refused 'example.com'"),
    (f"http://{direct_host('127.0.0.1', OWN)}:x/", Action.REFUSE, 400, "not a port"),
    ("http://[::1/identity", Action.REFUSE, 400, "not a URL"),
])
def test_on_a_servers_connection_only_its_own_names_are_answered(url, action, status, words):
    decision = decide_on_server(url, OWN)
    assert (decision.action, decision.status) == (action, status)
    assert words in decision.reason
    if decision.refused and status == 403:
        assert decision.reason.startswith(SERVER_WORDS)
        assert "--proxy-passthrough" not in decision.reason  # it would not help here
    if decision.answered:
        assert decision.direct_hash == OWN


def test_on_the_connection_of_a_server_gone_no_name_is_answered():
    decision = decide_on_server(f"http://{direct_host('127.0.0.1', OWN)}/", None)
    assert decision.refused and decision.status == 403
    assert "answers no name: the server it reached is gone" in decision.reason


@pytest.mark.parametrize(("url", "action", "words"), [
    ("https://plex.tv/api/v2/user", Action.ANSWER, ""),
    (f"http://{direct_host('127.0.0.1', OWN)}:32400/identity", Action.REFUSE,
     "this connection reaches plex.tv's side, so it refused"),
    ("http://example.com/", Action.REFUSE, "mockplex's proxy answers only plex.tv's hosts"),
])
def test_on_plex_tvs_connection_a_plex_direct_name_is_refused_for_what_it_is(url, action,
                                                                            words):
    decision = decide_on_plex_tv(url)
    assert decision.action is action and words in decision.reason
    assert "no server of this mockplex" not in decision.reason  # the server may exist


def test_plex_tvs_hosts_are_asked_before_any_plex_direct_rule(monkeypatch):
    """plex.tv's hosts are the common case, every intercepted request's: they are
    answered without a plex.direct name's rule being asked at all."""
    def never(host: str) -> bool:
        raise AssertionError(f"asked whether {host!r} is below plex.direct")

    monkeypatch.setattr(hosts, "is_direct_host", never)
    assert decide("https", "clients.plex.tv", None, EVERY_HOST, hosts=PLEX_HOSTS, below=True,
                  any_port=True, servers=lambda found: True).answered
    assert decide_url("https://plex.tv/api/v2/pins").answered


# -- interception: its hosts and every host below them, any port; the rest pass --------

@pytest.mark.parametrize(("scheme", "host", "answered"), [
    ("https", "plex.tv", True), ("http", "clients.plex.tv", True),
    ("https", "metadata.provider.plex.tv", True), ("https", "PLEX.TV.", True),
    ("https", "plex.tv.example.com", False), ("https", "notplex.tv", False),
    ("ws", "plex.tv", False), ("https", "example.com", False),
])
def test_interception_answers_its_hosts_and_below_and_passes_the_rest(scheme, host, answered):
    from mockplex.interception.stack import Interception

    interception = Interception(mockplex.create_app())
    decision = interception.decide(scheme, host)
    assert decision.action is (Action.ANSWER if answered else Action.PASS)
    if scheme == "https":  # covers() asks for https
        assert interception.covers(host) is answered
    assert decide(scheme, host, 8443, EVERY_HOST, hosts=PLEX_HOSTS, below=True,
                  any_port=True) == decision  # the port is no interception's business


# -- the approval pages -------------------------------------------------------------------

@pytest.mark.parametrize(("url", "moved"), [
    ("https://app.plex.tv/auth#?code=X", True), ("https://plex.tv/link", True),
    ("https://www.plex.tv/link?pin=AB12", True), ("https://clients.plex.tv/auth", False),
    ("https://example.com/auth", False), ("https://app.plex.tv.example.com/auth", False),
])
def test_auth_url_moves_the_approval_hosts_pages_only(url, moved):
    assert decide("https", url.split("/")[2], hosts=APPROVAL_HOSTS, any_port=True
                  ).answered is moved
    if moved:
        assert mockplex.auth_url(url, "http://127.0.0.1:1").startswith("http://127.0.0.1:1/")
    else:
        with pytest.raises(ValueError, match=r"not a plex\.tv approval URL"):
            mockplex.auth_url(url, "http://127.0.0.1:1")


# -- one home ------------------------------------------------------------------------------

def modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if path != HOME)


def is_host_rule(node: ast.AST) -> bool:
    """``x in ("plex.tv", ...)``, ``x == "app.plex.tv"``, ``x in PROXY_HOSTS``: a module
    deciding about plex.tv's hosts itself."""
    if not isinstance(node, ast.Compare):
        return False
    for side in (node.left, *node.comparators):
        names = {getattr(side, "id", None), getattr(side, "attr", None)}
        if names & {"PLEX_HOSTS", "PROXY_HOSTS", "APPROVAL_HOSTS", "PLEX_PORTS"}:
            return True
        elements = getattr(side, "elts", [side])
        if any(isinstance(element, ast.Constant) and element.value in PROXY_HOSTS
               for element in elements):
            return True
    return False


def host_lists(tree: ast.AST) -> list[int]:
    """Lines of a literal list, tuple or set naming two or more of plex.tv's hosts."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, (ast.Tuple, ast.List, ast.Set))
            and sum(isinstance(element, ast.Constant) and element.value in PROXY_HOSTS
                    for element in node.elts) >= 2]


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_other_module_lists_plex_hosts_or_decides_about_them(path):
    tree = ast.parse(path.read_text())
    rules = [node.lineno for node in ast.walk(tree) if is_host_rule(node)]
    assert rules == [], f"{path.name} decides about plex.tv's hosts itself: lines {rules}"
    assert host_lists(tree) == [], f"{path.name} keeps a list of plex.tv's hosts"


#: Each way a request reaches the mock, and what of mockplex.domain.hosts it must call
#: (a method as ``Class.method``).
WAYS_IN = [
    ("proxy/listeners.py", "_connect", "decide"),
    ("proxy/listeners.py", "_absolute", "decide_url"),
    # the relayed connection: to the app's own socket, and to a fake server's
    ("app.py", "InterceptedRequests.decide", "decide_on_plex_tv"),
    ("app.py", "InterceptedServerRequests.decide", "decide_on_server"),
    ("interception/stack.py", "Interception.decide", "decide"),
    ("plextv/pages.py", "auth_url", "decide"),
]


@pytest.mark.parametrize(("module", "function", "called"), WAYS_IN)
def test_each_way_in_asks_the_decision(module, function, called):
    tree = ast.parse((PACKAGE / module).read_text())
    owner, _, name = function.rpartition(".")
    scopes = [node for node in ast.walk(tree)
              if isinstance(node, ast.ClassDef) and node.name == owner] if owner else [tree]
    [found] = [node for scope in scopes for node in ast.walk(scope)
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
               and node.name == name and (not owner or node in scope.body)]
    calls = {getattr(node.func, "id", getattr(node.func, "attr", None))
             for node in ast.walk(found) if isinstance(node, ast.Call)}
    assert called in calls, f"{module}'s {function} no longer asks hosts.{called}"
    assert getattr(hosts, called) is not None


def test_the_rule_is_the_one_the_proxy_answers_by(monkeypatch):
    """The refusal text comes from the one home: change it there, and the proxy's and
    the relayed check's words change with it."""
    monkeypatch.setattr(hosts, "refusal", lambda host: f"no {host} here")
    assert decide_url("http://example.com/").reason == "no example.com here"
    assert decide("https", "example.com", 443, tunnel=True).reason == "no example.com here"
