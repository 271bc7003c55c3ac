"""One parser of yes or no (``mockplex.domain.flags.parse``), every reader naming its
spellings there, each reader taking exactly what it took before: plex.tv's ``strong`` and
``rememberMe``, the resources' filters, the control API's ``?unmatched=``, the plugin's
ini option and a scenario file's ``strong``."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest
from marshmallow import fields

import mockplex
from mockplex.domain import flags
from mockplex.domain.errors import MockplexError
from mockplex.domain.flags import NotAFlag, parse

PACKAGE = Path(mockplex.__file__).parent
HOME = PACKAGE / "domain" / "flags.py"
CLIENT = {"X-Plex-Client-Identifier": "flags", "Accept": "application/json"}


def test_parse():
    assert parse("yes", ("yes",), ("no",)) is True
    assert parse("no", ("yes",), ("no",)) is False
    assert parse(" YES ", ("yes",), strip=True, ignore_case=True) is True
    assert parse(" yes", ("yes",), ignore_case=True, otherwise=False) is False  # no strip
    assert parse(True, flags.WIRE_TRUE, flags.WIRE_FALSE) is True  # JSON's true is 1
    with pytest.raises(NotAFlag) as raised:
        parse([1], flags.WIRE_TRUE, flags.WIRE_FALSE)  # unhashable: neither
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, MockplexError)
    assert raised.value.value == [1]


def test_a_scenarios_spellings_are_marshmallows_own():
    """A scenario file's ``strong`` took marshmallow's default spellings; it still does."""
    assert fields.Boolean.truthy == flags.LENIENT_TRUE
    assert fields.Boolean.falsy == flags.LENIENT_FALSE


# -- each reader takes exactly what it took -----------------------------------------------

@pytest.mark.parametrize(("value", "strong"), [
    ("true", True), ("True", True), ("1", True), ("false", False), ("False", False),
    ("0", False), ("", False), ("TRUE", None), ("yes", None), ("on", None), (" true", None)])
def test_strong_in_the_query(client, value, strong):
    response = client.post("/api/v2/pins", query_string={"strong": value}, headers=CLIENT)
    if strong is None:
        assert response.status_code == 400 and "strong" in response.get_json()[
            "errors"][0]["message"]
    else:
        assert response.status_code == 201 and is_strong(response.get_json()) is strong


def is_strong(pin: dict) -> bool:
    return len(pin["code"]) > 4  # a strong pin's code is long, a weak one's 4 characters


@pytest.mark.parametrize(("value", "strong"), [
    (True, True), (1, True), (1.0, True), (False, False), (0, False), ("true", True),
    ("", False), ([], None), ({}, None), (2, None), (None, None)])
def test_strong_in_a_json_body(client, value, strong):
    response = client.post("/api/v2/pins", json={"strong": value}, headers=CLIENT)
    if strong is None:
        assert response.status_code == 400
    else:
        assert response.status_code == 201 and is_strong(response.get_json()) is strong


@pytest.mark.parametrize(("value", "https"), [
    ("1", True), ("true", True), ("TRUE", True), ("True", True), ("yes", False),
    ("0", False), (" 1", False), ("", False), (None, False)])
def test_the_resources_filters(client, store, value, https):
    store.add_server("Home", connections=["http://127.0.0.1:32401",
                                          "https://media.example.test:32400"])
    query = {} if value is None else {"includeHttps": value}
    [resource] = client.get("/api/v2/resources", query_string=query, headers={
        "X-Plex-Token": store.default_account.auth_token, "Accept": "application/json"}
        ).get_json()
    protocols = {connection["protocol"] for connection in resource["connections"]}
    assert ("https" in protocols) is https


@pytest.mark.parametrize(("value", "status"), [
    ("1", 200), ("true", 200), ("0", 200), ("false", 200), ("TRUE", 400), ("yes", 400),
    ("", 400)])
def test_the_control_apis_unmatched(client, value, status):
    response = client.get("/_mockplex/requests", query_string={"unmatched": value})
    assert response.status_code == status
    if status == 400:
        assert response.get_json()["errors"][0]["message"] == (
            f"unmatched is 1 or 0, got {value!r}")


def intercepting(ini: str) -> bool:
    from mockplex.plugin import intercepting

    request = SimpleNamespace(node=SimpleNamespace(get_closest_marker=lambda name: None),
                              config=SimpleNamespace(getini=lambda name: ini))
    return intercepting(request)  # type: ignore[arg-type]


@pytest.mark.parametrize(("ini", "intercepts"), [
    ("true", True), (" Yes ", True), ("ON", True), ("1", True), ("false", False),
    ("no", False), ("Off", False), ("0", False)])
def test_the_plugins_ini_option(ini, intercepts):
    assert intercepting(ini) is intercepts


@pytest.mark.parametrize("ini", ["maybe", "", "t", "y"])
def test_the_plugins_ini_option_refuses_anything_else(ini):
    with pytest.raises(pytest.UsageError, match=rf"mockplex_intercept is true or false, "
                                                rf"got '{ini.strip().lower()}'"):
        intercepting(ini)


@pytest.mark.parametrize(("value", "strong"), [("yes", True), ("On", True), ("t", True),
                                               ("NO", False), (0, False), ("maybe", None)])
def test_a_scenario_files_strong(value, strong):
    from mockplex.control.scenario import ScenarioError, load

    store = mockplex.Store()
    scenario = {"pins": [{"clientIdentifier": "c", "strong": value}]}
    if strong is None:
        with pytest.raises(ScenarioError, match="strong"):
            load(store, scenario)
    else:
        load(store, scenario)
        assert store.pins()[0].strong is strong


# -- one parser ------------------------------------------------------------------------------

def test_every_reader_asks_the_one_parser(monkeypatch, client, store):
    """Each reader goes through flags.parse, with the spellings named there."""
    asked: list[tuple[object, object]] = []
    real = flags.parse

    def spy(value, true, false=(), **kwargs):
        asked.append((value, frozenset(true)))
        return real(value, true, false, **kwargs)

    monkeypatch.setattr(flags, "parse", spy)
    client.post("/api/v2/pins?strong=1", headers=CLIENT)
    client.post("/api/v2/users/signin", data={"login": "x", "password": "y",
                                               "rememberMe": "true"}, headers=CLIENT)
    client.get("/api/v2/resources?includeRelay=1", headers={
        "X-Plex-Token": store.default_account.auth_token})
    client.get("/_mockplex/requests?unmatched=0")
    intercepting(" on")
    from mockplex.control.scenario import load

    load(mockplex.Store(), {"pins": [{"clientIdentifier": "c", "strong": "y"}]})
    filters = frozenset(flags.FILTER_TRUE)
    assert asked == [("1", flags.WIRE_TRUE), ("true", flags.WIRE_TRUE),
                     ("0", filters), ("1", filters),  # includeHttps (none), includeRelay
                     ("0", frozenset(flags.QUERY_TRUE)),
                     (" on", frozenset(flags.SETTING_TRUE)), ("y", flags.LENIENT_TRUE)]


#: What a module parsing yes or no itself would spell.
SPELLINGS = {"true", "false", "yes", "no", "on", "off"}


def spells_a_flag(node: ast.AST) -> bool:
    """``x in ("1", "true")``, ``x == "yes"``, ``fields.Boolean(truthy=...)``, or a
    ``TRUTHY`` of its own."""
    if isinstance(node, ast.Compare):
        for side in (node.left, *node.comparators):
            elements = getattr(side, "elts", [side])
            if any(isinstance(element, ast.Constant) and isinstance(element.value, str)
                   and element.value.lower() in SPELLINGS for element in elements):
                return True
    if isinstance(node, ast.keyword) and node.arg in ("truthy", "falsy"):
        return True
    return isinstance(node, ast.Name) and node.id in ("TRUTHY", "FALSY")


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if p != HOME),
                         ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_other_module_parses_yes_or_no(path):
    tree = ast.parse(path.read_text())
    found = [node.lineno for node in ast.walk(tree) if spells_a_flag(node)
             and not (path.name == "arguments.py" and getattr(node, "arg", None))]
    assert found == [], f"{path.name} parses yes or no itself: lines {found}"
