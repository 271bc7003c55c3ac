"""A poll does the least work (issue 20): the app's hooks are one before every view and one
after it, the pin's JSON is not encoded again, no journal entry is built until read, a
body is read only where there can be one, and the store is reached one way. Counted, not
timed: each test holds a piece of the design, not a speed."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import mockplex
from mockplex import create_app, store_of
from mockplex.domain import journal
from mockplex.web import context, render
from mockplex.web.render import JSON_ENCODER, JsonTemplate

PACKAGE = Path(mockplex.__file__).parent
POLL = {"X-Plex-Client-Identifier": "poll-tests", "Accept": "application/json"}


class Polls:
    """An app with a pin its client has polled once (the pin's answer cached)."""

    def __init__(self) -> None:
        self.app = create_app()
        self.pin = store_of(self.app).create_pin(POLL["X-Plex-Client-Identifier"])
        self.client = self.app.test_client()
        self()

    def __call__(self):
        return self.client.get(f"/api/v2/pins/{self.pin.id}", headers=POLL)


@pytest.fixture
def poll() -> Polls:
    return Polls()


def test_one_hook_before_every_view_and_one_after_it():
    app = create_app()
    assert len(app.before_request_funcs[None]) == 1
    assert len(app.after_request_funcs[None]) == 1


def test_a_poll_writes_no_more_json_than_its_two_changing_values(poll, monkeypatch):
    encoded = []

    class Counting:
        def encode(self, data: object) -> str:
            encoded.append(data)
            return JSON_ENCODER.encode(data)

    monkeypatch.setattr(render, "JSON_ENCODER", Counting())
    answer = poll()
    assert answer.status_code == 200 and answer.get_json()["expiresIn"] > 0
    assert encoded == []  # nor a value: a string and a number are written directly


def test_a_poll_builds_no_journal_entry_until_the_journal_is_read(poll, monkeypatch):
    built = []
    init = journal.Entry.__init__

    def counted(self, *args, **kwargs):
        built.append(args or kwargs)
        init(self, *args, **kwargs)

    monkeypatch.setattr(journal.Entry, "__init__", counted)
    poll()
    assert built == []
    *_, entry = store_of(poll.app).journal.entries()
    assert built and entry.status == 200


@pytest.mark.parametrize("holes", [("b",), ("a", "c"), ("a", "b", "c")])
def test_a_json_template_writes_what_the_encoder_writes(holes):
    data = {"a": "x", "b": 1, "c": None, "nested": {"k": [1, "é", True]}, "d": 2.5}
    template = JsonTemplate(data, holes)
    assert template.holes == tuple(key for key in data if key in holes)
    for value in ["", 'q"uote\\', "é\u2028\ud800\x00🎉", 0, -5, 10**30, True, None, 1.5,
                  {"x": 1}, ["y"]]:
        filled = {**data, **dict.fromkeys(holes, value)}
        assert template.render(filled) == JSON_ENCODER.encode(filled) == json.dumps(
            filled, separators=(",", ":"), ensure_ascii=False)


def test_a_json_template_names_a_hole_the_mapping_lacks():
    with pytest.raises(KeyError, match="missing"):
        JsonTemplate({"a": 1}, ("a", "missing"))


@pytest.mark.parametrize("intercepted", [False, True])
def test_a_body_is_journaled_where_there_is_one_and_none_is_read_where_there_is_not(
        intercepted):
    app = create_app()
    pin = store_of(app).create_pin(POLL["X-Plex-Client-Identifier"])
    client = app.test_client()
    overrides = {"mockplex.intercepted": True} if intercepted else {}
    client.get(f"/api/v2/pins/{pin.id}", headers=POLL, environ_overrides=overrides)
    client.get(f"/api/v2/pins/{pin.id}", headers=POLL, data=b"a body on a GET",
               environ_overrides=overrides)
    client.get(f"/api/v2/pins/{pin.id}", headers=POLL, environ_overrides={
        **overrides, "wsgi.input_terminated": True})  # a server that ends the stream
    bodies = [entry.raw_body for entry in store_of(app).journal.entries()]
    assert bodies == [b"", b"a body on a GET", b""]


def test_the_store_is_reached_one_way():
    assert mockplex.store_of is context.store_of
    app = create_app()
    assert store_of(app) is app.extensions[context.STORE]
    readers = [path.relative_to(PACKAGE).as_posix() for path in sorted(PACKAGE.rglob("*.py"))
               if reads_the_store_key(path)]
    assert readers == ["web/context.py"]


def reads_the_store_key(path: Path) -> bool:
    """Does the module read ``extensions["mockplex"]`` (or ``extensions[STORE]``)?"""
    return any(isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
               and isinstance(node.value, ast.Attribute) and node.value.attr == "extensions"
               and (getattr(node.slice, "value", None) == "mockplex"
                    or getattr(node.slice, "id", None) == "STORE")
               for node in ast.walk(ast.parse(path.read_text())))
