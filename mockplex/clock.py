"""The one source of "now" for a mockplex app.

The clock reads the real time on every call, so ``freezegun.freeze_time`` moves
it (also inside a live server thread of the same process), and adds an offset
that tests and the control API advance.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

WIRE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class Clock:
    """Real (or frozen) time plus an offset in seconds."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch, as the mock sees them."""
        # time.time is looked up on every call, so freezegun's patch applies.
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (not backwards) and return the new now."""
        if seconds < 0:
            raise ValueError(f"the clock only moves forward; got advance={seconds}")
        with self._lock:
            self._offset += seconds
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    @property
    def offset(self) -> float:
        return self._offset


def to_datetime(timestamp: float) -> datetime:
    """The UTC datetime of an epoch timestamp, without fractional seconds."""
    return datetime.fromtimestamp(int(timestamp), UTC)


def format_wire(timestamp: float) -> str:
    """plex.tv's time format: UTC, whole seconds, ``Z`` suffix."""
    return to_datetime(timestamp).strftime(WIRE_FORMAT)
