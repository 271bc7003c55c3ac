"""The mock's state, with no web framework in it: a front over the pin table
(:mod:`mockplex.domain.pins`), the accounts and their Plex Homes, the servers, shares
and invites, the devices and claim tokens, the clock, the journal and the faults.

Every public method takes the store's lock, so one store can serve the threads
of a live server and the test that drives it at the same time. Pins are frozen
dataclasses: what a method returns is a snapshot that later changes do not touch.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mockplex.domain.accounts import (
    DEFAULT_ACCOUNT,
    Account,
    AccountError,
    AccountNotFound,
    Accounts,
    NotHomeAdmin,
)
from mockplex.domain.autoapprove import AutoApprove
from mockplex.domain.clock import MAX_SPAN, Clock
from mockplex.domain.devices import ClaimToken, ClaimTokens, Device, Devices, ServerDevice
from mockplex.domain.errors import MockplexError
from mockplex.domain.faults import Faults
from mockplex.domain.invites import CannotInvite, Invite, InviteExists, InviteNotFound, Invites
from mockplex.domain.journal import Journal
from mockplex.domain.limits import XPLEX_VALUE_MAX, check_text

# A pin's lifetimes are the pin table's (here too, as in 0.7).
from mockplex.domain.pins import PIN_LIFETIME as PIN_LIFETIME
from mockplex.domain.pins import STRONG_PIN_LIFETIME as STRONG_PIN_LIFETIME
from mockplex.domain.pins import Pin, Pins
from mockplex.domain.problems import Problems
from mockplex.domain.servers import (
    CannotServe,
    Connection,
    Server,
    Servers,
    Share,
    sections_of,
)
from mockplex.domain.text import shown

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
        self._invites = Invites()
        self.default_auto_approve = self.auto_approve = auto_approve
        #: The clients that signed in as each account, and the live claim tokens.
        self.devices = Devices()
        self.claim_tokens = ClaimTokens(seed)
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

    def create_account(self, username: str | None, **fields: Any) -> Account:
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

    # -- Plex Home (mockplex.domain.accounts: home, switch, remove_home_user) --

    def home(self, account: Account) -> list[Account]:
        """The members of ``account``'s Plex Home, its owner first."""
        with self._lock:
            return self._accounts.home(account)

    def create_home_user(self, owner: Account, title: str, **fields: Any) -> Account:
        """A managed user titled ``title`` in the home ``owner`` owns."""
        with self._lock:
            return self._accounts.add(self._accounts.free_username(title), title=title,
                                      home_of=owner.username, **fields)

    def switch_home_user(self, account: Account, user_id: int, pin: str | None) -> Account:
        with self._lock:
            return self._accounts.switch(account, user_id, pin)

    def remove_home_user(self, account: Account, user_id: int) -> Account:
        """Remove a managed user and forget it: its tokens, every share with it, its
        devices and its claim tokens end with it (a managed user owns no server, and no
        invite names it: its own home's owner shares with it at once, no other may)."""
        with self._lock:
            member = self._accounts.remove_home_user(account, user_id)
            self._servers.forget_user(member.username)
            self.devices.forget(member.username)
            self.claim_tokens.forget(member.username)
            return member

    def record_client(self, auth_token: str | None, client_identifier: str,
                      values: Mapping[str, str]) -> None:
        """Client ``client_identifier`` signed in with ``auth_token``: a device of the
        account the token opens from now on, with the X-Plex ``values`` it sent
        (lower-cased names). Nothing if the token opens nothing (revoked since)."""
        if not client_identifier:
            return
        with self._lock:
            try:
                account = self._accounts.for_token(auth_token)
            except AccountError:
                return
            self.devices.seen(account.username, client_identifier, account.auth_token,
                              self.clock.now(), values)

    def forget_device(self, account: Account, device_id: int) -> Device:
        """Forget ``account``'s client device ``device_id``: DeviceNotFound if it has
        none, ServerDevice if that id is one of its servers (a reset removes those)."""
        with self._lock:
            for server in self._servers.all():
                if server.owner == account.username and server.id == device_id:
                    raise ServerDevice(f"device {device_id} is the server {server.name!r}: "
                                       "mockplex removes a server by a reset; this route "
                                       "forgets a client")
            return self.devices.remove(account.username, device_id)

    def new_claim_token(self, account: Account) -> ClaimToken:
        """A claim token of ``account``'s, living 4 minutes of the mock's clock."""
        with self._lock:
            return self.claim_tokens.new(account.username, self.clock.now())

    def live_claim_tokens(self) -> list[ClaimToken]:
        """The claim tokens not expired yet, oldest first."""
        with self._lock:
            return self.claim_tokens.live(self.clock.now())

    # -- servers and shares -------------------------------------------------

    def add_server(self, name: str, owner: str | None = None, **fields: object) -> Server:
        """A new server of account ``owner`` (a username; the default account when None);
        see :meth:`Servers.add` for the fields. A live one listens before this returns,
        if the mock is running (:attr:`server_watchers`)."""
        with self._lock:
            account = self._accounts.get(owner or DEFAULT_ACCOUNT.username)
            if account.managed:
                raise ValueError(f"{account.username!r} is a managed user: its home's owner "
                                 "owns the servers")
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
            if account.username == server.owner or self._servers.share_of(
                    server.name, account.username) is not None:
                return account
            return None

    def share_of(self, server: Server, username: str) -> Share | None:
        """The share of ``server`` with ``username``, if there is one."""
        with self._lock:
            return self._servers.share_of(server.name, username)

    def server(self, name: str) -> Server:
        with self._lock:
            return self._servers.get(name)

    def servers(self) -> list[Server]:
        with self._lock:
            return self._servers.all()

    def share(self, server_name: str, username: str, sections: Iterable[int] = ()) -> Share:
        """Share a server with an account (all its libraries, or those whose keys are in
        ``sections``): the two are friends from then on, and an invite of the account to
        the server is no longer pending."""
        with self._lock:
            self._check_friend(self._servers.get(server_name), self._accounts.get(username))
            share = self._servers.share(server_name, username, self.clock.now(), sections)
            self._invites.drop(server_name, username)
            return share

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

    # -- invites ----------------------------------------------------------

    def invite(self, server_name: str, login: str,
               sections: Iterable[int] = ()) -> Invite | Share:
        """Invite account ``login`` (a username or an email, either case) to server
        ``server_name`` as its owner: pending until accepted (:meth:`accept_invites`).
        A managed user of the owner's own home has no sign-in to accept with: it is
        shared with at once (the :class:`Share` is returned)."""
        with self._lock:
            server = self._servers.get(server_name)
            user = self._account_for_login(login)
            if user.home_of == server.owner:
                return self._servers.share(server.name, user.username, self.clock.now(),
                                           sections)
            self._check_friend(server, user)
            if self._servers.share_of(server.name, user.username) is not None:
                raise InviteExists(f"the server {server.name!r} is shared with "
                                   f"{user.username!r} already")
            return self._invites.add(server, user.username, self.clock.now(),
                                     sections_of(server, sections))

    def invites(self) -> list[Invite]:
        """Every pending invite, oldest first."""
        with self._lock:
            return self._invites.all()

    def invites_to(self, account: Account) -> list[Invite]:
        with self._lock:
            return self._invites.to(account.username)

    def invites_by(self, account: Account) -> list[Invite]:
        with self._lock:
            return self._invites.by(account.username)

    def accept_invites(self, account: Account, owner: str) -> list[Share]:
        """``account`` accepts every invite ``owner`` sent it: each is a share now, of
        the libraries the invite named."""
        with self._lock:
            pending = [i for i in self._invites.to(account.username) if i.owner == owner]
            if not pending:
                raise InviteNotFound(f"{owner!r} has no pending invite for "
                                     f"{account.username!r}")
            now = self.clock.now()
            shares = [self._servers.share(invite.server, invite.user, now, invite.sections)
                      for invite in pending]
            self._invites.take(owner, account.username)  # once every share is made
            return shares

    def cancel_invites(self, owner: Account, user: str) -> list[Invite]:
        """``owner`` cancels every invite it sent ``user`` (InviteNotFound if none)."""
        with self._lock:
            return self._invites.take(owner.username, user)

    def unshare(self, owner: Account, user: str) -> list[Share]:
        """``owner`` and ``user`` are friends no longer: every share between them ends,
        and the invites pending between them, either way, with them (InviteNotFound if
        there was none of either). A managed user has no friends of its own to end."""
        if owner.managed:
            raise NotHomeAdmin("a managed user's sharing is its home owner's to change")
        with self._lock:
            ended = self._servers.unshare(owner.username, user)
            invites = self._invites.between(owner.username, user)
            if not ended and not invites:
                raise InviteNotFound(f"{owner.username!r} shares nothing with {user!r}")
            return ended

    def account_for_login(self, login: str) -> Account:
        """The account whose username or email is ``login`` (either case)."""
        with self._lock:
            return self._account_for_login(login)

    def invitable(self, owner: Account, login: str) -> Account:
        """The account ``login`` names, if ``owner`` may share its servers with it (the
        rule :meth:`invite` keeps: not itself, nor another home's managed user)."""
        with self._lock:
            user = self._account_for_login(login)
            self._check_invitable(owner.username, user, "is the caller itself")
            return user

    def account_by_id(self, user_id: int) -> Account:
        """The account whose plex.tv id is ``user_id`` (AccountNotFound if none)."""
        with self._lock:
            for account in self._accounts.all():
                if account.id == user_id:
                    return account
        raise AccountNotFound(f"#{user_id}", f"no account has the id {shown(user_id)}")

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
            self._invites = Invites()
            self.auto_approve = self.default_auto_approve
            self.devices.clear()
            self.claim_tokens.clear()
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

    def _account_for_login(self, login: str) -> Account:
        account = self._accounts.by_login(login)
        if account is None:
            raise AccountNotFound(login)
        return account

    def _check_friend(self, server: Server, user: Account) -> None:
        """May ``server`` be shared with, or ``user`` invited to it? Not by its owner,
        nor with a managed user of another home (it belongs to its own home's servers)."""
        self._check_invitable(server.owner, user, f"owns the server {server.name!r}")

    @staticmethod
    def _check_invitable(owner: str, user: Account, owning: str) -> None:
        if user.username == owner:
            raise CannotInvite(f"{user.username!r} {owning}: invite another account")
        if user.home_of not in (None, owner):
            raise CannotInvite(f"{user.username!r} is a managed user of another Plex Home: "
                               "only its home's owner shares servers with it")

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
