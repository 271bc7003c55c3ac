from __future__ import annotations

import time

import pytest
from freezegun import freeze_time

from mockplex.domain.clock import Clock, format_wire


def test_now_follows_real_time():
    before = time.time()
    now = Clock().now()
    assert before <= now <= time.time()


def test_advance_adds_to_now_and_reset_removes_it():
    clock = Clock()
    with freeze_time("2024-07-16 17:03:05"):
        assert clock.advance(24) == pytest.approx(time.time() + 24)
        assert clock.offset == 24
        clock.reset()
        assert clock.now() == time.time()


def test_freezegun_moves_the_clock():
    clock = Clock()
    with freeze_time("2024-07-16 17:03:05") as frozen:
        assert format_wire(clock.now()) == "2024-07-16T17:03:05Z"
        frozen.tick(901)
        assert format_wire(clock.now()) == "2024-07-16T17:18:06Z"


def test_the_clock_does_not_move_backwards():
    with pytest.raises(ValueError, match="moves forward by 0 to"):
        Clock().advance(-1)


def test_wire_format_drops_fractions():
    assert format_wire(1721149385.999) == "2024-07-16T17:03:05Z"
