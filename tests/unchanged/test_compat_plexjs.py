"""The Speakeasy TypeScript SDK @lukehagar/plexjs (from npm), run by Node against
`mockplex serve`: its PIN flow and token details, code unchanged but for its server URL
(tests/unchanged/node/plexjs_flow.cjs). `make test` installs each release into .venv/node.

In CI these must run: a missing Node or release fails there. Locally they skip with a
reason (`make test` installs the releases when npm is there).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_node

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "tests" / "unchanged" / "node" / "plexjs_flow.cjs"
#: Releases that have the plex.tv PIN operations (0.43 has none); keep in step with the
#: Makefile's PLEXJS.
RELEASES = ("0.32.1", "0.39.0")


def installed(release: str) -> Path:
    folder = ROOT / ".venv" / "node" / f"plexjs-{release}"
    require_node("@lukehagar/plexjs", folder)
    return folder


@pytest.mark.parametrize("release", RELEASES)
def test_pin_flow_and_token_details(serve, release):
    folder = installed(release)
    _, url = serve("--port", "0", "--quiet")
    done = subprocess.run(["node", str(FLOW), str(folder), url], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == [201, 200, 200]
    assert len(result["code"]) == 4 and result["expiresIn"] == 900
    assert result["token"] == result["userToken"] == "MockPlexDefaultToken"
    assert result["username"] == "mockplex" and result["subscriptions"] == []
