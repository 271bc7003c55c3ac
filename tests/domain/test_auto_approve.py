"""Unattended approval: pins approved as the default account with no one clicking."""

from __future__ import annotations

import pytest
import requests
from freezegun import freeze_time
from plexapi.myplex import MyPlexPinLogin

from mockplex import DEFAULT_TOKEN, Store
from mockplex.domain.autoapprove import AutoApprove
from tests.values import HEADERS

JSON = {**HEADERS, "Accept": "application/json"}


def polls(store: Store, pin_id: int, times: int) -> list[str | None]:
    return [store.poll(pin_id, "c").auth_token for _ in range(times)]


def test_after_polls_lets_n_polls_pass_then_approves():
    store = Store(auto_approve=AutoApprove(after_polls=2))
    pin = store.create_pin("c")
    assert polls(store, pin.id, 4) == [None, None, DEFAULT_TOKEN, DEFAULT_TOKEN]
    assert store.get_pin(pin.id).polls == 4


def test_after_polls_0_approves_at_the_first_poll():
    store = Store(auto_approve=AutoApprove(after_polls=0))
    assert polls(store, store.create_pin("c").id, 1) == [DEFAULT_TOKEN]


def test_after_seconds_approves_at_the_first_poll_that_late():
    store = Store(auto_approve=AutoApprove(after_seconds=5))
    with freeze_time("2024-07-16 17:03:05") as frozen:
        pin = store.create_pin("c")
        frozen.tick(4)
        assert polls(store, pin.id, 1) == [None]
        frozen.tick(1)
        assert polls(store, pin.id, 1) == [DEFAULT_TOKEN]


def test_off_by_default_and_a_manual_approval_is_kept():
    store = Store()
    pin = store.create_pin("c")
    assert polls(store, pin.id, 3) == [None, None, None]
    store.auto_approve = AutoApprove(after_polls=0)
    store.approve(pin.id, "mine")
    assert polls(store, pin.id, 1) == ["mine"]


@pytest.mark.parametrize(("text", "rule"), [("after-polls=3", AutoApprove(after_polls=3)),
                                            ("after-seconds=2.5", AutoApprove(after_seconds=2.5))])
def test_rules_parse(text, rule):
    assert AutoApprove.parse(text) == rule
    assert str(rule) == text


@pytest.mark.parametrize("text", ["after-polls=x", "after-polls=-1", "after-seconds=nan",
                                  "soon", "after-polls"])
def test_bad_rules_are_named(text):
    with pytest.raises(ValueError, match="auto-approve"):
        AutoApprove.parse(text)


def test_the_control_api_sets_shows_and_clears_the_rule(client, new_pin):
    assert client.get("/_mockplex/auto-approve").get_json() == {"autoApprove": None}
    response = client.put("/_mockplex/auto-approve", json={"afterPolls": 1})
    assert response.get_json() == {"autoApprove": "after-polls=1"}
    pin = new_pin()
    tokens = [client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).get_json()
              ["authToken"] for _ in range(2)]
    assert tokens == [None, DEFAULT_TOKEN]
    assert client.delete("/_mockplex/auto-approve").get_json() == {"autoApprove": None}


@pytest.mark.parametrize("body", [{}, {"afterPolls": 1, "afterSeconds": 1}, {"afterPolls": -1},
                                  {"afterPolls": "2"}, {"everyPoll": True}])
def test_the_control_api_rejects_bad_rules(client, body):
    response = client.put("/_mockplex/auto-approve", json=body)
    assert response.status_code == 400
    assert "auto-approve" in response.get_json()["errors"][0]["message"]


def test_reset_restores_the_configured_rule(mockplex):
    mockplex.auto_approve(after_seconds=10)
    mockplex.reset()
    assert mockplex.store.auto_approve is None
    store = Store(auto_approve=AutoApprove(after_polls=1))
    store.auto_approve = None
    store.reset()
    assert store.auto_approve == AutoApprove(after_polls=1)


def test_the_plugin_handle_signs_a_real_client_in_unattended(mockplex, monkeypatch):
    mockplex.auto_approve(after_polls=2)
    monkeypatch.setattr(MyPlexPinLogin, "POLLINTERVAL", 0.01)
    with mockplex.intercept():
        login = MyPlexPinLogin(oauth=True)
        login.oauthUrl()
        login.run(timeout=30)
        assert login.waitForLogin() is True
    assert login.token == DEFAULT_TOKEN
    assert mockplex.pin_for_code(login._code).polls == 3


def test_serve_auto_approve_signs_a_real_client_in_with_no_one_approving(serve, monkeypatch):
    _, url = serve("--port", "0", "--auto-approve", "after-polls=1")
    monkeypatch.setattr(MyPlexPinLogin, "PINS", url + "/api/v2/pins")
    monkeypatch.setattr(MyPlexPinLogin, "POLLINTERVAL", 0.01)
    login = MyPlexPinLogin()
    login.pin  # noqa: B018 - creates the pin
    login.run(timeout=30)
    assert login.waitForLogin() is True
    assert login.token == DEFAULT_TOKEN
    rule = requests.get(url + "/_mockplex/auto-approve", timeout=5).json()
    assert rule == {"autoApprove": "after-polls=1"}


def test_serve_rejects_a_bad_rule(capsys):
    from mockplex.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["serve", "--auto-approve", "after-minutes=3"])
    assert exited.value.code == 2
    assert "use after-polls=N or after-seconds=S" in capsys.readouterr().err
