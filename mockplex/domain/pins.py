"""The pin table: the live pins by id and by code, and their expiry; no lock and no
web framework (the store holds the lock around every call).

Pins are frozen dataclasses: what the table hands out is a snapshot that later
changes do not touch. Dicts keep their size when emptied, so the table copies itself
small again once most of the pins it held have expired.
"""

from __future__ import annotations

import heapq
import math
import random
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from operator import attrgetter
from types import MappingProxyType

from mockplex.domain.ids import ID_RANGE, random_string, unique

SHRINK_FROM = 4096  # compact the tables once they held more pins than this
CODE_ALPHABET = string.ascii_uppercase + string.digits
STRONG_CODE_ALPHABET = string.ascii_lowercase + string.digits
CODE_LENGTH = 4
#: How long a pin lives, in seconds, as plex.tv's do: 15 minutes, 30 for a strong pin.
#: The defaults of the store's configured lifetimes (``--pin-lifetime``,
#: ``--strong-pin-lifetime``), which :meth:`mockplex.domain.store.Store.create_pin`
#: picks from; a pin then keeps its ``expires_at``, and :meth:`Pin.expires_in` and the
#: table's expiry here read it.
PIN_LIFETIME = 900
STRONG_PIN_LIFETIME = 1800
STRONG_CODE_LENGTH = 25


def code_format(strong: bool) -> tuple[str, int]:
    """The alphabet and length of a (strong) pin's code."""
    if strong:
        return STRONG_CODE_ALPHABET, STRONG_CODE_LENGTH
    return CODE_ALPHABET, CODE_LENGTH


def code_shape(strong: bool) -> str:
    """What a pin's code is, in words: 4 of A-Z0-9, or 25 of a-z0-9 for a strong pin."""
    return (f"{STRONG_CODE_LENGTH} characters of a-z0-9 (strong)" if strong
            else f"{CODE_LENGTH} characters of A-Z0-9")


def is_code(code: str, strong: bool) -> bool:
    """Is ``code`` shaped as a (strong) pin's code is?"""
    alphabet, length = code_format(strong)
    return len(code) == length and all(character in alphabet for character in code)


#: The metadata of a :class:`Pin` field that plex.tv's answer does not show.
OFF_THE_WIRE: Mapping[str, bool] = MappingProxyType({"wire": False})


@dataclass(frozen=True, slots=True)
class Pin:
    """A pin as plex.tv shows it, but for the fields marked :data:`OFF_THE_WIRE` (how the
    mock keeps it). Each other field is in the pin's answer, under the same name in
    :class:`mockplex.plextv.wire.PinSchema`: a new field says which it is, here."""

    id: int
    code: str
    client_identifier: str
    product: str
    strong: bool = field(metadata=OFF_THE_WIRE)  # the kind of code it has
    created_at: float
    expires_at: float
    auth_token: str | None = None
    new_registration: bool | None = None
    trusted: bool = False
    polls: int = field(default=0, metadata=OFF_THE_WIRE)  # how often its client polled it

    def expires_in(self, now: float) -> int:
        """Whole seconds left at ``now`` (0 once expired)."""
        return max(0, math.ceil(self.expires_at - now))


#: The fields of a pin its answer shows, in their order in :class:`Pin`.
WIRE_FIELDS = tuple(each.name for each in fields(Pin) if each.metadata.get("wire", True))
#: A pin's values of :data:`WIRE_FIELDS`, as a tuple: all its answer says but the time
#: left (which changes as the clock runs).
wire_state = attrgetter(*WIRE_FIELDS)


class Pins:
    """The live pins, by id and by code, expiring in the order of their time."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._pins: dict[int, Pin] = {}
        self._codes: dict[str, int] = {}
        self._expiry: list[tuple[float, int]] = []  # heap of (expires_at, pin id)
        self._high_water = 0  # the most live pins since the tables were last compacted

    def __len__(self) -> int:
        return len(self._pins)

    def __contains__(self, pin_id: object) -> bool:
        return pin_id in self._pins

    def get(self, pin_id: int) -> Pin | None:
        return self._pins.get(pin_id)

    def by_code(self, code: str) -> Pin | None:
        pin_id = self._codes.get(code)
        return None if pin_id is None else self._pins[pin_id]

    def has_code(self, code: str) -> bool:
        return code in self._codes

    def all(self) -> list[Pin]:
        """Every live pin, oldest first."""
        return list(self._pins.values())

    def add(self, pin: Pin) -> None:
        self._pins[pin.id] = pin
        self._codes[pin.code] = pin.id
        heapq.heappush(self._expiry, (pin.expires_at, pin.id))
        self._high_water = max(self._high_water, len(self._pins))

    def update(self, pin: Pin) -> None:
        """A live pin's new state (its id, code and expiry unchanged)."""
        self._pins[pin.id] = pin

    def remove(self, pin_id: int) -> Pin:
        pin = self._pins.pop(pin_id)
        del self._codes[pin.code]
        return pin

    def purge(self, now: float) -> None:
        """Drop the pins whose time is up at ``now``."""
        while self._expiry and self._expiry[0][0] <= now:
            expires_at, pin_id = heapq.heappop(self._expiry)
            pin = self._pins.get(pin_id)
            if pin is not None and pin.expires_at == expires_at:
                self.remove(pin_id)
        if self._high_water > SHRINK_FROM and len(self._pins) < self._high_water // 4:
            # Copy the dicts so that a server which once held many pins gives that
            # memory back once they have expired.
            self._pins, self._codes = dict(self._pins), dict(self._codes)
            self._expiry = self._expiry.copy()
            self._high_water = len(self._pins)

    def clear(self) -> None:
        self._pins.clear()
        self._codes.clear()
        self._expiry.clear()
        self._high_water = 0

    def new_id(self) -> int:
        """An id no live pin has."""
        return unique(lambda: self._rng.randint(*ID_RANGE), self._pins)

    def new_code(self, strong: bool) -> str:
        """A code no live pin has: 4 of A-Z0-9, or 25 of a-z0-9 for a strong pin."""
        alphabet, length = code_format(strong)
        return unique(lambda: random_string(self._rng, alphabet, length), self._codes)
