"""A pin's wire fields have one home, the :class:`Pin` dataclass: each field is either
marked off the wire or dumped (under PinSchema's name for it) and in the key of the
cached answer, so a field added to Pin cannot be silently left out of either."""

from __future__ import annotations

import dataclasses
import json

import pytest

from mockplex.domain.pins import WIRE_FIELDS, Pin, wire_state
from mockplex.plextv import wire
from mockplex.web.render import JSON_ENCODER

NOW = 1_767_323_045.0
BASE = Pin(id=308667304, code="7RQZ", client_identifier="wire-tests", product="0",
           strong=False, created_at=NOW, expires_at=NOW + 900)


def another(field: dataclasses.Field[object], value: object) -> object:
    """A value of ``field``'s type other than ``value`` (from its annotation, so that a
    field added later gets one too)."""
    kind = str(field.type)
    if isinstance(value, bool) or (value is None and "bool" in kind):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str) or (value is None and "str" in kind):
        return (value or "") + "x"
    raise AssertionError(f"Pin.{field.name}: give this test a value of type {kind}")


def test_the_wire_fields_are_the_pins_fields_that_are_not_marked_off_it():
    off = {field.name for field in dataclasses.fields(Pin) if field.metadata.get("wire") is False}
    assert off == {"strong", "polls"}
    on = tuple(field.name for field in dataclasses.fields(Pin) if field.name not in off)
    assert on == WIRE_FIELDS
    assert wire_state(BASE) == tuple(getattr(BASE, name) for name in WIRE_FIELDS)


def test_the_schema_dumps_the_wire_fields_and_the_answers_own_values_only():
    assert set(wire.PinSchema().fields) == set(WIRE_FIELDS) | set(wire.PIN_EXTRAS)


@pytest.mark.parametrize("field", dataclasses.fields(Pin), ids=lambda field: field.name)
def test_each_field_on_the_wire_changes_the_answer_and_the_others_do_not(field):
    before = wire.dump_pin(BASE, NOW, "http://mock")
    changed = dataclasses.replace(BASE, **{field.name: another(field, getattr(BASE, field.name))})
    after = wire.dump_pin(changed, NOW, "http://mock")
    if field.name in WIRE_FIELDS:  # dumped, and in the cache's key
        assert after != before
    else:
        assert after == before


def test_the_answers_json_is_the_json_of_its_wire_form():
    pins = [BASE, dataclasses.replace(BASE, auth_token='to"k\\é\u2028', new_registration=False,
                                      product="Prod ü 🎉\x01<&>", trusted=True),
            dataclasses.replace(BASE, strong=True, code="a" * 25, client_identifier="\ud800")]
    for pin in pins:
        for now, base in ((NOW, "http://mock"), (NOW + 10_000, 'http://"odd" host é')):
            dumped = wire.dump_pin(pin, now, base)
            assert wire.pin_json(pin, dumped) == JSON_ENCODER.encode(dumped) == json.dumps(
                dumped, separators=(",", ":"), ensure_ascii=False)
