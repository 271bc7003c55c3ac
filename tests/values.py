"""Values the tests share (helpers are fixtures, in conftest.py)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLIENT_ID = "mockplex-tests"
HEADERS = {"X-Plex-Client-Identifier": CLIENT_ID, "X-Plex-Product": "mockplex tests"}
JSON_HEADERS = {**HEADERS, "Accept": "application/json"}
