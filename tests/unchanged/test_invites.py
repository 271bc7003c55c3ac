"""python-plexapi's invite round, unchanged, in a subprocess given only the env file's
variables: plex.tv and the fake server's plex.direct names through the proxy
(tests/unchanged/clients/python_invites.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CLIENT = Path(__file__).resolve().parent / "clients" / "python_invites.py"
TIMEOUT = 60


def test_invite_accept_connect_and_remove_through_the_proxy(mockplex, mockplex_proxy):
    server = mockplex.add_server("Den", libraries=[{"title": "Films", "type": "movie"},
                                                   {"title": "Shows", "type": "show"}])
    bob = mockplex.store.create_account("bob", email="bob@x.test")
    owner = mockplex.store.default_account
    done = subprocess.run(
        [sys.executable, str(CLIENT), owner.auth_token, bob.auth_token, "bob",
         server.machine_identifier],
        env=mockplex_proxy.env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["pending"] == [["mockplex", ["Den"]]]
    assert seen["resource"] == ["Den", False]
    assert seen["machineIdentifier"] == server.machine_identifier
    assert seen["sections"] == ["Films"] and seen["friends"] == ["bob"]  # invited to it alone
    assert seen["after"] == [] and mockplex.shares == [] and mockplex.invites == []
    asked = {(entry.method, entry.path) for entry in mockplex.requests if not entry.server}
    assert {("POST", f"/api/servers/{server.machine_identifier}/shared_servers"),
            ("PUT", f"/api/invites/requests/{owner.id}"),
            ("DELETE", f"/api/v2/sharings/{bob.id}")} <= asked
