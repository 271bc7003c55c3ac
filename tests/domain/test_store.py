from __future__ import annotations

import re
import threading

import pytest
from freezegun import freeze_time

from mockplex.domain.accounts import DEFAULT_TOKEN
from mockplex.domain.store import PinNotFound, Store


def test_pin_ids_have_nine_or_ten_digits_and_are_unique():
    store = Store()
    ids = [store.create_pin("c").id for _ in range(500)]
    assert all(re.fullmatch(r"[1-9]\d{8,9}", str(pin_id)) for pin_id in ids)
    assert len(set(ids)) == len(ids)


def test_codes_are_four_characters_or_twenty_five_when_strong():
    store = Store()
    assert re.fullmatch(r"[A-Z0-9]{4}", store.create_pin("c").code)
    assert re.fullmatch(r"[a-z0-9]{25}", store.create_pin("c", strong=True).code)


def test_live_codes_are_unique():
    store = Store()
    codes = [store.create_pin("c").code for _ in range(2000)]
    assert len(set(codes)) == len(codes)


def test_lifetimes_are_900_and_1800_seconds_by_default():
    store = Store()
    weak, strong = store.create_pin("c"), store.create_pin("c", strong=True)
    assert weak.expires_at - weak.created_at == 900
    assert strong.expires_at - strong.created_at == 1800


def test_lifetimes_are_configurable():
    store = Store(pin_lifetime=60, strong_pin_lifetime=120)
    assert store.create_pin("c").expires_in(store.clock.now()) == 60
    assert store.create_pin("c", strong=True).expires_in(store.clock.now()) == 120


@pytest.mark.parametrize("lifetime", [0, -5, 1.5, "900"])
def test_a_lifetime_must_be_a_positive_whole_number(lifetime):
    with pytest.raises(ValueError, match="pin_lifetime must be a positive whole number"):
        Store(pin_lifetime=lifetime)


def test_a_pin_needs_a_client_identifier():
    with pytest.raises(ValueError, match="client identifier"):
        Store().create_pin("")


def test_expires_in_counts_down():
    store = Store()
    with freeze_time("2024-07-16 17:03:05") as frozen:
        pin = store.create_pin("c")
        frozen.tick(24)
        assert pin.expires_in(store.clock.now()) == 876


def test_expired_pins_are_not_found_and_dropped_from_memory():
    store = Store()
    with freeze_time("2024-07-16 17:03:05") as frozen:
        pin = store.create_pin("c")
        store.create_pin("c", strong=True)
        frozen.tick(899)
        assert store.get_pin(pin.id) == pin
        frozen.tick(1)
        with pytest.raises(PinNotFound):
            store.get_pin(pin.id)
        assert len(store) == 1
        assert store._pins._codes.keys() == {p.code for p in store.pins()}


def test_advance_expires_pins():
    store = Store()
    pin = store.create_pin("c")
    store.advance(900)
    with pytest.raises(PinNotFound):
        store.get_pin(pin.id)
    assert len(store) == 0


def test_another_clients_pin_is_not_found():
    store = Store()
    pin = store.create_pin("mine")
    assert store.get_pin(pin.id, "mine") == pin
    with pytest.raises(PinNotFound, match="another client"):
        store.get_pin(pin.id, "theirs")


def test_verify_uses_the_default_accounts_token_unless_told():
    store = Store()
    first, second = store.create_pin("c"), store.create_pin("c")
    assert store.approve(first.id).auth_token == DEFAULT_TOKEN
    assert len(DEFAULT_TOKEN) == 20
    assert store.approve(second.id, "x" * 20).auth_token == "x" * 20
    approved = store.get_pin(second.id)
    assert (approved.auth_token, approved.new_registration) == ("x" * 20, False)


def test_verify_rejects_an_empty_token():
    store = Store()
    with pytest.raises(ValueError, match="non-empty"):
        store.approve(store.create_pin("c").id, "")


def test_verify_and_expire_of_an_unknown_pin_raise():
    store = Store()
    with pytest.raises(PinNotFound):
        store.approve(123456789)
    with pytest.raises(PinNotFound):
        store.expire(123456789)


def test_expire_ends_a_pin_at_once():
    store = Store()
    pin = store.create_pin("c")
    assert store.expire(pin.id).expires_in(store.clock.now()) == 0
    with pytest.raises(PinNotFound):
        store.get_pin(pin.id)
    assert store.pins() == []


def test_the_original_expiry_of_an_expired_pin_drops_nothing_else():
    store = Store()
    old = store.create_pin("c")
    store.expire(old.id)
    store.advance(100)
    new = store.create_pin("c")
    store.advance(800)  # old's original expiry passes
    assert store.pins() == [new]


def test_reset_forgets_pins_and_the_clock():
    store = Store()
    store.create_pin("c")
    store.advance(60)
    store.reset()
    assert store.pins() == []
    assert store.clock.offset == 0


def test_concurrent_creation_and_approval_lose_nothing():
    store = Store()
    created: list[int] = []

    def work():
        for _ in range(200):
            pin = store.create_pin("c")
            store.approve(pin.id)
            created.append(pin.id)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(created)) == 1600
    assert all(pin.auth_token == DEFAULT_TOKEN for pin in store.pins())
    assert len(store) == 1600


def test_tables_are_compacted_once_most_pins_have_expired():
    store = Store()
    for _ in range(5000):
        store.create_pin("c")
    store.advance(901)
    assert len(store) == 0
    assert store._pins._high_water == 0  # the dicts were copied to small ones
    pin = store.create_pin("c")
    assert store.get_pin(pin.id) == pin
