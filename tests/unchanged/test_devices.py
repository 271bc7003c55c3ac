"""python-plexapi's devices, claim token and avatar, unchanged, in a subprocess given only
the env file's variables: plex.tv through the proxy
(tests/unchanged/clients/python_devices.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

CLIENT = Path(__file__).resolve().parent / "clients" / "python_devices.py"
TIMEOUT = 60
PNG = "89504e470d0a1a0a"


def test_devices_claim_token_and_avatar_through_the_proxy(mockplex, mockplex_proxy):
    mockplex.create_user("ann", password="hunter2")
    server = mockplex.add_server("Den", "ann", connections=["http://127.0.0.1:1"])
    done = subprocess.run([sys.executable, str(CLIENT), "ann", "hunter2", "ann-laptop"],
                          env=mockplex_proxy.env, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert ["Den", "server", server.machine_identifier] in seen["devices"]
    assert [d[2] for d in seen["devices"]] == [server.machine_identifier, "ann-laptop"]
    assert re.fullmatch(r"claim-[A-Za-z0-9]{20}", seen["claim"])
    assert [claim.token for claim in mockplex.claim_tokens] == [seen["claim"]]
    assert seen["thumb"] == ["plex.tv", 200, "image/png", PNG]
    assert seen["after"] == [server.machine_identifier]
    asked = {(entry.method, entry.path) for entry in mockplex.requests}
    assert {("GET", "/devices.xml"), ("GET", "/api/claim/token.json")} <= asked
