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

#: The longest span of time the mock takes: a pin's lifetime, and how far its clock may
#: be moved ahead in all. A hundred years keeps every date it writes within year 9999.
MAX_SPAN = 100 * 365 * 24 * 3600
#: The last moment plex.tv's time format can write.
LAST_SECOND = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


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
        if not 0 <= seconds <= MAX_SPAN:  # also refuses NaN
            raise ValueError(f"the clock moves forward by 0 to {MAX_SPAN} seconds at a time; "
                             f"got advance={seconds}")
        with self._lock:
            if self._offset + seconds > MAX_SPAN:
                raise ValueError(f"the clock may be {MAX_SPAN} seconds ahead in all; it is "
                                 f"{self._offset:.0f} ahead, and advance={seconds} would pass "
                                 "that (a reset puts it back)")
            self._offset += seconds
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    @property
    def offset(self) -> float:
        return self._offset


def to_datetime(timestamp: float) -> datetime:
    """The UTC datetime of an epoch timestamp, without fractional seconds; a moment past
    what a date holds (a frozen clock near year 9999) is the last one it holds."""
    try:
        return datetime.fromtimestamp(int(timestamp), UTC)
    except (OverflowError, ValueError, OSError):
        return LAST_SECOND


def format_wire(timestamp: float) -> str:
    """plex.tv's time format: UTC, whole seconds, ``Z`` suffix."""
    return to_datetime(timestamp).strftime(WIRE_FORMAT)


def real_monotonic() -> float:
    """Seconds on the monotonic clock freezegun does not reach (it patches
    ``time.monotonic``, not ``clock_gettime``): for durations and timeouts that must not
    move when a test moves the mock's time."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)
