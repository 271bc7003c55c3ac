"""Pins, accounts and their expiry: the mock's state, with no web framework in it.

Every public method takes the store's lock, so one store can serve the threads
of a live server and the test that drives it at the same time. Pins are frozen
dataclasses: what a method returns is a snapshot that later changes do not touch.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import random
import string
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from mockplex.clock import Clock

PIN_LIFETIME = 900
STRONG_PIN_LIFETIME = 1800
ID_RANGE = (100_000_000, 9_999_999_999)  # 9 or 10 digits, as plex.tv's ids
CODE_ALPHABET = string.ascii_uppercase + string.digits
STRONG_CODE_ALPHABET = string.ascii_lowercase + string.digits
CODE_LENGTH = 4
STRONG_CODE_LENGTH = 25

#: The token of the default account: it approves pins when a test names no other.
DEFAULT_TOKEN = "MockPlexDefaultToken"

K = TypeVar("K")

#: Where plex.tv places every mock pin (the GeoData of the community spec's example).
DEFAULT_LOCATION: Mapping[str, object] = MappingProxyType(
    {
        "code": "NL",
        "european_union_member": True,
        "continent_code": "EU",
        "country": "The Netherlands",
        "city": "Breda",
        "time_zone": "Europe/Amsterdam",
        "postal_code": "4814",
        "in_privacy_restricted_country": True,
        "in_privacy_restricted_region": True,
        "subdivisions": "North Brabant",
        "coordinates": "51.5869, 4.7471",
    }
)


class StoreError(Exception):
    """Base class of the store's own errors."""


class PinNotFound(StoreError):
    """No live pin answers to this id (never created, expired, or another client's)."""

    def __init__(self, pin_id: int | str, reason: str = "no live pin has that id") -> None:
        super().__init__(f"pin {pin_id}: {reason}")
        self.pin_id = pin_id
        self.reason = reason


@dataclass(frozen=True)
class Account:
    id: int
    uuid: str
    username: str
    email: str
    title: str
    auth_token: str


DEFAULT_ACCOUNT = Account(
    id=1,
    uuid="6d6f636b706c6578",
    username="mockplex",
    email="mockplex@example.com",
    title="mockplex",
    auth_token=DEFAULT_TOKEN,
)


@dataclass(frozen=True)
class Pin:
    id: int
    code: str
    client_identifier: str
    product: str
    strong: bool
    created_at: float
    expires_at: float
    auth_token: str | None = None
    new_registration: bool | None = None
    trusted: bool = False
    location: Mapping[str, object] = field(default_factory=lambda: DEFAULT_LOCATION)

    def expires_in(self, now: float) -> int:
        """Whole seconds left at ``now`` (0 once expired)."""
        return max(0, math.ceil(self.expires_at - now))

    def is_expired(self, now: float) -> bool:
        return now >= self.expires_at


class Store:
    """The pins and accounts of one mock plex.tv."""

    def __init__(
        self,
        *,
        pin_lifetime: int = PIN_LIFETIME,
        strong_pin_lifetime: int = STRONG_PIN_LIFETIME,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        for name, value in (("pin_lifetime", pin_lifetime),
                            ("strong_pin_lifetime", strong_pin_lifetime)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive whole number of seconds, "
                                 f"got {value!r}")
        self.pin_lifetime = pin_lifetime
        self.strong_pin_lifetime = strong_pin_lifetime
        self.clock = clock or Clock()
        self._rng = rng or random.Random()
        self._lock = threading.RLock()
        self._pins: dict[int, Pin] = {}
        self._codes: dict[str, int] = {}
        self._expiry: list[tuple[float, int]] = []  # heap of (expires_at, pin id)
        self.default_account = DEFAULT_ACCOUNT

    # -- pins -------------------------------------------------------------

    def create_pin(self, client_identifier: str, *, product: str = "0",
                   strong: bool = False) -> Pin:
        """A new pending pin for ``client_identifier``."""
        if not client_identifier:
            raise ValueError("a pin needs a client identifier")
        lifetime = self.strong_pin_lifetime if strong else self.pin_lifetime
        with self._lock:
            now = self._purge()
            pin = Pin(
                id=self._unique(self._new_id, self._pins),
                code=self._unique(lambda: self._new_code(strong), self._codes),
                client_identifier=client_identifier,
                product=product,
                strong=strong,
                created_at=now,
                expires_at=now + lifetime,
            )
            self._put(pin)
            return pin

    def get_pin(self, pin_id: int, client_identifier: str | None = None) -> Pin:
        """The live pin ``pin_id``; with ``client_identifier``, only if that client made it."""
        with self._lock:
            self._purge()
            pin = self._pins.get(pin_id)
        if pin is None:
            raise PinNotFound(pin_id)
        if client_identifier is not None and pin.client_identifier != client_identifier:
            raise PinNotFound(pin_id, "the pin belongs to another client identifier")
        return pin

    def pins(self) -> list[Pin]:
        """Every live pin, oldest first."""
        with self._lock:
            self._purge()
            return list(self._pins.values())

    def verify(self, pin_id: int, auth_token: str | None = None) -> Pin:
        """Approve pin ``pin_id``: its polls now return ``auth_token`` (default: the
        default account's token)."""
        if auth_token is not None and not auth_token:
            raise ValueError("auth_token must be a non-empty string or None")
        token = auth_token or self.default_account.auth_token
        with self._lock:
            pin = self.get_pin(pin_id)
            approved = dataclasses.replace(pin, auth_token=token, new_registration=False)
            self._pins[pin_id] = approved
            return approved

    def expire(self, pin_id: int) -> Pin:
        """End pin ``pin_id`` now; it answers as not found from then on."""
        with self._lock:
            pin = self.get_pin(pin_id)
            self._drop(pin_id)
            return dataclasses.replace(pin, expires_at=self.clock.now())

    # -- time and reset ---------------------------------------------------

    def advance(self, seconds: float) -> float:
        """Move the clock forward; pins whose time is up expire."""
        with self._lock:
            now = self.clock.advance(seconds)
            self._purge()
            return now

    def reset(self) -> None:
        """Forget every pin and put the clock back to real time."""
        with self._lock:
            self._pins.clear()
            self._codes.clear()
            self._expiry.clear()
            self.clock.reset()
            self.default_account = DEFAULT_ACCOUNT

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._pins)

    # -- internals (called with the lock held) ----------------------------

    def _put(self, pin: Pin) -> None:
        self._pins[pin.id] = pin
        self._codes[pin.code] = pin.id
        heapq.heappush(self._expiry, (pin.expires_at, pin.id))

    def _drop(self, pin_id: int) -> None:
        pin = self._pins.pop(pin_id)
        del self._codes[pin.code]

    def _purge(self) -> float:
        """Drop the pins whose time is up; return now."""
        now = self.clock.now()
        while self._expiry and self._expiry[0][0] <= now:
            expires_at, pin_id = heapq.heappop(self._expiry)
            pin = self._pins.get(pin_id)
            if pin is not None and pin.expires_at == expires_at:
                self._drop(pin_id)
        return now

    def _unique(self, make: Callable[[], K], taken: Mapping[K, object]) -> K:
        while (value := make()) in taken:
            pass
        return value

    def _new_id(self) -> int:
        return self._rng.randint(*ID_RANGE)

    def _new_code(self, strong: bool) -> str:
        if strong:
            return self._random_string(STRONG_CODE_ALPHABET, STRONG_CODE_LENGTH)
        return self._random_string(CODE_ALPHABET, CODE_LENGTH)

    def _random_string(self, alphabet: str, length: int) -> str:
        return "".join(self._rng.choices(alphabet, k=length))
