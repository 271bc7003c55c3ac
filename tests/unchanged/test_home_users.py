"""Plex Home by unchanged clients through the proxy, each in a subprocess given only the
env file's variables: python-plexapi (create, list, switch with and without a PIN, a
wrong PIN, remove) and npm's plex-api-credentials on Debian's Node (a managed user's
sign-in: the owner's password sign-in, the home's users, the switch, the resources).

In CI these must run: a missing Node or npm package fails there. Locally the Node one
skips with a reason (`make test` installs the npm package when npm is there).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import require_node

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = ROOT / ".venv" / "node" / "credentials"
CLIENT = ROOT / "tests" / "unchanged" / "clients" / "python_home_users.py"
SCRIPT = ROOT / "tests" / "unchanged" / "node" / "managed_user_signin.cjs"
TIMEOUT = 60


def run(command: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_python_plexapi_manages_a_home_through_the_proxy(mockplex, mockplex_proxy):
    server = mockplex.add_server("Den", connections=["http://127.0.0.1:1"])
    kid = mockplex.create_user("kid", home_of="mockplex", restricted=True, pin="1234")
    token = mockplex.store.default_account.auth_token
    result = run([sys.executable, str(CLIENT), token, server.machine_identifier],
                 mockplex_proxy.env)
    assert result["users"]["Bobby"] == [True, False]
    assert result["users"]["kid"] == [True, True]
    assert result["kid"] == ["kid", kid.auth_token]
    assert len(result["refused"]) == 2 and all("Invalid PIN" in r for r in result["refused"])
    assert result["bobby"] == "Bobby" and result["after"] == ["kid"]
    asked = {(entry.method, entry.path.rstrip("0123456789")) for entry in mockplex.requests}
    assert {("POST", "/api/home/users"), ("DELETE", "/api/home/users/")} <= asked


def test_npm_plex_api_credentials_signs_a_managed_user_in_through_the_proxy(
        mockplex, mockplex_proxy):
    node, script = require_node("plex-api-credentials", CREDENTIALS), SCRIPT
    mockplex.create_user("owner", password="hunter2")
    server = mockplex.add_server("Den", "owner", connections=["http://127.0.0.1:1"])
    mockplex.create_user("kid", home_of="owner", pin="1234")
    share = mockplex.store.share("Den", "kid")
    result = run([node, str(script), str(CREDENTIALS), "owner", "hunter2", "Kid", "1234"],
                 mockplex_proxy.env)
    assert result == {"token": share.access_token}, result
    wrong = run([node, str(script), str(CREDENTIALS), "owner", "hunter2", "kid", "9999"],
                mockplex_proxy.env)
    assert wrong["error"].startswith("Invalid status code") or "401" in wrong["error"], wrong
    switches = [entry.status for entry in mockplex.requests if entry.path.endswith("/switch")]
    assert switches == [201, 401]
    assert server.name == "Den"
