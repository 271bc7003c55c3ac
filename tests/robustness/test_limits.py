"""Numbers and characters the mock cannot hold are checked where they enter: a clean
4xx in plex.tv's shape, or, for text, output that stays well-formed; and the server
keeps answering normally afterwards. Over a real socket (the session's live server)."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
import requests
from freezegun import freeze_time

from mockplex import Store, create_app
from mockplex.domain.clock import MAX_SPAN
from tests.values import CLIENT_ID

JSON = {"X-Plex-Client-Identifier": CLIENT_ID, "Accept": "application/json"}
HUGE = "9" * 5000


def create(mockplex, query: str = "", headers: dict[str, str] = JSON) -> requests.Response:
    return requests.post(f"{mockplex.url}/api/v2/pins{query}", headers=headers, timeout=5)


def still_serving(mockplex) -> None:
    pin = create(mockplex).json()
    poll = requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}", headers=JSON, timeout=5)
    assert poll.status_code == 200
    assert requests.get(mockplex.url + "/_mockplex/requests", timeout=5).status_code == 200


def test_a_pin_id_of_5000_digits_is_not_found_and_breaks_nothing(mockplex):
    poll = requests.get(f"{mockplex.url}/api/v2/pins/{HUGE}", headers=JSON, timeout=5)
    assert poll.status_code == 404 and poll.json()["errors"][0]["code"] == 1020
    journal = requests.get(mockplex.url + "/_mockplex/requests", timeout=5)
    assert journal.status_code == 200 and journal.json()[0]["pinId"] is None
    for path in (f"/_mockplex/pins/{HUGE}/verify", f"/_mockplex/requests?pin={HUGE}"):
        method = "POST" if path.endswith("verify") else "GET"
        answer = requests.request(method, mockplex.url + path, timeout=5)
        assert answer.status_code in (400, 404) and len(answer.content) < 500
    still_serving(mockplex)


@pytest.mark.mockplex_allow_unmatched  # "{id}.json.json" is no route: counted unmatched
@pytest.mark.parametrize("written", ["0{id}", "+{id}", "{id}.json.json", " {id}", "{id}\u0660"])
def test_a_pin_answers_only_to_its_canonical_id(mockplex, written):
    pin = create(mockplex).json()
    path = f"{mockplex.url}/api/v2/pins/{written.format(id=pin['id'])}"
    assert requests.get(path, headers=JSON, timeout=5).status_code == 404
    assert requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}", headers=JSON,
                        timeout=5).status_code == 200


def test_control_characters_keep_the_xml_well_formed(mockplex):
    created = create(mockplex, "?X-Plex-Product=a%01b%1Fc%EF%BF%BE",
                     headers={"X-Plex-Client-Identifier": CLIENT_ID})
    pin = ElementTree.fromstring(created.content)  # raises if malformed
    assert pin.get("product") == "a\ufffdb\ufffdc\ufffd"
    assert create(mockplex, "?X-Plex-Product=a%01b").json()["product"] == "a\x01b"  # JSON
    account = requests.post(mockplex.url + "/_mockplex/users", timeout=5,
                            json={"username": "bad\x00name\x0b", "title": "\x1b[31m"}).json()
    user = requests.get(mockplex.url + "/api/v2/user", timeout=5,
                        headers={"X-Plex-Token": account["authToken"]})
    assert ElementTree.fromstring(user.content).get("username") == "bad\ufffdname\ufffd"


def test_the_clock_moves_no_further_than_a_date_holds(mockplex):
    advance = mockplex.url + "/_mockplex/clock"
    assert requests.post(advance, json={"advance": MAX_SPAN}, timeout=5).status_code == 200
    refused = requests.post(advance, json={"advance": 1}, timeout=5)
    assert refused.status_code == 400 and "ahead in all" in refused.json()["errors"][0]["message"]
    assert requests.post(advance, json={"advance": 1e300}, timeout=5).status_code == 400
    with pytest.raises(ValueError, match="0 to 3153600000 seconds"):
        mockplex.advance(float("nan"))
    still_serving(mockplex)


def test_lifetimes_are_bounded_where_they_enter():
    with pytest.raises(ValueError, match="at most 3153600000"):
        Store(pin_lifetime=10**12)
    with pytest.raises(ValueError, match="at most 3153600000"):
        create_app({"MOCKPLEX_STRONG_PIN_LIFETIME": 10**12})
    with pytest.raises(ValueError, match="positive whole number"):
        Store(pin_lifetime=True)


def test_a_frozen_clock_at_the_end_of_time_still_answers(mockplex):
    with freeze_time("9999-12-31 23:50:00"):
        pin = create(mockplex).json()
        assert pin["createdAt"] == "9999-12-31T23:50:00Z"
        assert pin["expiresAt"] == "9999-12-31T23:59:59Z"  # the last moment a date holds
    still_serving(mockplex)


def test_a_head_is_not_a_poll(mockplex):
    """A HEAD answers like a poll but carries no body, so no token: neither auto-approve
    nor assert_polled counts it (docs/python.md, the request journal)."""
    mockplex.auto_approve(after_polls=0)
    pin = create(mockplex).json()
    url = f"{mockplex.url}/api/v2/pins/{pin['id']}"
    assert requests.head(url, headers=JSON, timeout=5).status_code == 200
    assert mockplex.pin(pin["id"]).auth_token is None and mockplex.pin(pin["id"]).polls == 0
    mockplex.assert_polled(pin["id"], times=0)
    assert requests.get(url, headers=JSON, timeout=5).json()["authToken"]  # the first poll
    mockplex.assert_polled(pin["id"], times=1)


def test_a_form_body_that_is_not_utf8_is_a_clear_error(mockplex):
    answer = requests.post(mockplex.url + "/api/v2/pins.json", timeout=5,
                           data=b"X-Plex-Client-Identifier=abc&strong=\xff",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 400
    assert "form body is not valid UTF-8 (byte 36)" in answer.json()["errors"][0]["message"]
    still_serving(mockplex)


@pytest.mark.mockplex_allow_unmatched
def test_an_unemulated_path_of_any_length_gets_a_short_answer(mockplex):
    answer = requests.get(f"{mockplex.url}/api/v2/{'x' * 100_000}", headers=JSON, timeout=5)
    assert answer.status_code == 404 and len(answer.content) < 2000
    still_serving(mockplex)
