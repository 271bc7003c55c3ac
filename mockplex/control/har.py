"""The journal as a HAR 1.2 file: what browsers' developer tools and HAR viewers open.

Each journal entry becomes a HAR entry: the request (method, URL with the host and
scheme the client used, the headers the journal keeps, query, body) and the answer
(status, headers, body up to the journal's cap, the time the app took). Times are the
mock's clock, which a test may have moved. mockplex's own facts ride along in fields
HAR allows for that (``_matched``, ``_fault``, ``_cut``, and ``_server``: the name of
the fake Plex Media Server asked, "" for plex.tv).

:class:`HarWriter` follows a journal and keeps its file complete and valid the whole
time: rewritten (aside, then renamed into place) within a second of a new entry, and
once more when closed. It keeps every entry since it started, across resets of the
store, up to :data:`HAR_LIMIT` entries and :data:`HAR_BYTES` bytes of them (then the
oldest go, and the file says how many): each entry is written out once, as it comes,
and kept as those bytes, so a file is never larger than that, whatever the requests.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from collections import deque
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from mockplex.domain import files, xplex
from mockplex.domain.journal import Entry, Journal
from mockplex.domain.limits import HAR_BYTES as HAR_BYTES
from mockplex.domain.limits import HAR_LIMIT as HAR_LIMIT

log = logging.getLogger("mockplex.har")
FLUSH_SECONDS = 1.0
TEXT_TYPES = ("text/", "application/json", "application/xml", "image/svg+xml",
              "application/x-www-form-urlencoded")


def pairs(items: Any) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in items]


def content(body: bytes, mime_type: str) -> dict[str, Any]:
    """A HAR body: text where it is text, base64 where it is not."""
    result: dict[str, Any] = {"size": len(body), "mimeType": mime_type}
    if mime_type.split(";")[0].strip().lower().startswith(TEXT_TYPES):
        result["text"] = body.decode("utf-8", errors="replace")
    elif body:
        result["text"] = base64.b64encode(body).decode()
        result["encoding"] = "base64"
    return result


def started(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def har_entry(entry: Entry) -> dict[str, Any]:
    host = entry.host or "localhost"
    url = f"{entry.scheme}://{host}{entry.path}"
    if entry.query_string:
        url += "?" + entry.query_string
    request: dict[str, Any] = {
        "method": entry.method, "url": url, "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": pairs([("Host", host), *((xplex.header_name(key), value)
                                            for key, value in entry.xplex_headers)]),
        "queryString": pairs(entry.query.items()), "headersSize": -1,
        "bodySize": len(entry.raw_body)}
    if entry.raw_body:
        request["postData"] = {"mimeType": entry.content_type,
                               "text": entry.raw_body.decode("utf-8", errors="replace")}
    answer_headers = dict(entry.response_headers)
    if entry.status is None:
        status, reason = 0, "dropped by an injected fault"
    else:
        status = entry.status
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    return {
        "startedDateTime": started(entry.time),
        "time": round(entry.duration_ms, 3),
        "request": request,
        "response": {
            "status": status, "statusText": reason, "httpVersion": "HTTP/1.1", "cookies": [],
            "headers": pairs(entry.response_headers),
            "content": content(entry.response_body,
                               answer_headers.get("Content-Type", "")),
            "redirectURL": answer_headers.get("Location", ""),
            "headersSize": -1, "bodySize": len(entry.response_body)},
        "cache": {},
        "timings": {"send": 0, "wait": round(entry.duration_ms, 3), "receive": 0},
        "_matched": entry.matched, "_fault": entry.fault, "_cut": entry.cut,
        "_server": entry.server,
    }


def log_head(left_out: int) -> dict[str, Any]:
    """A HAR log's fields but its entries."""
    from mockplex import __version__

    head: dict[str, Any] = {"version": "1.2",
                            "creator": {"name": "mockplex", "version": __version__}}
    if left_out:
        head["comment"] = (f"the oldest {left_out} entries were left out (over {HAR_LIMIT} "
                           f"entries or {HAR_BYTES} bytes of them)")
    return head


def encoded(entry: Entry) -> bytes:
    """One HAR entry as it is written in the file."""
    return json.dumps(har_entry(entry), indent=1).encode()


def document(entries: list[bytes], *, left_out: int = 0) -> bytes:
    """A HAR 1.2 file of entries written out by :func:`encoded`."""
    head = json.dumps(log_head(left_out), indent=1)[:-2]  # open: without its last "\n}"
    return (b'{"log": ' + head.encode() + b',\n "entries": [\n' + b",\n".join(entries)
            + b"\n]}}\n")


class HarWriter:
    """Keeps ``path`` a HAR file of what ``journal`` records from now on, until
    :meth:`close`."""

    def __init__(self, path: str | os.PathLike[str], journal: Journal) -> None:
        self.path = Path(path)
        self.journal = journal
        self._entries: deque[bytes] = deque()  # each as written in the file
        self._bytes = 0  # theirs, in all
        self._seen = 0
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._closed = threading.Event()
        self.flush()  # the file exists, valid and empty, from the start
        journal.listeners.append(self._add)
        self._thread = threading.Thread(target=self._run, name="mockplex:har", daemon=True)
        self._thread.start()

    def _add(self, entry: Entry) -> None:
        text = encoded(entry)  # written out once, here (the file is rewritten each second)
        with self._lock:
            self._entries.append(text)
            self._bytes += len(text)
            self._seen += 1
            while len(self._entries) > HAR_LIMIT or self._bytes > HAR_BYTES:
                self._bytes -= len(self._entries.popleft())
        self._changed.set()

    def _run(self) -> None:
        failing = False  # said once until a write succeeds again
        while not self._closed.is_set():
            if self._changed.wait(FLUSH_SECONDS) and not self._closed.is_set():
                self._changed.clear()
                try:
                    self.flush()
                except OSError as error:  # a full disk, a folder gone: said, and tried
                    if not failing:      # again with the next entry (close() raises it)
                        log.warning("the HAR file %s cannot be written: %s", self.path,
                                    error)
                    failing = True
                else:
                    failing = False
                self._closed.wait(FLUSH_SECONDS)  # at most one write a second

    def flush(self) -> None:
        """Write the file now (aside, then renamed into place: readers never see half)."""
        with self._lock:
            entries, left_out = list(self._entries), self._seen - len(self._entries)
        files.replace(self.path, document(entries, left_out=left_out))

    def close(self) -> None:
        """Stop following the journal and write the file a last time; idempotent."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._changed.set()
        self._thread.join(10)
        if self._add in self.journal.listeners:
            self.journal.listeners.remove(self._add)
        self.flush()

    def __enter__(self) -> HarWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
