"""Each JSON answer of a fake server loads back through its shape (mockplex.pms.wire):
every field there, each of its type (a number where a number is, a string where a
string is), and nothing the shape does not name."""

from __future__ import annotations

import json

import pytest
from marshmallow import RAISE

from mockplex.pms import wire
from tests.pms.conftest import JSON

SHAPES = [("/identity", wire.IDENTITY), ("/", wire.ROOT), ("/library", wire.LIBRARY),
          ("/library/sections", wire.SECTIONS), ("/library/sections/1/all", wire.ITEMS),
          ("/library/sections/3/all", wire.ITEMS), ("/library/metadata/101", wire.ITEMS),
          ("/accounts", wire.ACCOUNTS), ("/clients", wire.EMPTY),
          ("/status/sessions", wire.EMPTY), ("/:/prefs", wire.SETTINGS)]


@pytest.mark.parametrize(("path", "shape"), SHAPES, ids=[path for path, _ in SHAPES])
def test_each_json_answer_is_exactly_its_shape(ask, path, shape):
    container = json.loads(ask(path, headers=JSON).data)["MediaContainer"]
    shape.load(container, unknown=RAISE)  # raises, naming the field, when one is off


def test_a_number_where_a_string_belongs_is_caught():
    with pytest.raises(Exception, match="machineIdentifier"):
        wire.IDENTITY.load({"size": 0, "claimed": True, "machineIdentifier": 5,
                            "version": "1"})
    with pytest.raises(Exception, match="size"):
        wire.IDENTITY.load({"claimed": True, "machineIdentifier": "x", "version": "1"})
