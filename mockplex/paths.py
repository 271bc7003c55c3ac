"""Where the control API lives (no Flask here: the domain modules use it too)."""

from __future__ import annotations

CONTROL_PREFIX = "/_mockplex"


def is_control_path(path: str) -> bool:
    """Is ``path`` the control API's (``/_mockplex`` or below it)?"""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
