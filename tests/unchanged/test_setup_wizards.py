"""A set-up wizard's steps after sign-in, by unchanged programs: the server list from
plex.tv, a connection to the chosen server, its libraries. python-plexapi in a
subprocess given only the env file's variables (plex.tv and the plex.direct names
through the proxy); npm's plex-api, the Plex Media Server client Overseerr uses, on
Debian's Node, reading ``/`` and ``/library/sections`` as JSON from the server's local
connection and from its plex.direct name through the proxy.

In CI these must run: a missing Node or npm package fails there. Locally they skip with
a reason (`make test` installs the npm package when npm is there).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
PMS_CLIENT = ROOT / ".venv" / "node" / "pms"
TIMEOUT = 60


def run(command: list[str], env: dict[str, str] | None = None) -> dict:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_python_plexapi_connects_through_the_proxy_with_only_the_env_files_variables(
        mockplex, mockplex_proxy):
    server = mockplex.add_server("Home", libraries=[{"title": "Films", "type": "movie"}])
    script = ROOT / "tests" / "unchanged" / "clients" / "python_setup_wizard.py"
    token = mockplex.store.default_account.auth_token
    result = run([sys.executable, str(script), token, "Home"], env=mockplex_proxy.env)
    assert result["machineIdentifier"] == server.machine_identifier
    assert result["baseurl"].startswith(f"https://127-0-0-1.{server.direct_hash}.plex.direct:")
    assert result["sections"] == [["Films", "movie"]] and "mockplex" in result["accounts"]
    assert ("https", "Home") in {(entry.scheme, entry.server) for entry in mockplex.requests
                                 if entry.path == "/library/sections"}


def node_client() -> tuple[str, Path]:
    node = shutil.which("node")
    require("Node (apt-get install nodejs npm)", node is None)
    require(f"plex-api in {PMS_CLIENT} (make test installs it)",
            not (PMS_CLIENT / "node_modules" / "plex-api").is_dir())
    assert node is not None
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
