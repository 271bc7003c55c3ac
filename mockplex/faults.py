"""Injected faults: the next matching requests get an error status, a delay, or a
dropped connection, then behaviour returns to normal.

This module keeps the faults and decides which request meets which; the web side
(:mod:`mockplex.traffic`) carries them out: delays and drops outside Flask, since a
drop must close the connection without an answer, and an error status inside the
app, in plex.tv's error shape and the negotiated format.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from mockplex.paths import is_control_path

MAX_DELAY_MS = 60_000  # a "hang" long enough for any client timeout, never forever


@dataclass(frozen=True)
class Fault:
    method: str = "*"
    path: str = "*"
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    times: int | None = None  # None: until cleared or reset
    delay_ms: int = 0
    drop: bool = False
    message: str | None = None

    def __post_init__(self) -> None:
        if self.status is None and not self.drop and not self.delay_ms:
            raise ValueError("a fault needs a status, a delay_ms or drop=True")
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError(f"a fault's status is an error status (400-599), got {self.status}")
        if self.drop and self.status is not None:
            raise ValueError("a dropped connection has no status: give one or the other")
        if not 0 <= self.delay_ms <= MAX_DELAY_MS:
            raise ValueError(f"delay_ms is 0 to {MAX_DELAY_MS}, got {self.delay_ms}")
        if self.times is not None and self.times < 1:
            raise ValueError(f"times is 1 or more (or None: until cleared), got {self.times}")

    def matches(self, method: str, path: str) -> bool:
        return (fnmatch.fnmatchcase(method.upper(), self.method.upper())
                and fnmatch.fnmatchcase(path, self.path))


class Faults:
    """The active faults, first added first matched. Thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault this request meets, used up by one (None: answer normally)."""
        if is_control_path(path):  # faults never touch the control API
            return None
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(method, path):
                    if fault.times is None:
                        return fault
                    if fault.times == 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = replace(fault, times=fault.times - 1)
                    return fault
        return None
