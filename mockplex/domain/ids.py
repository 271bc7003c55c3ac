"""Identifiers: pin ids and account ids as written, and random ones unique among those
in use."""

from __future__ import annotations

import random
from collections.abc import Callable, Container
from typing import TypeVar

from mockplex.domain.errors import MockplexError
from mockplex.domain.text import shown

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


#: The most digits an account's or a device's id has as written (the mock's have a few).
USER_ID_DIGITS = 18


class NotAUserId(MockplexError, ValueError):
    """A path's account (or device) id that is no number: plex.tv's 400 on its routes."""

    def __init__(self, text: str, kind: str = "user") -> None:
        super().__init__(f"Invalid {kind} id {shown(text)}: a {kind}'s id is a number")


def user_id_of(text: str, kind: str = "user") -> int:
    """``text`` as an account id (``/api/home/users/<id>``, ``/api/invites/...``,
    ``/api/v2/sharings/<id>``), or a device's (``kind``, for the message): ASCII digits,
    at most :data:`USER_ID_DIGITS`; else :class:`NotAUserId`."""
    if not (text.isascii() and text.isdigit()) or len(text) > USER_ID_DIGITS:
        raise NotAUserId(text, kind)
    return int(text)
