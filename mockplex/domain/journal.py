"""The request journal: what the mock was asked, for assertions: on the plex.tv side,
and on each fake Plex Media Server (an entry's ``server`` names it).

Bounded: past ``limit`` entries the oldest are dropped first, so a long-running
server does not grow. Thread-safe.

The app records every request, and most entries are never read: it hands the journal
an entry's values (:meth:`Journal.record_request`), kept as a plain tuple, and the
:class:`Entry` is made when the journal is read (building a frozen dataclass of seventeen
fields costs a request about as much as all the rest of its journaling).
"""

from __future__ import annotations

import fnmatch
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from itertools import chain
from operator import itemgetter
from typing import Any, cast
from urllib.parse import parse_qsl

from mockplex.domain import xplex
from mockplex.domain.ids import pin_id_of

# What one entry keeps of a request and of its answer, so that no request can make the
# journal large (the numbers, and what they come to in bytes: mockplex.domain.limits).
from mockplex.domain.limits import BODY_LIMIT as BODY_LIMIT
from mockplex.domain.limits import HEADERS_LIMIT as HEADERS_LIMIT
from mockplex.domain.limits import JOURNAL_LIMIT as JOURNAL_LIMIT
from mockplex.domain.limits import QUERY_LIMIT as QUERY_LIMIT
from mockplex.domain.limits import SHORT_LIMIT as SHORT_LIMIT
from mockplex.domain.limits import VALUE_LIMIT as VALUE_LIMIT
from mockplex.domain.limits import XPLEX_LIMIT as XPLEX_LIMIT
from mockplex.domain.text import printable

Headers = tuple[tuple[str, str], ...]
PIN_PATH = re.compile(r"^/api/v2/pins/([^/.]+)(?:\.(?:json|xml))?$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One request: when (mock time), what was asked, and what was answered.

    Recorded raw, on every request; decoded (query, X-Plex values, body) when read.
    """

    time: float
    method: str
    path: str
    query_string: str = ""
    xplex_headers: tuple[tuple[str, str], ...] = ()  # (WSGI environ key, value)
    raw_body: bytes = b""
    status: int | None = None  # None: the connection was dropped (an injected fault)
    matched: bool = True  # False: no emulated route answers this path
    fault: bool = False  # answered by an injected fault
    cut: bool = False  # True: the request had more than an entry keeps (see the limits)
    # Where it came in (the host the client named: plex.tv through the proxy), and the
    # answer as sent: what a HAR file shows (mockplex.control.har).
    scheme: str = "http"
    host: str = ""
    content_type: str = ""  # of the request's body
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: bytes = b""  # the first BODY_LIMIT bytes
    duration_ms: float = 0.0
    #: The name of the fake Plex Media Server that was asked; "" on the plex.tv side.
    server: str = ""

    def capped(self) -> Entry:
        """This entry, or one keeping no more than the limits above (marked ``cut``
        when the request had more; an answer's body and headers are cut unmarked)."""
        if within_caps({name: getattr(self, name) for name in FIELDS}):
            return self
        answer_headers = fit(self.response_headers)
        if len(self.response_body) > BODY_LIMIT or answer_headers != self.response_headers:
            return replace(self, response_body=self.response_body[:BODY_LIMIT],
                           response_headers=answer_headers).capped()
        headers = fit(self.xplex_headers)
        if (len(self.path) <= VALUE_LIMIT and len(self.query_string) <= QUERY_LIMIT
                and len(self.raw_body) <= BODY_LIMIT and headers == self.xplex_headers
                and len(self.method) <= SHORT_LIMIT and len(self.host) <= SHORT_LIMIT
                and len(self.content_type) <= SHORT_LIMIT):
            return self
        return replace(self, method=self.method[:SHORT_LIMIT], path=self.path[:VALUE_LIMIT],
                       host=self.host[:SHORT_LIMIT],
                       content_type=self.content_type[:SHORT_LIMIT],
                       query_string=self.query_string[:QUERY_LIMIT],
                       raw_body=self.raw_body[:BODY_LIMIT], cut=True, xplex_headers=headers)

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.query_string, keep_blank_values=True))

    @property
    def xplex(self) -> dict[str, str]:
        """The X-Plex values, from the query and (winning) from the headers."""
        return {**xplex.from_pairs(self.query.items()),
                **xplex.from_headers(dict(self.xplex_headers))}

    @property
    def body(self) -> str:
        return self.raw_body.decode("utf-8", errors="replace")

    @property
    def pin_id(self) -> int | None:
        """The pin a poll asks for (``GET /api/v2/pins/<id>`` of plex.tv, not of a fake
        server)."""
        match = None if self.server else PIN_PATH.match(self.path)
        return pin_id_of(match.group(1)) if match else None

    def __str__(self) -> str:
        """One line, with what the client sent escaped (:func:`mockplex.domain.text.printable`):
        a path or query cannot clear a terminal or print a line of its own."""
        query = "?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else ""
        answer = "dropped" if self.status is None else str(self.status)
        line = f"{printable(self.method)} {printable(self.path + query)} -> {answer}"
        return f"{line} on {printable(self.server)}" if self.server else line


#: An entry's fields, in their order.
FIELDS = tuple(each.name for each in fields(Entry))
#: The values of :data:`FIELDS` from a mapping of them, as a tuple: an entry's values.
in_order = itemgetter(*FIELDS)


def within_caps(values: Mapping[str, Any]) -> bool:
    """Does an entry of these values keep them all whole (:meth:`Entry.capped` gives it
    back as it is)?"""
    return (len(values["path"]) <= VALUE_LIMIT and len(values["query_string"]) <= QUERY_LIMIT
            and len(values["raw_body"]) <= BODY_LIMIT
            and len(values["response_body"]) <= BODY_LIMIT
            and len(values["method"]) <= SHORT_LIMIT and len(values["host"]) <= SHORT_LIMIT
            and len(values["content_type"]) <= SHORT_LIMIT
            and fit(values["xplex_headers"]) == values["xplex_headers"]
            and fit(values["response_headers"]) == values["response_headers"])


def as_entry(kept: Entry | tuple[Any, ...]) -> Entry:
    """An entry the journal keeps, as an :class:`Entry`."""
    return kept if isinstance(kept, Entry) else Entry(*kept)


def fit(headers: Headers) -> Headers:
    """``headers`` as an entry keeps them: the first :data:`XPLEX_LIMIT`, each name and
    value cut to :data:`VALUE_LIMIT` characters, and :data:`HEADERS_LIMIT` characters in
    all (the value that crosses it is cut, the headers after it left out)."""
    if (len(headers) <= XPLEX_LIMIT and sum(map(len, chain.from_iterable(headers)))
            <= min(VALUE_LIMIT, HEADERS_LIMIT)):
        return tuple(headers)  # no more text in all than one value may have: none is cut
    kept: list[tuple[str, str]] = []
    room = HEADERS_LIMIT
    for key, value in headers[:XPLEX_LIMIT]:
        key = key[:VALUE_LIMIT]
        room -= len(key)
        if room < 0:
            break
        value = value[:min(VALUE_LIMIT, room)]
        room -= len(value)
        kept.append((key, value))
    return tuple(kept)


class Journal:
    def __init__(self, limit: int = JOURNAL_LIMIT) -> None:
        # Entries, and the values of those not read yet (as :func:`in_order` gives them).
        self._entries: deque[Entry | tuple[Any, ...]] = deque(maxlen=limit)
        self._unread = False  # True: some are values still
        self._lock = threading.Lock()
        #: Called with each entry as it is recorded (a HAR file's writer), kept across
        #: a reset of the store.
        self.listeners: list[Callable[[Entry], None]] = []

    def record(self, entry: Entry) -> None:
        entry = entry.capped()
        with self._lock:
            self._entries.append(entry)
        for listener in self.listeners:
            listener(entry)

    def record_request(self, **values: Any) -> None:
        """Record an entry of these values: every field of :class:`Entry` but ``cut``.
        Kept as they are when they fit the caps, and made an :class:`Entry` when read;
        made one now when they do not (:meth:`record` cuts them), or when a listener
        waits for it."""
        if self.listeners or not within_caps(values):
            self.record(Entry(**values))
            return
        values["cut"] = False
        kept = in_order(values)
        with self._lock:
            self._entries.append(kept)
            self._unread = True

    def entries(self, *, method: str | None = None, path: str | None = None,
                pin_id: int | None = None, unmatched: bool | None = None,
                server: str | None = None) -> list[Entry]:
        """The entries, oldest first, narrowed by method, path (a glob such as
        ``/api/v2/pins/*``), pin id, whether a route matched, and the fake server asked
        (its name; "" for the plex.tv side)."""
        with self._lock:
            if self._unread:  # made entries once, and kept as such
                self._entries = deque(map(as_entry, self._entries),
                                      maxlen=self._entries.maxlen)
                self._unread = False
            entries = cast("list[Entry]", list(self._entries))  # all entries now
        return [entry for entry in entries
                if (method is None or entry.method == method.upper())
                and (path is None or fnmatch.fnmatchcase(entry.path, path))
                and (pin_id is None or entry.pin_id == pin_id)
                and (unmatched is None or entry.matched != unmatched)
                and (server is None or entry.server == server)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def describe(entries: Iterable[Entry]) -> str:
    """The entries one a line, for assertion messages."""
    lines = [f"  {entry}" for entry in entries]
    return "\n".join(lines) if lines else "  (no requests)"


def check_count(found: list[Entry], what: str, times: int | None, at_least: int | None,
                received: list[Entry]) -> None:
    """Raise AssertionError, showing what was received, unless ``found`` has ``times``
    entries (or ``at_least`` that many)."""
    if (times is None) == (at_least is None):
        raise TypeError("give times= or at_least=, one of them")
    if times is not None and len(found) == times:
        return
    if at_least is not None and len(found) >= at_least:
        return
    expected = f"{times}" if times is not None else f"at least {at_least}"
    raise AssertionError(f"expected {what} {expected} time(s), it was {len(found)} time(s); "
                         f"the requests received:\n{describe(received)}")
