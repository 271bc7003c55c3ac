from __future__ import annotations

import random
import re

import pytest

from mockplex.domain.accounts import (
    DEFAULT_ACCOUNT,
    DEFAULT_TOKEN,
    AccountExists,
    AccountNotFound,
    Accounts,
    TokenInvalid,
    TokenRevoked,
)
from mockplex.domain.store import PinNotFound, Store


@pytest.fixture
def accounts() -> Accounts:
    return Accounts(random.Random(1))


def test_the_default_account_exists(accounts):
    assert accounts.all() == [DEFAULT_ACCOUNT]
    assert accounts.for_token(DEFAULT_TOKEN) == DEFAULT_ACCOUNT


def test_a_new_account_gets_made_up_values(accounts):
    alice = accounts.add("alice")
    assert (alice.id, alice.username, alice.email, alice.title, alice.friendly_name) == (
        2, "alice", "alice@example.com", "alice", "alice")
    assert re.fullmatch(r"[A-Za-z0-9]{20}", alice.auth_token)
    assert re.fullmatch(r"[0-9a-f]{16}", alice.uuid)
    assert accounts.for_token(alice.auth_token) == alice


def test_given_values_are_kept(accounts):
    bob = accounts.add("bob", email="b@x.test", title="Bob", auth_token="bobtoken")
    assert (bob.email, bob.title, bob.friendly_name, bob.auth_token) == (
        "b@x.test", "Bob", "Bob", "bobtoken")


def test_usernames_and_tokens_are_unique(accounts):
    accounts.add("alice", auth_token="t1")
    with pytest.raises(AccountExists, match="alice"):
        accounts.add("alice")
    with pytest.raises(AccountExists, match="token belongs to the account 'alice'"):
        accounts.add("carol", auth_token="t1")


def test_an_unnamed_account_is_numbered(accounts):
    accounts.add("user3")
    assert accounts.add(None).username == "user4"


def test_unknown_users_and_tokens(accounts):
    with pytest.raises(AccountNotFound, match="'nobody'"):
        accounts.get("nobody")
    for token in (None, "", "unknown"):
        with pytest.raises(TokenInvalid):
            accounts.for_token(token)


def test_revoking_a_token_renews_the_accounts_token(accounts):
    renewed = accounts.revoke(DEFAULT_TOKEN)
    assert renewed.username == "mockplex" and renewed.auth_token != DEFAULT_TOKEN
    with pytest.raises(TokenRevoked):
        accounts.for_token(DEFAULT_TOKEN)
    assert accounts.for_token(renewed.auth_token) == renewed
    with pytest.raises(TokenRevoked):
        accounts.revoke(DEFAULT_TOKEN)


def test_store_verify_by_user_by_token_or_default():
    store = Store()
    alice = store.create_account("alice")
    pins = [store.create_pin("c") for _ in range(3)]
    assert store.approve(pins[0].id, user="alice").auth_token == alice.auth_token
    assert store.approve(pins[1].id).auth_token == DEFAULT_TOKEN
    assert store.approve(pins[2].id, "raw-token").auth_token == "raw-token"
    assert store.account_for_token("raw-token").username == "user3"
    with pytest.raises(ValueError, match="not both"):
        store.approve(pins[0].id, "x", user="alice")
    with pytest.raises(AccountNotFound):
        store.approve(pins[0].id, user="nobody")


def test_store_link_approves_by_code():
    store = Store()
    alice = store.create_account("alice")
    pin = store.create_pin("c")
    assert store.approve_code(pin.code, alice.auth_token).auth_token == alice.auth_token
    assert store.get_pin(pin.id).new_registration is False
    with pytest.raises(PinNotFound):
        store.approve_code("ZZZZ", alice.auth_token)
    with pytest.raises(TokenInvalid):
        store.approve_code(pin.code, "nope")


def test_reset_restores_the_accounts():
    store = Store()
    store.create_account("alice")
    store.revoke(DEFAULT_TOKEN)
    store.reset()
    assert store.accounts() == [DEFAULT_ACCOUNT]
    assert store.default_account.auth_token == DEFAULT_TOKEN
