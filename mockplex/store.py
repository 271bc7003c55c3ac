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
from collections.abc import Callable
from dataclasses import dataclass

from mockplex.accounts import DEFAULT_ACCOUNT, Account, Accounts
from mockplex.autoapprove import AutoApprove
from mockplex.clock import MAX_SPAN, Clock
from mockplex.faults import Faults
from mockplex.ids import ID_RANGE, random_string, unique
from mockplex.journal import Journal
from mockplex.problems import Problems

PIN_LIFETIME = 900
STRONG_PIN_LIFETIME = 1800
MAX_PINS = 100_000  # live pins at once; past it, creating one answers 429
SHRINK_FROM = 4096  # compact the tables once they held more pins than this

CODE_ALPHABET = string.ascii_uppercase + string.digits
STRONG_CODE_ALPHABET = string.ascii_lowercase + string.digits
CODE_LENGTH = 4
STRONG_CODE_LENGTH = 25


def check_approver(auth_token: str | None, user: str | None) -> None:
    """Who approves a pin: an account named by username, or by its token, not both."""
    if auth_token is not None and user is not None:
        raise ValueError("name the approving account (user) or its token (authToken), "
                         "not both")
    if auth_token is not None and not auth_token:
        raise ValueError("auth_token must be a non-empty string or None")


class StoreError(Exception):
    """Base class of the store's own errors."""


class TooManyPins(StoreError):
    """The store holds as many live pins as its cap allows."""


class PinNotFound(StoreError):
    """No live pin answers to this id (never created, expired, or another client's)."""

    def __init__(self, pin_id: int | str, reason: str = "no live pin has that id") -> None:
        super().__init__(f"pin {pin_id}: {reason}")
        self.pin_id = pin_id


@dataclass(frozen=True, slots=True)
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
    polls: int = 0  # how often its client has polled it

    def expires_in(self, now: float) -> int:
        """Whole seconds left at ``now`` (0 once expired)."""
        return max(0, math.ceil(self.expires_at - now))


class Store:
    """The pins and accounts of one mock plex.tv."""

    def __init__(
        self,
        *,
        pin_lifetime: int = PIN_LIFETIME,
        strong_pin_lifetime: int = STRONG_PIN_LIFETIME,
        clock: Clock | None = None,
        seed: int | None = None,
        auto_approve: AutoApprove | None = None,
        max_pins: int = MAX_PINS,
    ) -> None:
        for name, value, most in (("pin_lifetime", pin_lifetime, MAX_SPAN),
                                  ("strong_pin_lifetime", strong_pin_lifetime, MAX_SPAN),
                                  ("max_pins", max_pins, None)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive whole number, got {value!r}")
            if most is not None and value > most:
                raise ValueError(f"{name} is at most {most} seconds (100 years), got {value}")
        self.pin_lifetime = pin_lifetime
        self.max_pins = max_pins
        self.strong_pin_lifetime = strong_pin_lifetime
        self.clock = clock or Clock()
        self.seed = seed
        self._rng = random.Random(seed)
        #: Called at the end of every reset, to lay a scenario down again.
        self.baseline: Callable[[Store], None] | None = None
        self._lock = threading.RLock()
        self._pins: dict[int, Pin] = {}
        self._codes: dict[str, int] = {}
        self._expiry: list[tuple[float, int]] = []  # heap of (expires_at, pin id)
        self._high_water = 0  # the most live pins since the tables were last compacted
        self._accounts = Accounts(self._rng)
        self.default_auto_approve = self.auto_approve = auto_approve
        self.journal = Journal()
        self.faults = Faults()
        self.problems = Problems()

    # -- pins -------------------------------------------------------------

    def create_pin(self, client_identifier: str, *, product: str = "0", strong: bool = False,
                   pin_id: int | None = None, code: str | None = None,
                   expires_in: int | None = None) -> Pin:
        """A new pending pin for ``client_identifier``; ``pin_id``, ``code`` and
        ``expires_in`` (seconds) are made up unless given (as a scenario does)."""
        if not client_identifier:
            raise ValueError("a pin needs a client identifier")
        lifetime = self.strong_pin_lifetime if strong else self.pin_lifetime
        with self._lock:
            now = self._purge()
            if len(self._pins) >= self.max_pins:
                raise TooManyPins(f"mockplex holds {len(self._pins)} live pins, its cap "
                                  "(max_pins); let some expire, expire them, or reset")
            if pin_id in self._pins:
                raise ValueError(f"a live pin has the id {pin_id} already")
            if code in self._codes:
                raise ValueError(f"a live pin has the code {code!r} already")
            pin = Pin(
                id=pin_id or unique(self._new_id, self._pins),
                code=code or unique(lambda: self._new_code(strong), self._codes),
                client_identifier=client_identifier,
                product=product,
                strong=strong,
                created_at=now - lifetime + expires_in if expires_in is not None else now,
                expires_at=now + (expires_in if expires_in is not None else lifetime),
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

    def poll(self, pin_id: int, client_identifier: str) -> Pin:
        """A client's poll of its pin: counted, and approved here if auto-approval is due."""
        with self._lock:
            pin = self.get_pin(pin_id, client_identifier)
            pin = dataclasses.replace(pin, polls=pin.polls + 1)
            self._pins[pin_id] = pin
            rule = self.auto_approve
            if pin.auth_token is None and rule is not None and rule.due(pin, self.clock.now()):
                pin = self._approve(pin, self._token_for(None, None))
            return pin

    def pin_for_code(self, code: str) -> Pin:
        """The live pin whose code is ``code``."""
        with self._lock:
            self._purge()
            pin_id = self._codes.get(code)
            if pin_id is None:
                raise PinNotFound(code, "no live pin has that code")
            return self._pins[pin_id]

    def pins(self) -> list[Pin]:
        """Every live pin, oldest first."""
        with self._lock:
            self._purge()
            return list(self._pins.values())

    def verify(self, pin_id: int, auth_token: str | None = None, *,
               user: str | None = None) -> Pin:
        """Approve pin ``pin_id`` as account ``user``, or with ``auth_token`` (a token no
        account has yet gets an account of its own), or as the default account."""
        check_approver(auth_token, user)
        with self._lock:
            pin = self.get_pin(pin_id)
            return self._approve(pin, self._token_for(auth_token, user))

    def link(self, code: str, auth_token: str | None) -> Pin:
        """plex.tv/link: the account that ``auth_token`` opens approves the pin ``code``."""
        with self._lock:
            account = self._accounts.for_token(auth_token)
            return self._approve(self.pin_for_code(code), account.auth_token)

    def expire(self, pin_id: int) -> Pin:
        """End pin ``pin_id`` now; it answers as not found from then on."""
        with self._lock:
            pin = self.get_pin(pin_id)
            self._drop(pin_id)
            return dataclasses.replace(pin, expires_at=self.clock.now())

    # -- accounts ---------------------------------------------------------

    @property
    def default_account(self) -> Account:
        with self._lock:
            return self._accounts.get(DEFAULT_ACCOUNT.username)

    def create_account(self, username: str, **fields: str | None) -> Account:
        """A new account (see :meth:`Accounts.add` for the fields)."""
        with self._lock:
            return self._accounts.add(username, **fields)

    def account(self, username: str) -> Account:
        with self._lock:
            return self._accounts.get(username)

    def accounts(self) -> list[Account]:
        with self._lock:
            return self._accounts.all()

    def account_for_token(self, auth_token: str | None) -> Account:
        """The account ``auth_token`` opens (raises TokenInvalid or TokenRevoked)."""
        with self._lock:
            return self._accounts.for_token(auth_token)

    def revoke(self, auth_token: str) -> Account:
        """Revoke a token; its account gets a new one, returned."""
        with self._lock:
            return self._accounts.revoke(auth_token)

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
            self._high_water = 0
            self.clock.reset()
            self._accounts = Accounts(self._rng)
            self.auto_approve = self.default_auto_approve
            self.journal.clear()
            self.faults.clear()
            self.problems.clear()
            if self.seed is not None:  # the same ids, codes and tokens after each reset
                self._rng.seed(self.seed)
            if self.baseline is not None:
                self.baseline(self)

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._pins)

    # -- internals (called with the lock held) ----------------------------

    def _put(self, pin: Pin) -> None:
        self._pins[pin.id] = pin
        self._codes[pin.code] = pin.id
        heapq.heappush(self._expiry, (pin.expires_at, pin.id))
        self._high_water = max(self._high_water, len(self._pins))

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
        if self._high_water > SHRINK_FROM and len(self._pins) < self._high_water // 4:
            # Dicts keep their size when emptied: copy them so a server that once held
            # many pins gives that memory back once they have expired.
            self._pins, self._codes = dict(self._pins), dict(self._codes)
            self._expiry = self._expiry.copy()
            self._high_water = len(self._pins)
        return now

    def _token_for(self, auth_token: str | None, user: str | None) -> str:
        if user is not None:
            return self._accounts.get(user).auth_token
        if auth_token is None:
            return self._accounts.get(DEFAULT_ACCOUNT.username).auth_token
        if not self._accounts.knows(auth_token):
            self._accounts.add(None, auth_token=auth_token)
        return auth_token

    def _approve(self, pin: Pin, auth_token: str) -> Pin:
        approved = dataclasses.replace(pin, auth_token=auth_token, new_registration=False)
        self._pins[pin.id] = approved
        return approved

    def _new_id(self) -> int:
        return self._rng.randint(*ID_RANGE)

    def _new_code(self, strong: bool) -> str:
        if strong:
            return random_string(self._rng, STRONG_CODE_ALPHABET, STRONG_CODE_LENGTH)
        return random_string(self._rng, CODE_ALPHABET, CODE_LENGTH)

