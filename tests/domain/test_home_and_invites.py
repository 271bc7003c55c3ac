"""The store's rules for Plex Home, invites, shares and devices, which every side (plex.tv's
routes, the control API, scenarios, Python) goes through."""

from __future__ import annotations

import pytest

from mockplex.domain.accounts import (
    DEFAULT_ACCOUNT,
    AccountExists,
    AccountNotFound,
    NotHomeAdmin,
    TokenInvalid,
)
from mockplex.domain.devices import CLAIM_TOKEN_LIFETIME
from mockplex.domain.invites import CannotInvite, Invite, InviteNotFound
from mockplex.domain.limits import DEVICES_MAX, TEXT_MAX
from mockplex.domain.servers import Share
from mockplex.domain.store import Store

WAY = ["http://127.0.0.1:1"]  # a server given a connection: nothing listens for it
CLIENT = {"x-plex-product": "Tablet"}


@pytest.fixture
def store() -> Store:
    store = Store()
    store.create_account("bob")
    store.add_server("Bobs", "bob", connections=WAY)
    store.add_server("Mine", connections=WAY)
    return store


def owner(store: Store):
    return store.account(DEFAULT_ACCOUNT.username)


def test_removing_a_managed_user_ends_everything_that_named_it(store):
    kid = store.create_home_user(owner(store), "kid")
    store.share("Mine", kid.username)
    store.record_client(kid.auth_token, "kids-tablet", CLIENT)
    assert store.devices.of(kid.username)

    store.remove_home_user(owner(store), kid.id)

    assert store.shares() == []
    assert store.devices.of(kid.username) == []
    with pytest.raises(TokenInvalid):
        store.account_for_token(kid.auth_token)
    again = store.create_home_user(owner(store), "kid")  # the same title, a new user
    assert again.username == kid.username and again.id > kid.id
    assert store.devices.of(again.username) == [] and store.shares() == []


def test_creating_and_removing_with_devices_keeps_nothing():
    store = Store()
    for round_ in range(5):
        kid = store.create_home_user(owner(store), f"kid{round_}")
        for number in range(DEVICES_MAX):
            store.record_client(kid.auth_token, f"client-{number}", CLIENT)
        store.remove_home_user(owner(store), kid.id)
    assert all(store.devices.of(f"kid{round_}") == [] for round_ in range(5))
    assert [a.username for a in store.accounts()] == [DEFAULT_ACCOUNT.username]


def test_a_managed_user_owns_no_server(store):
    kid = store.create_home_user(owner(store), "kid")
    with pytest.raises(ValueError, match="managed user"):
        store.add_server("Kids", kid.username, connections=WAY)


def test_the_owners_own_managed_user_is_shared_with_at_once(store):
    kid = store.create_home_user(owner(store), "kid")
    made = store.invite("Mine", kid.username)
    assert isinstance(made, Share) and store.invites() == []
    assert store.shares() == [made]


def test_another_homes_managed_user_is_neither_invited_nor_shared_with(store):
    kid = store.create_home_user(owner(store), "kid")
    with pytest.raises(CannotInvite, match="another Plex Home"):
        store.invite("Bobs", kid.username)
    with pytest.raises(CannotInvite, match="another Plex Home"):
        store.share("Bobs", kid.username)


def test_nobody_invites_the_servers_owner_or_an_empty_login(store):
    with pytest.raises(CannotInvite, match="owns the server"):
        store.invite("Bobs", "bob")
    store.create_home_user(owner(store), "kid")  # its email is ""
    with pytest.raises(AccountNotFound):
        store.invite("Bobs", "")


def test_sharing_what_is_invited_ends_the_invite_and_loses_nothing(store):
    invite = store.invite("Mine", "bob")
    assert isinstance(invite, Invite)
    share = store.share("Mine", "bob")
    assert store.invites() == [] and store.shares() == [share]
    with pytest.raises(InviteNotFound):  # nothing left to accept, and nothing lost
        store.accept_invites(store.account("bob"), DEFAULT_ACCOUNT.username)
    assert store.shares() == [share]


def test_an_accepted_invite_shares_the_libraries_it_named(store):
    server = store.add_server("Libs", libraries=[{"title": "Films", "type": "movie"},
                                                 {"title": "Shows", "type": "show"}])
    store.invite("Libs", "bob", sections=(2,))
    with pytest.raises(ValueError, match="no library with the key 9"):
        store.invite("Libs", "bob", sections=(9,))
    before = store.advance(60)
    (share,) = store.accept_invites(store.account("bob"), DEFAULT_ACCOUNT.username)
    assert share.sections == (2,) and before <= share.created_at <= store.clock.now()
    assert [shelf.key for shelf in server.libraries if share.opens(shelf.key)] == [2]


def test_a_managed_user_ends_no_sharing(store):
    kid = store.create_home_user(owner(store), "kid")
    store.share("Mine", kid.username)
    with pytest.raises(NotHomeAdmin):
        store.unshare(kid, DEFAULT_ACCOUNT.username)
    assert len(store.shares()) == 1


def test_a_client_is_recorded_only_for_a_token_that_opens_an_account(store):
    store.record_client("no-such-token", "tablet", CLIENT)
    store.record_client(owner(store).auth_token, "", CLIENT)
    assert store.devices.of(DEFAULT_ACCOUNT.username) == []
    store.record_client(owner(store).auth_token, "tablet", CLIENT)
    (device,) = store.devices.of(DEFAULT_ACCOUNT.username)
    assert (device.client_identifier, device.product) == ("tablet", "Tablet")


def test_claim_tokens_live_four_minutes_of_the_mocks_clock(store):
    claim = store.new_claim_token(owner(store))
    assert CLAIM_TOKEN_LIFETIME == 240
    store.advance(CLAIM_TOKEN_LIFETIME - 1)
    assert store.live_claim_tokens() == [claim]
    store.advance(1)
    assert store.live_claim_tokens() == []


def test_a_title_at_the_cap_twice_gives_a_username_within_it(store):
    title = "t" * TEXT_MAX
    store.create_home_user(owner(store), title)
    second = store.create_home_user(owner(store), title)
    assert len(second.username) == TEXT_MAX and second.username.endswith("-2")
    assert second.title == title


def test_sections_are_keys_each_once_in_the_servers_order_and_all_of_them_is_all(store):
    store.add_server("Libs", libraries=[{"title": t, "type": "movie"} for t in "ABC"])
    store.create_account("carol")
    store.create_account("dave")
    assert store.share("Libs", "bob", [3, 1, 3, 3]).sections == (1, 3)
    assert store.share("Libs", "carol", [1, 2, 3, 2]).sections == ()  # every one: all
    invite = store.invite("Libs", "dave", (2, 2))
    assert isinstance(invite, Invite) and invite.sections == (2,)


@pytest.mark.parametrize("sections", [[True], [1.0], "1", [None]])
def test_sections_that_are_not_keys_are_refused(store, sections):
    store.add_server("Libs", libraries=[{"title": "A", "type": "movie"}])
    with pytest.raises(ValueError, match="library keys"):
        store.share("Libs", "bob", sections)
    assert store.shares() == []


def test_a_managed_users_username_names_no_other_account_in_any_case(store):
    kid = store.create_home_user(owner(store), "BOB")
    assert kid.username == "BOB-2" and kid.title == "BOB"
    assert store.account_for_login("bob").username == "bob"


@pytest.mark.parametrize(("username", "email"), [
    ("Bob", None),                 # a username another has, in another case
    ("carol", "BOB@x.test"),       # an email another has
    ("dave", "kid@x.test"),        # an email that is another's username
    ("KID@X.TEST", None),          # a username that is another's username, in any case
])
def test_one_login_names_one_account(store, username, email):
    store.create_account("bob2", email="bob@x.test")
    store.create_home_user(owner(store), "kid@x.test")
    with pytest.raises(AccountExists, match="exists already"):
        store.create_account(username, email=email)
    assert store.account_for_login("bob@x.test").username == "bob2"
    assert store.account_for_login("kid@x.test").home_of == DEFAULT_ACCOUNT.username


def test_a_removed_managed_users_claim_tokens_go_with_it(store):
    kid = store.create_home_user(owner(store), "kid")
    store.new_claim_token(kid)
    kept = store.new_claim_token(owner(store))
    store.remove_home_user(owner(store), kid.id)
    assert store.live_claim_tokens() == [kept]
