"""Random identifiers that are unique among those in use."""

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
