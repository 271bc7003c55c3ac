"""Values the tests share (helpers are fixtures, in conftest.py)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLIENT_ID = "mockplex-tests"
HEADERS = {"X-Plex-Client-Identifier": CLIENT_ID, "X-Plex-Product": "mockplex tests"}
JSON_HEADERS = {**HEADERS, "Accept": "application/json"}

CHROMIUM = "/usr/bin/chromium"
# What a headless Chromium needs on this closed network (see the machine notes).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
