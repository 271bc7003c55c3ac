"""The schemas against the documented payloads in fixtures/."""

from __future__ import annotations

import json

import pytest
from marshmallow import ValidationError

from mockplex.control.bodies import ApproveArgs, ClockArgs
from mockplex.plextv.arguments import ClientSchema, CreatePinArgs
from mockplex.plextv.wire import PIN_SCHEMA, ErrorsSchema
from mockplex.web.render import to_xml, xml_text
from tests.values import FIXTURES


def test_the_documented_pin_loads_and_dumps_unchanged():
    text = (FIXTURES / "pin.json").read_text().strip()
    dumped = PIN_SCHEMA.dump(PIN_SCHEMA.load(json.loads(text)))
    assert json.dumps(dumped, separators=(",", ":")) == text


def test_the_documented_pin_renders_as_the_documented_xml(load_fixture):
    dumped = PIN_SCHEMA.dump(PIN_SCHEMA.load(load_fixture("pin.json")))
    assert xml_text(to_xml("pin", dumped)) == (FIXTURES / "pin.xml").read_text()


def test_an_integer_postal_code_is_not_the_wire_format(load_fixture):
    example = load_fixture("pin.json")
    example["location"]["postal_code"] = 802  # the spec's one wrong example
    with pytest.raises(ValidationError, match="postal_code"):
        PIN_SCHEMA.load(example)


@pytest.mark.parametrize("field", ["id", "code", "clientIdentifier", "location", "expiresIn",
                                   "createdAt", "expiresAt", "authToken", "newRegistration"])
def test_every_pin_field_is_required(load_fixture, field):
    example = load_fixture("pin.json")
    del example[field]
    with pytest.raises(ValidationError, match=field):
        PIN_SCHEMA.load(example)


def test_an_approved_pin_loads(load_fixture):
    example = dict(load_fixture("pin.json"), authToken="x" * 20, newRegistration=False)
    assert PIN_SCHEMA.load(example)["new_registration"] is False


def test_the_error_body_round_trips():
    body = {"errors": [{"code": 1020, "message": "Code not found or expired", "status": 404}]}
    assert ErrorsSchema().dump(ErrorsSchema().load(body)) == body


def test_client_values_need_an_identifier_and_default_the_product_to_0():
    loaded = ClientSchema().load({"x-plex-client-identifier": "abc", "x-plex-other": "kept out"})
    assert loaded == {"client_identifier": "abc", "product": "0"}
    with pytest.raises(ValidationError):
        ClientSchema().load({})


@pytest.mark.parametrize(("value", "strong"), [("true", True), ("True", True), ("1", True),
                                               (True, True), ("false", False), ("0", False),
                                               ("", False), (False, False)])
def test_strong_spellings(value, strong):
    assert CreatePinArgs().load({"strong": value}) == {"strong": strong}


def test_control_bodies_are_strict():
    with pytest.raises(ValidationError, match="Unknown field"):
        ApproveArgs().load({"token": "x"})
    with pytest.raises(ValidationError):
        ClockArgs().load({"advance": -1})
    assert ApproveArgs().load({}) == {"auth_token": None, "user": None}
