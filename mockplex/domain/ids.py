"""Identifiers: pin ids as written, and random ones unique among those in use."""

from __future__ import annotations

import random
from collections.abc import Callable, Container
from typing import TypeVar

T = TypeVar("T")


def unique(make: Callable[[], T], taken: Container[T]) -> T:
    """``make()`` again until it gives a value not in ``taken``."""
    while (value := make()) in taken:
        pass
    return value


def random_string(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choices(alphabet, k=length))


ID_RANGE = (100_000_000, 9_999_999_999)  # 9 or 10 digits, as plex.tv's ids
ID_DIGITS = (len(str(ID_RANGE[0])), len(str(ID_RANGE[1])))


def pin_id_of(text: str) -> int | None:
    """``text`` as a pin id if it is one as written: 9 or 10 ASCII digits, no leading
    zero (``0308667304``, ``+308667304`` or a 5000-digit number are no pin's id), or
    None."""
    if (ID_DIGITS[0] <= len(text) <= ID_DIGITS[1] and text.isascii() and text.isdigit()
            and text[0] != "0"):
        return int(text)
    return None
