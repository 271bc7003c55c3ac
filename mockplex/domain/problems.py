"""What a test must hear about: the mock failing inside (a bug in mockplex) and a
request to a plex.tv route the mock does not emulate (plex.tv would have answered
something else), or to a fake Plex Media Server's (the problem names the server).
Both are answered as errors, so a client that ignores the status would pass; the
plugin, interception and ``mockplex serve --strict`` read them here and fail instead.
Injected faults are neither.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from mockplex.domain.text import printable

BUG = "bug"
UNMATCHED = "unmatched"
LIMIT = 100  # problems kept between two reads (the newest)


@dataclass(frozen=True)
class Problem:
    kind: str  # BUG or UNMATCHED
    method: str
    path: str
    detail: str = ""  # for a bug: the exception and its traceback
    server: str = ""  # the fake Plex Media Server asked (its name); "" for plex.tv

    def describe(self) -> str:
        asked = f"{printable(self.method)} {printable(self.path)}"  # as sent: shown, not obeyed
        if self.server:
            asked += f" on the fake server '{printable(self.server)}'"
        if self.kind == BUG:
            return f"mockplex failed on {asked}:\n{self.detail}"
        if self.server:
            return (f"{asked}: mockplex does not emulate this Plex Media Server route "
                    "(answered 404/405; a real server would have answered something else)")
        return (f"{asked}: mockplex does not emulate this plex.tv route (answered 404/405; "
                f"plex.tv would have answered something else)")


class Problems:
    """The problems since the last read, at most :data:`LIMIT`; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: deque[Problem] = deque(maxlen=LIMIT)
        #: Called with every problem as it is recorded (``mockplex serve --strict``).
        self.listeners: list[Callable[[Problem], None]] = []

    def add(self, problem: Problem) -> None:
        with self._lock:
            self._kept.append(problem)
        for listener in self.listeners:
            listener(problem)

    def take(self, *, unmatched: bool = True) -> list[Problem]:
        """The problems since the last read (without the unmatched ones if not
        ``unmatched``), and forget them all."""
        with self._lock:
            found = [problem for problem in self._kept if unmatched or problem.kind == BUG]
            self._kept.clear()
        return found

    def __len__(self) -> int:
        return len(self._kept)  # a deque's length needs no lock

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


#: Every way a test can let requests to routes the mock does not emulate pass, as the
#: failure names them: the plugin's marker and the app's configuration key (read by the
#: fixture's check, ``mockplex.plugin.check_after``), and ``Intercept``'s argument (read
#: at the end of its block). No ini option sets it.
HOW_TO_ALLOW_UNMATCHED = (
    "To let a test request routes mockplex does not emulate: with the mockplex fixture, "
    "mark the test @pytest.mark.mockplex_allow_unmatched, or for every test of the "
    'session return {"MOCKPLEX_ALLOW_UNMATCHED": True} from a mockplex_config fixture '
    '(session-scoped: @pytest.fixture(scope="session")); for a block of its own, '
    "mockplex.intercept(allow_unmatched=True).")


def report(problems: list[Problem], *, how_to_allow: bool = False) -> str:
    """The problems as one message, bugs first; with ``how_to_allow``, and any of them
    unmatched, :data:`HOW_TO_ALLOW_UNMATCHED` after them."""
    ordered = sorted(problems, key=lambda problem: problem.kind != BUG)
    lines = [f"- {problem.describe()}" for problem in ordered]
    if how_to_allow and any(problem.kind == UNMATCHED for problem in problems):
        lines.append(HOW_TO_ALLOW_UNMATCHED)
    return "\n".join(lines)
