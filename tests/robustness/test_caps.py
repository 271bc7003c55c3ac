"""Every cap of mockplex.limits where it is enforced, what the entries it bounds hold at
most, and docs/limits.md saying the same numbers (the server-level proofs, memory and
the early 413, are in test_memory.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mockplex import Store, create_app
from mockplex.control import har
from mockplex.control.har import HarWriter
from mockplex.control.scenario import ScenarioError, load
from mockplex.domain import limits
from mockplex.domain.journal import Entry, Journal
from tests.values import HEADERS

ROOT = Path(__file__).resolve().parents[2]
JSON = {**HEADERS, "Accept": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
AT_CAP, OVER = "v" * 1024, "v" * 1025
WIDE = "\U0001f600"  # a character of 4 bytes (UTF-8, and in memory)


def utf8(*texts: str | None) -> int:
    return sum(len(text.encode()) for text in texts if text)


# -- X-Plex values a pin keeps --------------------------------------------------------

@pytest.mark.parametrize("name", ["X-Plex-Client-Identifier", "X-Plex-Product"])
@pytest.mark.parametrize("where", ["header", "query", "form"])
def test_an_x_plex_value_over_the_cap_is_a_plex_400_naming_it(client, name, where):
    values = {**HEADERS, name: OVER}
    if where == "header":
        answer = client.post("/api/v2/pins", headers={**values, "Accept": "application/json"})
    elif where == "query":
        answer = client.post("/api/v2/pins", query_string=values,
                             headers={"Accept": "application/json"})
    else:
        answer = client.post("/api/v2/pins", data=values, headers=FORM)
    assert answer.status_code == 400
    [error] = answer.get_json()["errors"]
    assert (error["code"], error["status"]) == (1000, 400)
    assert error["message"] == (f"{name} is 1025 characters long; mockplex takes at most "
                                "1024 characters in an X-Plex value (its cap)")


def test_values_at_the_cap_are_kept_whole_and_the_product_default_stays(client):
    pin = client.post("/api/v2/pins", data={"X-Plex-Client-Identifier": AT_CAP,
                                            "X-Plex-Product": AT_CAP}, headers=FORM).get_json()
    assert (pin["clientIdentifier"], pin["product"]) == (AT_CAP, AT_CAP)
    poll = client.get(f"/api/v2/pins/{pin['id']}", headers={
        "X-Plex-Client-Identifier": AT_CAP, "Accept": "application/json"})
    assert poll.status_code == 200
    bare = client.post("/api/v2/pins", headers={"X-Plex-Client-Identifier": "c",
                                                "Accept": "application/json"})
    assert bare.get_json()["product"] == "0"


def test_a_poll_with_a_client_identifier_over_the_cap_is_a_400(client):
    pin = client.post("/api/v2/pins", headers=JSON).get_json()
    for headers, query in (({"X-Plex-Client-Identifier": OVER}, {}),
                           ({}, {"X-Plex-Client-Identifier": OVER})):
        answer = client.get(f"/api/v2/pins/{pin['id']}", query_string=query,
                            headers={**headers, "Accept": "application/json"})
        assert answer.status_code == 400
        assert "X-Plex-Client-Identifier is 1025 characters" in answer.get_json()[
            "errors"][0]["message"]


def test_sign_in_checks_the_values_too_and_values_only_recorded_are_not_capped(
        client, store):
    client.post("/_mockplex/users", json={"username": "ann", "password": "pw"})
    refused = client.post("/api/v2/users/signin", data={"login": "ann", "password": "pw"},
                          headers={**HEADERS, "X-Plex-Product": OVER})
    assert refused.status_code == 400
    taken = client.post("/api/v2/pins", headers={**JSON, "X-Plex-Features": "f" * 50_000,
                                                 "X-Plex-Device": "d" * 5000})
    assert taken.status_code == 201
    recorded = store.journal.entries()[-1]  # and cut where it is recorded
    assert recorded.cut and sum(map(len, recorded.xplex)) <= limits.HEADERS_LIMIT
    tokened = client.get("/api/v2/user", headers={**JSON, "X-Plex-Token": "t" * 5000})
    assert tokened.status_code == 401  # a token is looked up: one that long is no one's


def test_the_store_refuses_them_too():
    store = Store()
    store.create_pin(AT_CAP, product=AT_CAP)
    for fields in ({"client_identifier": OVER}, {"client_identifier": "c", "product": OVER}):
        with pytest.raises(ValueError, match="at most 1024 characters, got 1025"):
            store.create_pin(**fields)


# -- text a test gives -----------------------------------------------------------------

@pytest.mark.parametrize(("path", "body", "field"), [
    ("/_mockplex/users", {"username": OVER}, "username"),
    ("/_mockplex/users", {"username": "u", "email": "a@" + OVER}, "email"),
    ("/_mockplex/users", {"username": "u", "title": OVER}, "title"),
    ("/_mockplex/users", {"username": "u", "friendlyName": OVER}, "friendlyName"),
    ("/_mockplex/users", {"username": "u", "authToken": OVER}, "authToken"),
    ("/_mockplex/users", {"username": "u", "password": OVER}, "password"),
    ("/_mockplex/users", {"username": "u", "password": "p", "verificationCode": OVER},
     "verificationCode"),
    ("/_mockplex/pins/{pin}/verify", {"authToken": OVER}, "authToken"),
    ("/_mockplex/pins/{pin}/verify", {"user": OVER}, "user"),
    ("/_mockplex/servers", {"name": OVER}, "name"),
    ("/_mockplex/servers", {"name": "s", "device": OVER}, "device"),
    ("/_mockplex/servers", {"name": "s", "connections": ["http://a:1"] * 33}, "connections"),
    ("/_mockplex/servers", {"name": "s", "connections": ["http://" + OVER]}, "connections"),
    ("/_mockplex/shares", {"server": OVER, "user": "mockplex"}, "server"),
    ("/_mockplex/faults", {"path": OVER, "status": 500}, "path"),
    ("/_mockplex/faults", {"method": OVER, "status": 500}, "method"),
    ("/_mockplex/faults", {"status": 500, "headers": {"X" * 1025: "v"}}, "a header's name"),
])
def test_control_text_over_the_cap_is_a_400_naming_the_field(client, path, body, field):
    pin = client.post("/api/v2/pins", headers=JSON).get_json()["id"]
    answer = client.post(path.format(pin=pin), json=body)
    assert answer.status_code == 400, answer.get_json()
    message = answer.get_json()["errors"][0]["message"]
    assert (f"{field}:" in message or field in message) and (
        "1024" in message or "32" in message), message
    assert len(message) < 1000


def test_the_store_refuses_long_text_from_python_too():
    store = Store()
    with pytest.raises(ValueError, match="title is at most 1024 characters, got 1025"):
        store.create_account("u", title=OVER)
    with pytest.raises(ValueError, match="at most 1024 characters"):
        store.approve(store.create_pin("c").id, OVER)
    with pytest.raises(ValueError, match="platform is at most 1024 characters"):
        store.add_server("s", platform=OVER)
    with pytest.raises(ValueError, match="at most 32 connections, got 33"):
        store.add_server("s", connections=["http://a:1"] * 33)
    with pytest.raises(ValueError, match="uri is at most 1024 characters"):
        store.add_server("s", connections=["http://" + OVER])


@pytest.mark.parametrize(("entry", "problem"), [
    ({"pins": [{"clientIdentifier": OVER}]}, "pins[0].clientIdentifier"),
    ({"pins": [{"clientIdentifier": "c", "product": OVER}]}, "pins[0].product"),
    ({"accounts": [{"username": OVER}]}, "accounts[0].username"),
    ({"servers": [{"name": "s", "platform": OVER}]}, "servers[0].platform"),
    ({"autoApprove": OVER}, "autoApprove"),
])
def test_a_scenario_over_the_caps_names_the_field(entry, problem):
    with pytest.raises(ScenarioError, match=re.escape(problem)):
        load(Store(), entry)


# -- what each holds at most -----------------------------------------------------------

def test_a_pin_and_an_account_at_every_cap_hold_no_more_than_the_docs_say():
    store = Store()
    text = WIDE * 1024
    account = store.create_account(text, email=WIDE * 1022 + "@x", title=text,
                                   friendly_name=text, auth_token=text, password=text,
                                   verification_code=text)
    pin = store.approve(store.create_pin(text, product=text).id, account.auth_token)
    assert utf8(pin.client_identifier, pin.product, pin.code, pin.auth_token) <= (
        limits.PIN_BYTES)
    assert utf8(account.username, account.email, account.title, account.friendly_name,
                account.auth_token, account.password, account.verification_code,
                account.uuid) <= limits.ACCOUNT_BYTES


def entry_at_every_cap() -> Entry:
    """An entry with far more of everything than a journal keeps, in wide characters."""
    huge = WIDE * 100_000
    return Entry(time=0, method=huge, path="/" + huge, query_string=huge,
                 xplex_headers=tuple((f"HTTP_X_PLEX_{n}{huge}", huge) for n in range(50)),
                 raw_body=b"\xff" * 100_000, status=200, host=huge, content_type=huge,
                 response_headers=tuple((f"X-{n}{huge}", huge) for n in range(50)),
                 response_body=b"\x00" * 100_000)


def entry_bytes(entry: Entry) -> int:
    return (utf8(entry.method, entry.path, entry.query_string, entry.host, entry.content_type,
                 *(text for pair in entry.xplex_headers + entry.response_headers
                   for text in pair))
            + len(entry.raw_body) + len(entry.response_body))


def test_a_journal_entry_holds_no_more_than_the_docs_say():
    journal = Journal()
    journal.record(entry_at_every_cap())
    [kept] = journal.entries()
    assert kept.cut
    assert entry_bytes(kept) <= limits.ENTRY_BYTES
    assert entry_bytes(kept) > limits.ENTRY_BYTES * 0.9  # each cap is reached
    assert len(kept.xplex_headers) <= limits.XPLEX_LIMIT
    assert sum(len(k) + len(v) for k, v in kept.response_headers) <= limits.HEADERS_LIMIT
    assert limits.JOURNAL_BYTES == limits.JOURNAL_LIMIT * limits.ENTRY_BYTES


def test_a_short_entry_is_kept_as_it_came():
    entry = Entry(time=0, method="GET", path="/api/v2/user",
                  xplex_headers=(("HTTP_X_PLEX_TOKEN", "t"),),
                  response_headers=(("Content-Type", "application/json"),))
    assert entry.capped() is entry


def test_a_full_har_file_is_no_larger_than_the_docs_say(tmp_path, monkeypatch):
    monkeypatch.setattr(har, "HAR_BYTES", 2 * 1024 * 1024)  # the same rule, a smaller file
    journal = Journal()
    path = tmp_path / "x.har"
    with HarWriter(path, journal):
        for _ in range(40):  # each well over 100 KB once written: escaped wide characters
            journal.record(entry_at_every_cap())
    size = path.stat().st_size
    log = json.loads(path.read_text())["log"]
    assert 0 < len(log["entries"]) < 40 and "were left out" in log["comment"]
    assert size <= har.HAR_BYTES + 2 * len(log["entries"]) + 1024
    assert limits.HAR_FILE_BYTES == limits.HAR_BYTES + 2 * limits.HAR_LIMIT + 1024


# -- the docs ---------------------------------------------------------------------------

def test_docs_limits_md_says_the_numbers_the_code_has():
    text = (ROOT / "docs" / "limits.md").read_text()
    for name in ("XPLEX_VALUE_MAX", "TEXT_MAX", "CONNECTIONS_MAX", "PIN_CACHE",
                 "JOURNAL_LIMIT", "BODY_LIMIT", "QUERY_LIMIT", "VALUE_LIMIT", "SHORT_LIMIT",
                 "XPLEX_LIMIT", "HEADERS_LIMIT", "HOME_USERS_MAX", "DEVICES_MAX",
                 "CLAIM_TOKENS_MAX", "INVITES_MAX"):
        row = re.search(rf"^\| `{name}` \| (\d+)", text, re.M)
        assert row and int(row.group(1)) == getattr(limits, name), name
    for name in ("PIN_BYTES", "ACCOUNT_BYTES", "ENTRY_BYTES", "JOURNAL_BYTES",
                 "HAR_FILE_BYTES"):
        row = re.search(rf"\| (\d+) \(`{name}`\) \|", text)
        assert row and int(row.group(1)) == getattr(limits, name), name
    assert f"`HAR_LIMIT`, {limits.HAR_LIMIT} entries" in text
    assert f"({limits.HAR_BYTES} bytes)" in text
    app = create_app()
    assert f"{app.config['MAX_CONTENT_LENGTH']} bytes (`MAX_CONTENT_LENGTH`)" in text
    assert f"{app.config['MOCKPLEX_MAX_HEADER_BYTES']} bytes" in text


def test_the_pin_cache_keeps_no_host_a_client_named():
    """The cached part of a pin's answer is the pin's own: the ``qr`` link, which follows
    the Host a client sent, is made per answer, so no client can fill the cache (or grow
    a pin's footprint) by naming hosts."""
    from mockplex.plextv.wire import _dump_pin_state

    app = create_app({"MOCKPLEX_ALLOWED_HOSTS": [f"name{n}.test" for n in range(20)]})
    client = app.test_client()
    pin = client.post("/api/v2/pins", headers=JSON).get_json()
    before = _dump_pin_state.cache_info().currsize
    for n in range(20):
        answer = client.get(f"/api/v2/pins/{pin['id']}", headers={**JSON, "Host": f"name{n}.test"})
        assert answer.get_json()["qr"] == f"http://name{n}.test/api/v2/pins/qr/{pin['code']}"
    assert _dump_pin_state.cache_info().currsize - before <= 1
