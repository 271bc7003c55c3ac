"""The mock's state, with no web framework in it: a front over the pin table
(:mod:`mockplex.domain.pins`), the accounts, the clock, the journal and the faults.

Every public method takes the store's lock, so one store can serve the threads
of a live server and the test that drives it at the same time. Pins are frozen
dataclasses: what a method returns is a snapshot that later changes do not touch.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import warnings
from collections.abc import Callable

from mockplex.domain.accounts import DEFAULT_ACCOUNT, Account, Accounts
from mockplex.domain.autoapprove import AutoApprove
from mockplex.domain.clock import MAX_SPAN, Clock
from mockplex.domain.errors import MockplexError
from mockplex.domain.faults import Faults
from mockplex.domain.journal import Journal
from mockplex.domain.limits import XPLEX_VALUE_MAX, check_text

# A pin's lifetimes are the pin table's (here too, as in 0.7).
from mockplex.domain.pins import PIN_LIFETIME as PIN_LIFETIME
from mockplex.domain.pins import STRONG_PIN_LIFETIME as STRONG_PIN_LIFETIME
from mockplex.domain.pins import Pin, Pins
from mockplex.domain.problems import Problems
from mockplex.domain.servers import CannotServe, Connection, Server, Servers, Share

MAX_PINS = 100_000  # live pins at once; past it, creating one answers 429


def check_approver(auth_token: str | None, user: str | None) -> None:
    """Who approves a pin: an account named by username, or by its token, not both."""
    if auth_token is not None and user is not None:
        raise ValueError("name the approving account (user) or its token (authToken), "
                         "not both")
    if auth_token is not None and not auth_token:
        raise ValueError("auth_token must be a non-empty string or None")


def _renamed(old: str, new: str) -> None:
    warnings.warn(f"Store.{old} is now Store.{new} (see CHANGELOG.md, 0.8.0); the old "
                  "name goes in 1.0", DeprecationWarning, stacklevel=3)


class StoreError(MockplexError):
    """Base class of the store's own errors."""


class TooManyPins(StoreError):
    """The store holds as many live pins as its cap allows."""


class PinNotFound(StoreError):
    """No live pin answers to this id (never created, expired, or another client's)."""

    def __init__(self, pin_id: int | str, reason: str = "no live pin has that id") -> None:
        super().__init__(f"pin {pin_id}: {reason}")
        self.pin_id = pin_id


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
        self._pins = Pins(self._rng)
        self._accounts = Accounts(self._rng)
        self._servers = Servers(self._rng)
        self.default_auto_approve = self.auto_approve = auto_approve
        self.journal = Journal()
        self.faults = Faults()
        self.problems = Problems()
        #: Called, outside the lock, after the servers change (one added, a reset):
        #: what keeps the live servers listening (:mod:`mockplex.media`).
        self.server_watchers: list[Callable[[], None]] = []
        self._resetting: int | None = None  # the thread laying a reset's baseline down

    # -- pins -------------------------------------------------------------

    def create_pin(self, client_identifier: str, *, product: str = "0", strong: bool = False,
                   pin_id: int | None = None, code: str | None = None,
                   expires_in: int | None = None) -> Pin:
        """A new pending pin for ``client_identifier``; ``pin_id``, ``code`` and
        ``expires_in`` (seconds) are made up unless given (as a scenario does)."""
        if not client_identifier:
            raise ValueError("a pin needs a client identifier")
        check_text("a pin's ", XPLEX_VALUE_MAX, client_identifier=client_identifier,
                   product=product)
        lifetime = self.strong_pin_lifetime if strong else self.pin_lifetime
        with self._lock:
            now = self._purge()
            if len(self._pins) >= self.max_pins:
                raise TooManyPins(f"mockplex holds {len(self._pins)} live pins, its cap "
                                  "(max_pins); let some expire, expire them, or reset")
            if pin_id in self._pins:
                raise ValueError(f"a live pin has the id {pin_id} already")
            if code is not None and self._pins.has_code(code):
                raise ValueError(f"a live pin has the code {code!r} already")
            pin = Pin(
                id=pin_id or self._pins.new_id(),
                code=code or self._pins.new_code(strong),
                client_identifier=client_identifier,
                product=product,
                strong=strong,
                created_at=now - lifetime + expires_in if expires_in is not None else now,
                expires_at=now + (expires_in if expires_in is not None else lifetime),
            )
            self._pins.add(pin)
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
            self._pins.update(pin)
            rule = self.auto_approve
            if pin.auth_token is None and rule is not None and rule.due(pin, self.clock.now()):
                pin = self._grant(pin, self._token_for(None, None))
            return pin

    def pin_for_code(self, code: str) -> Pin:
        """The live pin whose code is ``code``."""
        with self._lock:
            self._purge()
            pin = self._pins.by_code(code)
        if pin is None:
            raise PinNotFound(code, "no live pin has that code")
        return pin

    def pins(self) -> list[Pin]:
        """Every live pin, oldest first."""
        with self._lock:
            self._purge()
            return self._pins.all()

    def approve(self, pin_id: int, auth_token: str | None = None, *,
                user: str | None = None) -> Pin:
        """Approve pin ``pin_id`` as account ``user``, or with ``auth_token`` (a token no
        account has yet gets an account of its own), or as the default account (the
        control API's ``POST /_mockplex/pins/<id>/verify``, ``MockPlex.verify``)."""
        check_approver(auth_token, user)
        with self._lock:
            pin = self.get_pin(pin_id)
            return self._grant(pin, self._token_for(auth_token, user))

    def approve_code(self, code: str, auth_token: str | None) -> Pin:
        """Approve the pin whose code is ``code`` as the account ``auth_token`` opens
        (plex.tv/link, and its API ``PUT /api/v2/pins/link``)."""
        with self._lock:
            account = self._accounts.for_token(auth_token)
            return self._grant(self.pin_for_code(code), account.auth_token)

    def verify(self, pin_id: int, auth_token: str | None = None, *,
               user: str | None = None) -> Pin:
        """Deprecated: :meth:`approve`."""
        _renamed("verify", "approve")
        return self.approve(pin_id, auth_token, user=user)

    def link(self, code: str, auth_token: str | None) -> Pin:
        """Deprecated: :meth:`approve_code`."""
        _renamed("link", "approve_code")
        return self.approve_code(code, auth_token)

    def expire(self, pin_id: int) -> Pin:
        """End pin ``pin_id`` now; it answers as not found from then on."""
        with self._lock:
            pin = self.get_pin(pin_id)
            self._pins.remove(pin_id)
            return dataclasses.replace(pin, expires_at=self.clock.now())

    # -- accounts ---------------------------------------------------------

    @property
    def default_account(self) -> Account:
        with self._lock:
            return self._accounts.get(DEFAULT_ACCOUNT.username)

    def create_account(self, username: str | None, **fields: str | None) -> Account:
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

    def sign_in(self, login: str, password: str, verification_code: str | None = None
                ) -> Account:
        """Password sign-in (raises SignInFailed or VerificationRequired)."""
        with self._lock:
            return self._accounts.sign_in(login, password, verification_code)

    # -- servers and shares -------------------------------------------------

    def add_server(self, name: str, owner: str | None = None, **fields: object) -> Server:
        """A new server of account ``owner`` (a username; the default account when None);
        see :meth:`Servers.add` for the fields. A live one listens before this returns,
        if the mock is running (:attr:`server_watchers`)."""
        with self._lock:
            account = self._accounts.get(owner or DEFAULT_ACCOUNT.username)
            server = self._servers.add(name, account.username, self.clock.now(),
                                       **fields)  # type: ignore[arg-type]
        try:
            self._servers_changed()
        except OSError as error:  # a live server's socket could not be opened
            with self._lock:
                self._servers.remove(name)
            raise CannotServe(f"the server {name!r} was not added: mockplex could not listen "
                              f"for it ({error}); give it connections of its own, or free "
                              "file descriptors (ulimit -n)") from error
        return server

    def live_servers(self) -> list[Server]:
        """The servers mockplex answers as Plex Media Servers."""
        with self._lock:
            return self._servers.live()

    def server_for_machine_identifier(self, machine_identifier: str) -> Server | None:
        with self._lock:
            return self._servers.by_machine_identifier(machine_identifier)

    def server_for_direct_hash(self, direct_hash: str) -> Server | None:
        """The live server a plex.direct name's hash names, or None."""
        with self._lock:
            return self._servers.by_direct_hash(direct_hash)

    def listen(self, machine_identifier: str, port: int | None) -> None:
        """Live server ``machine_identifier`` listens on ``port`` (None: no longer)."""
        with self._lock:
            self._servers.listen(machine_identifier, port)

    def port_of(self, server: Server) -> int | None:
        with self._lock:
            return self._servers.port_of(server)

    def connections(self, server: Server) -> tuple[Connection, ...]:
        """The connections plex.tv lists for ``server`` (:meth:`Servers.connections_of`)."""
        with self._lock:
            return self._servers.connections_of(server)

    def server_access(self, server: Server, token: str | None) -> Account | None:
        """The account ``token`` opens ``server`` as, as a Plex Media Server checks it:
        the owner's account token or the server's access token (the owner), a share's
        access token or the account token of the account it is shared with (that
        account); None for anything else (a revoked token too)."""
        if not token:
            return None
        with self._lock:
            if token == server.access_token:
                return self._accounts.get(server.owner)
            for share in self._servers.shares():
                if share.server == server.name and token == share.access_token:
                    return self._accounts.get(share.user)
            if not self._accounts.knows(token):
                return None
            try:
                account = self._accounts.for_token(token)
            except MockplexError:  # revoked
                return None
            if account.username == server.owner or any(
                    share.server == server.name and share.user == account.username
                    for share in self._servers.shares()):
                return account
            return None

    def server(self, name: str) -> Server:
        with self._lock:
            return self._servers.get(name)

    def servers(self) -> list[Server]:
        with self._lock:
            return self._servers.all()

    def share(self, server_name: str, username: str) -> Share:
        """Share a server with an account: the two are friends from then on."""
        with self._lock:
            self._accounts.get(username)
            return self._servers.share(server_name, username)

    def shares(self) -> list[Share]:
        with self._lock:
            return self._servers.shares()

    def resources(self, account: Account) -> list[tuple[Server, Share | None]]:
        """The servers ``account`` sees: its own (no share), then those shared with it."""
        with self._lock:
            return self._servers.visible_to(account.username)

    def friends(self, account: Account) -> list[tuple[Account, list[tuple[Server, Share]]]]:
        """The accounts ``account`` shares a server with (either way), and those shares."""
        with self._lock:
            return [(self._accounts.get(username), shared) for username, shared
                    in self._servers.friends_of(account.username).items()]

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
            self.clock.reset()
            self._accounts = Accounts(self._rng)
            self._servers = Servers(self._rng)
            self.auto_approve = self.default_auto_approve
            self.journal.clear()
            self.faults.clear()
            self.problems.clear()
            if self.seed is not None:  # the same ids, codes and tokens after each reset
                self._rng.seed(self.seed)
            if self.baseline is not None:
                self._resetting = threading.get_ident()  # its servers: told once, below
                try:
                    self.baseline(self)
                finally:
                    self._resetting = None
        try:
            self._servers_changed()
        except OSError as error:  # a baseline's live server could not listen
            raise CannotServe(f"after the reset, mockplex could not listen for every live "
                              f"server ({error}); those it lists with no connections have "
                              "no socket") from error

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._pins)

    def _servers_changed(self) -> None:
        if self._resetting == threading.get_ident():
            return
        for watcher in list(self.server_watchers):
            watcher()

    # -- internals (called with the lock held) ----------------------------

    def _purge(self) -> float:
        """Drop the pins whose time is up; return now."""
        now = self.clock.now()
        self._pins.purge(now)
        return now

    def _token_for(self, auth_token: str | None, user: str | None) -> str:
        if user is not None:
            return self._accounts.get(user).auth_token
        if auth_token is None:
            return self._accounts.get(DEFAULT_ACCOUNT.username).auth_token
        if not self._accounts.knows(auth_token):
            self._accounts.add(None, auth_token=auth_token)
        return auth_token

    def _grant(self, pin: Pin, auth_token: str) -> Pin:
        """The pin approved: its polls carry ``auth_token`` from now on."""
        approved = dataclasses.replace(pin, auth_token=auth_token, new_registration=False)
        self._pins.update(approved)
        return approved
