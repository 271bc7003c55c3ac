"""The plex.tv routes, row by row against docs/contract.md (from "Who is calling" to "Errors")."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from freezegun import freeze_time

from mockplex import DEFAULT_TOKEN, create_app, store_of
from tests.values import CLIENT_ID, HEADERS, JSON_HEADERS

WIRE_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
NOT_FOUND = {"errors": [{"code": 1020, "message": "Code not found or expired", "status": 404}]}
MISSING_ID = {"errors": [{"code": 1000, "message": "X-Plex-Client-Identifier is missing",
                          "status": 400}]}


def xml(response):
    assert response.content_type == "application/xml; charset=utf-8"
    return ElementTree.fromstring(response.data)


# -- POST /api/v2/pins ---------------------------------------------------

def test_create_answers_201_with_every_field_typed_as_plex_does(client):
    response = client.post("/api/v2/pins", headers=JSON_HEADERS)
    assert response.status_code == 201
    assert response.content_type == "application/json; charset=utf-8"
    pin = response.get_json()
    assert list(pin) == ["id", "code", "product", "trusted", "qr", "clientIdentifier",
                         "location", "expiresIn", "createdAt", "expiresAt", "authToken",
                         "newRegistration"]
    assert isinstance(pin["id"], int) and 9 <= len(str(pin["id"])) <= 10
    assert re.fullmatch(r"[A-Z0-9]{4}", pin["code"])
    assert pin["product"] == "mockplex tests"
    assert pin["trusted"] is False
    assert pin["qr"] == f"http://localhost/api/v2/pins/qr/{pin['code']}"
    assert pin["clientIdentifier"] == CLIENT_ID
    assert pin["expiresIn"] == 900
    assert re.fullmatch(WIRE_TIME, pin["createdAt"]) and re.fullmatch(WIRE_TIME, pin["expiresAt"])
    assert pin["authToken"] is None and pin["newRegistration"] is None


def test_location_has_snake_case_keys_and_a_string_postal_code(new_pin):
    location = new_pin()["location"]
    assert set(location) == {"code", "european_union_member", "continent_code", "country",
                             "city", "time_zone", "postal_code", "in_privacy_restricted_country",
                             "in_privacy_restricted_region", "subdivisions", "coordinates"}
    assert isinstance(location["postal_code"], str)
    assert isinstance(location["european_union_member"], bool)
    assert re.fullmatch(r"-?\d+\.\d+, -?\d+\.\d+", location["coordinates"])


def test_expires_at_is_created_at_plus_the_lifetime(new_pin):
    with freeze_time("2024-07-16 17:03:05"):
        weak, strong = new_pin(), new_pin("?strong=true")
    assert (weak["createdAt"], weak["expiresAt"]) == ("2024-07-16T17:03:05Z",
                                                      "2024-07-16T17:18:05Z")
    assert strong["expiresAt"] == "2024-07-16T17:33:05Z"
    assert strong["expiresIn"] == 1800


@pytest.mark.parametrize("where", ["query", "form", "json"])
@pytest.mark.parametrize("value", ["true", "True", "1"])
def test_strong_is_read_from_query_form_or_json(client, where, value):
    kwargs = {"query": {"query_string": {"strong": value}},
              "form": {"data": {"strong": value}},
              "json": {"json": {"strong": value}}}[where]
    response = client.post("/api/v2/pins.json", headers=HEADERS, **kwargs)
    assert response.status_code == 201
    pin = response.get_json()
    assert re.fullmatch(r"[a-z0-9]{25}", pin["code"])
    assert pin["expiresIn"] == 1800


@pytest.mark.parametrize("value", ["false", "False", "0", ""])
def test_strong_false_gives_a_four_character_code(client, value):
    pin = client.post("/api/v2/pins.json", headers=HEADERS,
                      query_string={"strong": value}).get_json()
    assert len(pin["code"]) == 4 and pin["expiresIn"] == 900


def test_json_booleans_work_for_strong(client):
    response = client.post("/api/v2/pins.json", headers=HEADERS, json={"strong": True})
    assert response.status_code == 201
    pin = response.get_json()
    assert re.fullmatch(r"[a-z0-9]{25}", pin["code"]) and pin["expiresIn"] == 1800


def test_a_strong_value_that_is_not_a_boolean_is_a_plex_400(client):
    response = client.post("/api/v2/pins.json?strong=maybe", headers=HEADERS)
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert (error["code"], error["status"]) == (1000, 400)
    assert "strong" in error["message"]
    assert store_of(client.application).pins() == []  # no pin was made


def test_missing_client_identifier_is_400_1000(client):
    response = client.post("/api/v2/pins", headers={"Accept": "application/json"})
    assert (response.status_code, response.get_json()) == (400, MISSING_ID)


def test_missing_client_identifier_in_xml(client):
    response = client.post("/api/v2/pins")
    assert response.status_code == 400
    error = xml(response)
    assert error.tag == "errors"
    assert error[0].attrib == {"code": "1000", "message": "X-Plex-Client-Identifier is missing",
                               "status": "400"}


def test_an_empty_client_identifier_counts_as_missing(client):
    response = client.post("/api/v2/pins.json", headers={"X-Plex-Client-Identifier": ""})
    assert (response.status_code, response.get_json()) == (400, MISSING_ID)


@pytest.mark.parametrize("where", ["headers", "query_string", "data"])
def test_xplex_values_may_be_headers_query_or_form(client, where):
    values = {"X-Plex-Client-Identifier": "from-" + where, "X-Plex-Product": "Product " + where}
    pin = client.post("/api/v2/pins.json", **{where: values}).get_json()
    assert (pin["clientIdentifier"], pin["product"]) == ("from-" + where, "Product " + where)


def test_headers_win_over_the_query(client):
    pin = client.post("/api/v2/pins.json?X-Plex-Client-Identifier=query",
                      headers={"X-Plex-Client-Identifier": "header"}).get_json()
    assert pin["clientIdentifier"] == "header"


def test_product_is_0_when_none_was_sent(client):
    pin = client.post("/api/v2/pins.json",
                      headers={"X-Plex-Client-Identifier": CLIENT_ID}).get_json()
    assert pin["product"] == "0"


def test_a_malformed_json_body_is_a_plex_400(client):
    response = client.post("/api/v2/pins.json", headers=HEADERS, data="{not json",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.content_type == "application/json; charset=utf-8"
    [error] = response.get_json()["errors"]
    assert (error["code"], error["status"]) == (1000, 400)
    assert store_of(client.application).pins() == []


@pytest.mark.parametrize("body", ['""', "null", "[]", "[1, 2]", "true", "7"])
def test_a_json_body_that_is_not_an_object_is_read_as_no_body(client, body):
    """As plex.tv does: some clients send Content-Type application/json and ``""``."""
    response = client.post("/api/v2/pins.json", headers=HEADERS, data=body,
                           content_type="application/json")
    assert response.status_code == 201
    pin = response.get_json()
    assert len(pin["code"]) == 4 and pin["expiresIn"] == 900  # not strong: nothing was read
    assert pin["clientIdentifier"] == CLIENT_ID  # the X-Plex values still were


def test_json_that_does_not_parse_names_the_problem(client):
    response = client.post("/api/v2/pins.json", headers=HEADERS, data="{not json",
                           content_type="application/json")
    assert "not valid JSON" in response.get_json()["errors"][0]["message"]


def test_an_oversized_body_is_a_plex_413(client):
    response = client.post("/api/v2/pins.json", headers=HEADERS, data="x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    [error] = response.get_json()["errors"]
    assert (error["code"], error["status"]) == (1913, 413)
    assert store_of(client.application).pins() == []


def test_the_qr_link_uses_the_configured_base_url():
    client = create_app({"MOCKPLEX_BASE_URL": "https://mock.example/"}).test_client()
    pin = client.post("/api/v2/pins.json", headers=HEADERS).get_json()
    assert pin["qr"] == f"https://mock.example/api/v2/pins/qr/{pin['code']}"


# -- GET /api/v2/pins/<id> -----------------------------------------------

def test_poll_answers_200_with_a_null_token_until_approved(client, store, new_pin):
    created = new_pin()
    polled = client.get(f"/api/v2/pins/{created['id']}", headers=JSON_HEADERS)
    assert polled.status_code == 200
    assert polled.get_json() == created
    store.approve(created["id"])
    approved = client.get(f"/api/v2/pins/{created['id']}.json", headers=HEADERS).get_json()
    assert (approved["authToken"], approved["newRegistration"]) == (DEFAULT_TOKEN, False)
    again = client.get(f"/api/v2/pins/{created['id']}.json", headers=HEADERS).get_json()
    assert again["authToken"] == DEFAULT_TOKEN


def test_poll_ignores_a_code_parameter(client, new_pin):
    pin = new_pin()
    response = client.get(f"/api/v2/pins/{pin['id']}.json?code=WRONG", headers=HEADERS)
    assert (response.status_code, response.get_json()) == (200, pin)


def test_expires_in_counts_down_while_polling(client, new_pin):
    with freeze_time("2024-07-16 17:03:05") as frozen:
        pin = new_pin()
        frozen.tick(24)
        polled = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).get_json()
    assert polled["expiresIn"] == 876
    assert polled["createdAt"] == pin["createdAt"]


@pytest.mark.parametrize("pin_ref", ["123456789", "0", "abc", "-5", "99999999999999999999",
                                     "١٢٣"])
def test_an_unknown_pin_is_404_1020(client, pin_ref):
    response = client.get(f"/api/v2/pins/{pin_ref}", headers=JSON_HEADERS)
    assert (response.status_code, response.get_json()) == (404, NOT_FOUND)


def test_an_expired_pin_is_404_1020(client, new_pin):
    with freeze_time("2024-07-16 17:03:05") as frozen:
        pin = new_pin()
        frozen.tick(900)
        response = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS)
    assert (response.status_code, response.get_json()) == (404, NOT_FOUND)


def test_another_clients_pin_is_404_1020(client, new_pin):
    pin = new_pin()
    response = client.get(f"/api/v2/pins/{pin['id']}.json",
                          headers={"X-Plex-Client-Identifier": "someone-else"})
    assert (response.status_code, response.get_json()) == (404, NOT_FOUND)


def test_polling_without_a_client_identifier_is_400_1000(client, new_pin):
    pin = new_pin()
    response = client.get(f"/api/v2/pins/{pin['id']}.json")
    assert (response.status_code, response.get_json()) == (400, MISSING_ID)


def test_not_found_in_xml(client):
    response = client.get("/api/v2/pins/123456789", headers=HEADERS)
    assert response.status_code == 404
    assert response.data.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<errors><error code="1020" '
        'message="Code not found or expired" status="404" /></errors>\n')


# -- JSON or XML ---------------------------------------------------------

@pytest.mark.parametrize(("accept", "is_json"), [
    (None, False),
    ("*/*", False),
    ("application/json", True),
    ("application/json; charset=utf-8", True),
    ("Application/JSON", True),
    ("application/json, text/plain, */*", False),
    ("application/xml", False),
    ("text/html", False),
])
def test_json_only_for_exactly_application_json(client, accept, is_json):
    headers = dict(HEADERS, **({"Accept": accept} if accept else {}))
    response = client.post("/api/v2/pins", headers=headers)
    assert response.status_code == 201
    expected = "application/json" if is_json else "application/xml"
    assert response.content_type == expected + "; charset=utf-8"
    if is_json:
        assert response.get_json()["clientIdentifier"] == CLIENT_ID
    else:
        assert xml(response).get("clientIdentifier") == CLIENT_ID


def test_suffixes_force_the_format(client):
    as_json = client.post("/api/v2/pins.json", headers=HEADERS)
    as_xml = client.post("/api/v2/pins.xml", headers=JSON_HEADERS)
    assert as_json.content_type.startswith("application/json")
    assert xml(as_xml).tag == "pin"
    pin_id = as_json.get_json()["id"]
    assert xml(client.get(f"/api/v2/pins/{pin_id}.xml", headers=JSON_HEADERS)).tag == "pin"


def test_xml_pin_carries_the_same_data_as_json(client, store, new_pin):
    pin = new_pin()
    store.approve(pin["id"])
    as_json = client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).get_json()
    root = xml(client.get(f"/api/v2/pins/{pin['id']}", headers=HEADERS))
    location = as_json.pop("location")
    assert root.attrib == {key: ("0" if value is False else "1" if value is True
                                 else str(value)) for key, value in as_json.items()}
    assert root.find("location").attrib["postal_code"] == location["postal_code"]
    assert root.find("location").attrib["european_union_member"] == "1"


def test_xml_writes_null_as_an_empty_string(client, new_pin):
    pin = new_pin()
    root = xml(client.get(f"/api/v2/pins/{pin['id']}", headers=HEADERS))
    assert root.attrib["authToken"] == "" and root.attrib["newRegistration"] == ""
    assert root.attrib["trusted"] == "0"


# -- errors for everything else under /api/v2 ------------------------------

@pytest.mark.parametrize(("method", "path", "status", "allowed"), [
    ("GET", "/api/v2/nothing", 404, None),
    ("GET", "/api/v2/pins.html", 404, None),
    ("POST", "/api/v2/pins.yaml", 404, None),
    ("DELETE", "/api/v2/pins", 405, "POST"),
    ("GET", "/api/v2/pins", 405, "POST"),
    ("PATCH", "/api/v2/pins/123456789", 405, "GET"),
])
def test_other_paths_and_methods_get_plex_style_errors(client, method, path, status, allowed):
    response = client.open(path, method=method, headers=JSON_HEADERS)
    assert response.status_code == status
    assert response.content_type == "application/json; charset=utf-8"
    [error] = response.get_json()["errors"]
    # docs/contract.md: 1904 a route it does not emulate (listing those it does), 1905 a
    # method a route does not take.
    assert (error["code"], error["status"]) == ({404: 1904, 405: 1905}[status], status)
    assert f"{method} " in error["message"] and path in error["message"]
    if allowed is None:  # the message lists the routes mockplex emulates
        assert "it emulates POST /api/v2/pins, GET /api/v2/pins/<id>" in error["message"]
    else:  # and a 405 says which methods the route takes
        assert allowed in response.headers["Allow"].split(", ")


def test_an_unexpected_failure_is_a_plex_500_not_a_traceback(app, client, store, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "create_pin", broken)
    response = client.post("/api/v2/pins.json", headers=HEADERS)
    assert (response.status_code, response.get_json()) == (500, {"errors": [
        {"code": 1999, "message": "mockplex failed: RuntimeError: disk on fire", "status": 500}]})


# -- CORS --------------------------------------------------------------------

def test_answers_carry_cors_headers(client):
    response = client.post("/api/v2/pins.json", headers={**HEADERS, "Origin": "http://app.test"})
    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/devices.xml", "/pms/servers", "/users/account",
                                  "/api/home/users"])
def test_the_older_routes_a_page_reads_are_cors_open_too(client, path):
    origin = {"Origin": "http://app.test"}
    preflight = client.options(path, headers={**origin, "Access-Control-Request-Method": "GET"})
    answer = client.get(path, headers={**origin, "X-Plex-Token": "MockPlexDefaultToken"})
    assert answer.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_is_answered(client):
    response = client.options("/api/v2/pins", headers={
        "Origin": "http://app.test",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "X-Plex-Client-Identifier, Accept",
    })
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "x-plex-client-identifier" in allowed
