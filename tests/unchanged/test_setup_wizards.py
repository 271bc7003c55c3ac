"""A set-up wizard's steps after sign-in, by unchanged programs: the server list from
plex.tv, a connection to the chosen server, its libraries. python-plexapi in a
subprocess given only the env file's variables (plex.tv and the plex.direct names
through the proxy): as the owner, as a friend the server is shared with, with a wrong
token (``Unauthorized``), and for a server whose connections are dead (``NotFound``).
npm's plex-api, the Plex Media Server client Overseerr uses, on Debian's Node, reading
``/`` and ``/library/sections`` as JSON from the server's local connection and from its
plex.direct name through the proxy.

In CI these must run: a missing Node or npm package fails there. Locally they skip with
a reason (`make test` installs the npm package when npm is there).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mockplex.domain.servers import REFUSING
from tests.conftest import require_node

ROOT = Path(__file__).resolve().parents[2]
PMS_CLIENT = ROOT / ".venv" / "node" / "pms"
TIMEOUT = 60


def run(command: list[str], env: dict[str, str] | None = None) -> dict:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


WIZARD = ROOT / "tests" / "unchanged" / "clients" / "python_setup_wizard.py"


def wizard(mode: str, token: str, name: str, env: dict[str, str]) -> dict:
    """python-plexapi's set-up steps in ``mode`` (python_setup_wizard.py's), in a
    subprocess given ``env`` alone: what it read, as a dict."""
    return run([sys.executable, str(WIZARD), mode, token, name], env=env)


def server_requests(mockplex, name: str) -> set[tuple[str, str, int]]:
    """The scheme, path and status of each request the server ``name`` was asked."""
    return {(entry.scheme, entry.path, entry.status) for entry in mockplex.requests
            if entry.server == name}


def test_python_plexapi_connects_through_the_proxy_with_only_the_env_files_variables(
        mockplex, mockplex_proxy):
    server = mockplex.add_server("Home", libraries=[{"title": "Films", "type": "movie"}])
    token = mockplex.store.default_account.auth_token
    result = wizard("owner", token, "Home", mockplex_proxy.env)
    assert result["owned"] and result["machineIdentifier"] == server.machine_identifier
    assert result["baseurl"].startswith(f"https://127-0-0-1.{server.direct_hash}.plex.direct:")
    assert result["sections"] == [["Films", "movie"]] and "mockplex" in result["accounts"]
    assert ("https", "/library/sections", 200) in server_requests(mockplex, "Home")


def test_a_friend_connects_to_a_shared_server_through_the_proxy(mockplex, mockplex_proxy):
    """plexapi tries only the remote connections of a server the account does not own:
    the plex.direct name's, through the proxy, opened by the share's token."""
    server = mockplex.add_server("Home", libraries=[{"title": "Films", "type": "movie"}])
    bob = mockplex.store.create_account("bob")
    mockplex.store.share("Home", "bob")
    result = wizard("friend", bob.auth_token, "Home", mockplex_proxy.env)
    assert not result["owned"] and result["machineIdentifier"] == server.machine_identifier
    assert result["baseurl"].startswith(f"https://127-0-0-1.{server.direct_hash}.plex.direct:")
    assert result["sections"] == [["Films", "movie"]]
    asked = server_requests(mockplex, "Home")
    assert {("https", "/library", 403), ("https", "/library/sections/", 200)} <= asked


def test_a_wrong_token_is_unauthorized_through_the_proxy(mockplex, mockplex_proxy):
    server = mockplex.add_server("Home")
    token = mockplex.store.default_account.auth_token
    result = wizard("wrong-token", token, "Home", mockplex_proxy.env)
    assert result["raised"] == "Unauthorized"
    assert result["baseurl"].startswith(f"https://127-0-0-1.{server.direct_hash}.plex.direct:")
    assert server_requests(mockplex, "Home") == {("https", "/", 401)}


def test_a_server_with_dead_connections_is_not_found_through_the_proxy(mockplex,
                                                                       mockplex_proxy):
    mockplex.add_server("Dead", connections=[REFUSING])
    token = mockplex.store.default_account.auth_token
    result = wizard("dead", token, "Dead", mockplex_proxy.env)
    assert result == {"raised": "NotFound"}
    assert {entry.server for entry in mockplex.requests} == {""}  # plex.tv's side only


def node_client() -> tuple[str, Path]:
    node = require_node("plex-api", PMS_CLIENT)
    return node, ROOT / "tests" / "unchanged" / "node" / "pms_client.cjs"


def test_npm_plex_api_reads_the_server_as_json_from_its_local_connection(mockplex):
    node, script = node_client()
    server = mockplex.add_server("Home")
    port = mockplex.store.port_of(server)
    result = run([node, script, str(PMS_CLIENT), "127.0.0.1", str(port), server.access_token])
    assert result == {"machineIdentifier": server.machine_identifier, "friendlyName": "Home",
                      "sections": [["1", "Movies", "movie"], ["2", "TV Shows", "show"]]}
    [root] = [entry for entry in mockplex.requests if entry.path == "/"]
    assert dict(root.response_headers)["Content-Type"] == "application/json"


def test_npm_plex_api_reaches_the_plex_direct_name_through_the_proxy(mockplex,
                                                                     mockplex_proxy):
    node, script = node_client()
    server = mockplex.add_server("Home")
    port = mockplex.store.port_of(server)
    host = f"127-0-0-1.{server.direct_hash}.plex.direct"
    result = run([node, script, str(PMS_CLIENT), host, str(port), server.access_token,
                  "https"], env=mockplex_proxy.env)
    assert result["machineIdentifier"] == server.machine_identifier
    assert {(entry.scheme, entry.host) for entry in mockplex.requests} == {
        ("https", f"{host}:{port}")}
