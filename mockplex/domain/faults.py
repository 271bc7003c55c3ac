"""Injected faults: the next matching requests get an error status, a delay, or a
dropped connection, then behaviour returns to normal.

A fault meets the plex.tv side's requests (``server`` None, as every fault did before
the fake servers answered), one fake server's (``server`` its name), or any fake
server's (``server`` ``"*"``), never both sides at once.

This module keeps the faults and decides which request meets which; the web side
(:mod:`mockplex.web.traffic`) carries them out: delays and drops outside Flask, since a
drop must close the connection without an answer, and an error status inside the
app, in plex.tv's error shape and the negotiated format.
"""

from __future__ import annotations

import fnmatch
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from mockplex.domain.limits import check_text
from mockplex.domain.paths import is_control_path

MAX_DELAY_MS = 60_000  # a "hang" long enough for any client timeout, never forever
MAX_HEADERS = 32  # extra headers of one fault
MAX_TEXT = 8192  # characters of a header value, or of the message
#: An HTTP header name (RFC 9110 token), and a value HTTP can send (visible ASCII,
#: spaces and tabs: no CR, LF or NUL, nothing a WSGI server cannot encode).
HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")
ANY_SERVER = "*"  # a fault's server: any fake server's requests
#: Headers that frame the message itself: the server sets them, a fault cannot.
FRAMING = frozenset({"connection", "content-length", "keep-alive", "proxy-connection", "te",
                     "trailer", "transfer-encoding", "upgrade"})


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
    #: None: the plex.tv side; a server's name: that fake server's requests; "*": any
    #: fake server's (:data:`ANY_SERVER`).
    server: str | None = None

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
        if self.message is not None and len(self.message) > MAX_TEXT:
            raise ValueError(f"a fault's message is at most {MAX_TEXT} characters")
        if self.server is not None and (not isinstance(self.server, str) or not self.server):
            raise ValueError("a fault's server is a server's name, \"*\" for any server, or "
                             f"None for the plex.tv side; got {self.server!r}")
        check_text("a fault's ", method=self.method, path=self.path, server=self.server)
        check_text("a fault's ", MAX_TEXT, message=self.message)
        check_headers(self.headers)

    def matches(self, method: str, path: str, server: str | None = None) -> bool:
        """Does a request of ``method`` for ``path`` meet this fault, on the plex.tv side
        (``server`` None) or on the fake server named ``server``? A server's name is
        compared whole, never as a pattern."""
        if server is None:
            if self.server is not None:
                return False
        elif self.server != ANY_SERVER and self.server != server:
            return False
        return (fnmatch.fnmatchcase(method.upper(), self.method.upper())
                and fnmatch.fnmatchcase(path, self.path))


def check_headers(headers: Mapping[str, str]) -> None:
    """Refuse, naming it, a header HTTP cannot send or a fault must not set."""
    if len(headers) > MAX_HEADERS:
        raise ValueError(f"a fault sets at most {MAX_HEADERS} headers, got {len(headers)}")
    for name, value in headers.items():
        shown = repr(name[:40]) if isinstance(name, str) else repr(name)
        if isinstance(name, str):
            check_text("a header's ", name=name)
        if not isinstance(name, str) or not HEADER_NAME.fullmatch(name):
            raise ValueError(f"header {shown}: not an HTTP header name (letters, digits and "
                             "!#$%&'*+-.^_`|~, nothing else)")
        if name.lower() in FRAMING:
            raise ValueError(f"header {shown}: frames the HTTP message itself, which the "
                             "server does; a fault cannot set it")
        if (not isinstance(value, str) or len(value) > MAX_TEXT
                or not HEADER_VALUE.fullmatch(value)):
            raise ValueError(f"header {shown}: its value must be printable ASCII (no CR, LF "
                             f"or other control characters), at most {MAX_TEXT} characters")


class Faults:
    """The active faults, first added first matched. Thread-safe.

    An injected delay (:meth:`pause`) lasts its time unless something ends it first:
    :meth:`clear` (a reset too) ends every delay of a fault taken before it, and the
    socket a request came in on ends the delay held on it as it stops (its ``ended``
    event, set before it calls :meth:`wake`), leaving the delays held on the store's
    other sockets alone."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._woken = threading.Condition(self._lock)  # notified by clear() and wake()
        self._clears = 0  # clear() calls so far: a delay ends when this moves on
        self._taken = threading.local()  # per thread: _clears when it took a delay

    def pause(self, seconds: float, ended: threading.Event | None = None) -> None:
        """An injected delay: wait ``seconds``, or less if :meth:`clear` comes since this
        thread took the delay's fault (:meth:`take`), or ``ended`` is set (the request's
        socket stopping; it then calls :meth:`wake`)."""
        with self._woken:
            since = self._taken.__dict__.pop("clears", self._clears)
            self._woken.wait_for(lambda: self._clears != since or (
                ended is not None and ended.is_set()), seconds)

    def wake(self) -> None:
        """Have every delay in flight look again whether it has ended (a socket
        stopping has set the ``ended`` events of the requests it holds)."""
        with self._woken:
            self._woken.notify_all()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        """Forget every fault, and end the delays in flight (their requests are then
        answered)."""
        with self._woken:
            self._faults.clear()
            self._clears += 1
            self._woken.notify_all()

    def take(self, method: str, path: str, server: str | None = None) -> Fault | None:
        """The fault a request meets, used up by one (None: answer normally): a request
        of the plex.tv side (``server`` None) or of the fake server named ``server``."""
        if server is None and is_control_path(path):  # faults never touch the control API
            return None
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(method, path, server):
                    if fault.delay_ms:  # a clear from now on ends its pause
                        self._taken.clears = self._clears
                    if fault.times is None:
                        return fault
                    if fault.times == 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = replace(fault, times=fault.times - 1)
                    return fault
        return None
