"""What the app records of a request (Journal.record_request) reads back as the Entry
that recording that entry would keep: values kept as they came, made entries when read;
values over a cap cut as Entry.capped cuts them; a listener handed the entry at once."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from mockplex.domain import limits
from mockplex.domain.journal import FIELDS, Entry, Journal, within_caps

SHORT = {"time": 1.0, "method": "GET", "path": "/api/v2/pins/308667304",
         "query_string": "a=b", "xplex_headers": (("HTTP_X_PLEX_CLIENT_IDENTIFIER", "c"),),
         "raw_body": b"", "status": 200, "matched": True, "fault": False, "scheme": "http",
         "host": "localhost", "content_type": "",
         "response_headers": (("Content-Type", "application/json"),),
         "response_body": b"{}", "duration_ms": 0.5, "server": "Home"}
LONG = {"method": "G" * (limits.SHORT_LIMIT + 1), "path": "/" * (limits.VALUE_LIMIT + 1),
        "query_string": "q" * (limits.QUERY_LIMIT + 1), "raw_body": b"b" * (limits.BODY_LIMIT + 1),
        "host": "h" * (limits.SHORT_LIMIT + 1), "content_type": "t" * (limits.SHORT_LIMIT + 1),
        "response_body": b"r" * (limits.BODY_LIMIT + 1),
        "xplex_headers": (("HTTP_X_PLEX_A", "v" * (limits.VALUE_LIMIT + 1)),),
        "response_headers": tuple((f"X-{n}", "v") for n in range(limits.XPLEX_LIMIT + 1))}


def test_every_field_but_cut_is_given():
    assert set(FIELDS) == set(SHORT) | {"cut"}


@pytest.mark.parametrize("over", [None, *LONG], ids=str)
def test_values_read_back_as_the_entry_recording_it_keeps(over):
    values = dict(SHORT) if over is None else {**SHORT, over: LONG[over]}
    by_values, by_entry = Journal(), Journal()
    by_values.record_request(**values)
    by_entry.record(Entry(**values))
    assert by_values.entries() == by_entry.entries()
    [entry] = by_values.entries()
    assert entry.cut == (over is not None and over not in ("response_body",
                                                          "response_headers"))
    assert within_caps(values) == (over is None) == (Entry(**values).capped()
                                                     == Entry(**values))


def test_entries_are_made_once_and_stay_the_same_objects():
    journal = Journal(limit=3)
    for number in range(5):
        journal.record_request(**{**SHORT, "path": f"/{number}"})
    first = journal.entries()
    assert [entry.path for entry in first] == ["/2", "/3", "/4"]
    assert all(a is b for a, b in zip(first, journal.entries(), strict=True))
    journal.record(Entry(time=0, method="GET", path="/5"))
    journal.record_request(**{**SHORT, "path": "/6"})
    assert [entry.path for entry in journal.entries()] == ["/4", "/5", "/6"]
    assert len(journal) == 3


def test_a_listener_gets_the_entry_as_it_is_recorded():
    journal = Journal()
    heard: list[Entry] = []
    journal.listeners.append(heard.append)
    journal.record_request(**SHORT)
    assert heard == journal.entries() == [Entry(**SHORT)]
    assert heard[0] is journal.entries()[0]


def test_recording_and_reading_from_threads_at_once():
    """Four threads record while one reads: the reads in between (each turning the
    values recorded so far into entries) lose nothing and keep the order."""
    journal = Journal(limit=1000)
    halfway = threading.Barrier(5)  # the writers have recorded half; the reader reads
    read = threading.Barrier(5)  # the reader has read: the writers go on

    def record(writer: int) -> None:
        for number in range(100):
            journal.record_request(**{**SHORT, "time": float(number), "path": f"/{writer}"})
            if number == 49:
                halfway.wait(timeout=10)
                read.wait(timeout=10)

    threads = [threading.Thread(target=record, args=(writer,)) for writer in range(4)]
    for thread in threads:
        thread.start()
    halfway.wait(timeout=10)
    middle = journal.entries()  # every writer stands at its halfway mark
    read.wait(timeout=10)
    while any(thread.is_alive() for thread in threads):
        assert all(isinstance(entry, Entry) for entry in journal.entries())
    for thread in threads:
        thread.join()
    assert len(middle) == 200 and all(isinstance(entry, Entry) for entry in middle)
    entries = journal.entries()
    assert len(entries) == 400
    for writer in range(4):  # each writer's entries, in the order it recorded them
        times = [entry.time for entry in entries if entry.path == f"/{writer}"]
        assert times == [float(number) for number in range(100)]


def test_what_is_read_is_still_a_frozen_entry():
    journal = Journal()
    journal.record_request(**SHORT)
    [entry] = journal.entries()
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.path = "/"  # type: ignore[misc]
