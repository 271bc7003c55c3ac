"""What a test holds to drive a mock plex.tv from Python: ``MockPlex``, and
``Intercept``, a ``MockPlex`` that answers the plex.tv hosts in this process.

The same operations as the ``/_mockplex`` control API, called on the store
directly (the test and the server share one process).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from mockplex.app import create_app, store_of
from mockplex.control import scenario
from mockplex.control.api import parse_pin_id
from mockplex.domain.accounts import Account
from mockplex.domain.autoapprove import AutoApprove
from mockplex.domain.devices import ClaimToken
from mockplex.domain.faults import Fault
from mockplex.domain.hosts import PLEX_HOSTS
from mockplex.domain.invites import Invite
from mockplex.domain.journal import Entry, check_count
from mockplex.domain.pins import Pin
from mockplex.domain.problems import report
from mockplex.domain.servers import LIVE_ADDRESS, Connection, Server, ServerError, Share
from mockplex.domain.store import Store
from mockplex.interception.stack import Interception
from mockplex.plextv.pages import auth_url
from mockplex.plextv.wire import dump_pin
from mockplex.web.guard import allow_host

if TYPE_CHECKING:
    from flask import Flask

    from mockplex.server import LiveServer

F = TypeVar("F", bound=Callable[..., Any])


class NotListening(ServerError):
    """A server :meth:`MockPlex.server_url` has no URL for: not live, or not listening."""


def as_pin_id(pin_id: int | str) -> int:
    """A pin id given to a handle: a string is read as the control API reads its routes'
    ids, so a pin's code raises :class:`~mockplex.control.api.NotAPinId` (a ValueError)
    with the same words, naming the fix."""
    if isinstance(pin_id, str):
        return parse_pin_id(pin_id)
    return int(pin_id)


class MockPlex:
    """A mock plex.tv reached at ``url`` whose state is ``store``."""

    def __init__(self, store: Store, url: str, *, server: LiveServer | None = None) -> None:
        self.store = store
        self.url = url.rstrip("/")
        self.server = server

    @property
    def pins(self) -> list[dict[str, Any]]:
        """The live pins, each in the JSON shape plex.tv answers with."""
        now = self.store.clock.now()
        return [dump_pin(pin, now, self.url) for pin in self.store.pins()]

    def pin(self, pin_id: int | str) -> Pin:
        """The live pin ``pin_id`` (raises :class:`~mockplex.PinNotFound`; a string that
        is no pin id as written, such as a pin's code, ``NotAPinId``, a ValueError that
        says how to find the pin by its code)."""
        return self.store.get_pin(as_pin_id(pin_id))

    def verify(self, pin_id: int | str, auth_token: str | None = None, *,
               user: str | None = None) -> str:
        """Approve the pin as account ``user``, or with ``auth_token``, or as the default
        account; return the token its next poll will carry. (Named as the control API's
        route, ``POST /_mockplex/pins/<id>/verify``; the store calls it
        :meth:`~mockplex.Store.approve`.)"""
        token = self.store.approve(as_pin_id(pin_id), auth_token, user=user).auth_token
        assert token is not None
        return token

    def expire(self, pin_id: int | str) -> None:
        """End the pin now: it answers 404 / 1020 from then on."""
        self.store.expire(as_pin_id(pin_id))

    def create_user(self, username: str, password: str | None = None,
                    **fields: str | bool | None) -> Account:
        """A new fake account. With ``password`` it can sign in with it; with a
        ``verification_code`` too, password sign-in needs that code (two-factor). Also
        ``email``, ``title``, ``friendly_name``, ``auth_token``; the rest is made up.
        ``home_of="owner"`` makes a managed user of that account's Plex Home (no password,
        no email, its own token), ``restricted=True`` or not, ``pin="1234"`` or none."""
        return self.store.create_account(username, password=password, **fields)

    def add_server(self, name: str, owner: str | None = None, *,
                   libraries: Iterable[Mapping[str, Any]] | None = None,
                   connections: Iterable[str | Mapping[str, Any]] | None = None,
                   **fields: Any) -> Server:
        """A Plex Media Server of account ``owner`` (the default account when None).

        Given no ``connections`` it is live: mockplex answers it as a minimal Plex Media
        Server on a loopback port of its own while the mock runs (:meth:`server_url`),
        and plex.tv lists the connections that reach it. Given connections (URLs, or
        ``{"uri", "local", "relay"}``), it keeps exactly those and nothing answers for
        it: ``["http://127.0.0.1:1"]`` models a server that refuses at once.
        ``libraries``: ``[{"title": "Films", "type": "movie", "items": ["Heat", {"title":
        "Up", "year": 2009}]}]`` (type movie, show, artist or photo; also ``agent``,
        ``scanner``, ``language``, ``location``); by default "Movies" and "TV Shows".
        Also ``machine_identifier``, ``access_token``, ``product_version``,
        ``platform``, ``platform_version``, ``device``, ``public_address``,
        ``https_required``, ``presence``; the rest is made up."""
        return self.store.add_server(name, owner, libraries=libraries,
                                     connections=connections, **fields)

    def server_url(self, name: str) -> str:
        """``http://127.0.0.1:PORT``, where live server ``name`` answers, to call it
        directly (raises :class:`~mockplex.domain.servers.ServerNotFound` for no such
        server, :class:`NotListening` for one given connections of its own or while the
        mock does not run)."""
        server = self.store.server(name)
        if not server.live:
            raise NotListening(f"the server {name!r} is not live: it was given connections "
                               "of its own, and mockplex answers only a server given none")
        port = self.store.port_of(server)
        if port is None:
            raise NotListening(f"the server {name!r} does not listen: a live server listens "
                               "while the mock runs (the mockplex fixture, a started "
                               "LiveServer, mockplex serve)")
        return f"http://{LIVE_ADDRESS}:{port}"

    def connections(self, name: str) -> tuple[Connection, ...]:
        """The connections plex.tv lists for server ``name`` now: a live one's plex.direct
        name and ``http://127.0.0.1:PORT``, local and remote, once it listens (none
        before); one given connections, those (raises
        :class:`~mockplex.domain.servers.ServerNotFound` for no such server)."""
        return self.store.connections(self.store.server(name))

    def share(self, server_name: str, username: str, sections: Iterable[int] = ()) -> Share:
        """Share a server with account ``username``: the two are friends, and its
        resources list the server as not owned, with the share's access token. The
        friend sees the libraries whose keys are in ``sections`` (none: all)."""
        return self.store.share(server_name, username, sections)

    @property
    def servers(self) -> list[Server]:
        return self.store.servers()

    @property
    def shares(self) -> list[Share]:
        return self.store.shares()

    def invite(self, server_name: str, username: str,
               sections: Iterable[int] = ()) -> Invite | Share:
        """Invite account ``username`` (or an email) to a server as its owner, to the
        libraries whose keys are in ``sections`` (none: all): pending
        (``/api/invites/requests`` lists it to the account) until the account accepts,
        when it is a share. A managed user of the owner's own home is shared with at
        once (it has no sign-in to accept with): the share is returned."""
        return self.store.invite(server_name, username, sections)

    @property
    def invites(self) -> list[Invite]:
        """The pending invites, oldest first."""
        return self.store.invites()

    @property
    def claim_tokens(self) -> list[ClaimToken]:
        """The claim tokens handed out (``GET /api/claim/token.json``) and not expired
        yet: each lives 4 minutes of the mock's clock."""
        return self.store.live_claim_tokens()

    @property
    def users(self) -> list[Account]:
        return self.store.accounts()

    @property
    def default_user(self) -> Account:
        return self.store.default_account

    def revoke(self, auth_token: str) -> Account:
        """Revoke a token (plex.tv then answers 422); return its account with a new one."""
        return self.store.revoke(auth_token)

    def allow_host(self, name: str) -> None:
        """Answer requests whose ``Host`` names ``name`` too (a name a browser or a
        container reaches this mock by), as ``mockplex serve --allowed-host`` does;
        loopback names and the listen address always are. Kept across resets."""
        if self.server is None:
            raise RuntimeError("this mock has no server of its own to name")
        allow_host(self.server.app, name)

    def pin_for_code(self, code: str) -> Pin:
        """The live pin whose code is ``code`` (raises :class:`~mockplex.PinNotFound`)."""
        return self.store.pin_for_code(code)

    def auto_approve(self, *, after_polls: int | None = None,
                     after_seconds: float | None = None) -> None:
        """Approve pins as the default account with no one clicking: the poll after
        ``after_polls`` polls carries the token, or the first poll ``after_seconds`` after
        the pin was made. With neither, turn it off. ``reset()`` restores the default."""
        if after_polls is None and after_seconds is None:
            self.store.auto_approve = None
        else:
            self.store.auto_approve = AutoApprove(after_polls, after_seconds)

    def advance(self, seconds: float) -> None:
        """Move the mock's clock forward."""
        self.store.advance(seconds)

    @property
    def browser_url(self) -> str:
        """Where a browser reaches this mock (a live server, not an intercepted host)."""
        return self.server.url if self.server is not None else self.url

    def auth_url(self, url: str) -> str:
        """An ``https://app.plex.tv/auth...`` URL a client made, moved onto this mock."""
        return auth_url(url, self.browser_url)

    def intercept(self, **options: Any) -> Intercept:
        """Answer https://plex.tv in this process from this handle's state (see
        :func:`mockplex.intercept`)."""
        if self.server is not None:
            options.setdefault("app", self.server.app)
            options.setdefault("server", self.server)
        else:
            options.setdefault("store", self.store)
        options.setdefault("checked", False)  # the fixture checks the shared state itself
        return Intercept(**options)

    def load_scenario(self, source: str | Path | Mapping[str, Any]) -> None:
        """Lay a scenario (a JSON file, or its content as a mapping) down now."""
        scenario.load(self.store, source)

    # -- the journal and faults ---------------------------------------------

    @property
    def requests(self) -> list[Entry]:
        """Every request answered since the last reset, oldest first: plex.tv's side and
        every live server's (an entry's ``server`` names the server asked; "" for
        plex.tv's side). ``store.journal.entries(server=...)`` gives one side's."""
        return self.store.journal.entries()

    def assert_polled(self, pin_id: int | str, *, times: int | None = None,
                      at_least: int | None = None) -> None:
        """Assert how often pin ``pin_id`` was polled (``GET /api/v2/pins/<id>``)."""
        polls = self.store.journal.entries(method="GET", pin_id=as_pin_id(pin_id))
        check_count(polls, f"pin {pin_id} to be polled", times, at_least, self.requests)

    def assert_requested(self, method: str, path: str, *, times: int | None = None,
                         at_least: int | None = None, server: str | None = None) -> None:
        """Assert how often ``method path`` (a glob) was requested: of any side, or with
        ``server``, of the live server of that name ("" for plex.tv's side)."""
        found = self.store.journal.entries(method=method, path=path, server=server)
        what = f"{method} {path}"
        if server is not None:
            what += f" on {server!r}" if server else " on plex.tv's side"
        check_count(found, what, times, at_least, self.requests)

    def fail(self, method: str = "*", path: str = "*", *, status: int | None = None,
             headers: Mapping[str, str] | None = None, times: int | None = None,
             delay_ms: int = 0, drop: bool = False, message: str | None = None,
             server: str | None = None) -> Fault:
        """Inject a fault: the next ``times`` requests matching ``method`` and ``path``
        (globs) get ``status`` (in plex.tv's error shape, with ``headers``), wait
        ``delay_ms``, or have their connection dropped. ``times=None``: until cleared.
        ``server``: a live server's name, or ``"*"`` for every one, whose requests the
        fault meets instead of plex.tv's (None, the default)."""
        fault = Fault(method=method, path=path, status=status, headers=dict(headers or {}),
                      times=times, delay_ms=delay_ms, drop=drop, message=message,
                      server=server)
        return self.store.faults.add(fault)

    @property
    def faults(self) -> list[Fault]:
        return self.store.faults.active()

    def clear_faults(self) -> None:
        self.store.faults.clear()

    def check(self, *, unmatched: bool = True) -> None:
        """Raise AssertionError if, since the last check or reset, the mock failed inside
        (a bug in mockplex: named with its traceback) or, unless ``unmatched`` is False,
        was asked for a plex.tv route it does not emulate (the message then names each
        way to allow that). The plugin calls this after every test that used the fixture;
        interception when its block ends."""
        found = self.store.problems.take(unmatched=unmatched)
        if found:
            raise AssertionError(f"mockplex saw what the test must hear about:\n"
                                 f"{report(found, how_to_allow=True)}")

    def reset(self) -> None:
        """Forget every pin and put the clock back."""
        self.store.reset()

    def __repr__(self) -> str:
        return f"<MockPlex {self.url} pins={len(self.store)}>"


class Intercept(MockPlex):
    """A mock plex.tv that answers the plex.tv hosts in this process while active.

    ``with Intercept() as plex:`` or ``@Intercept()``; ``plex.verify(...)`` and the
    other :class:`MockPlex` controls work inside. At the end of a block it fails on a
    bug in the mock and (unless ``allow_unmatched``) on a request to a route the mock
    does not emulate; the fixture's own check does this for the interceptions it hands
    out (``checked=False``).
    """

    def __init__(self, store: Store | None = None, *, app: Flask | None = None,
                 hosts: Iterable[str] = PLEX_HOSTS, server: LiveServer | None = None,
                 allow_unmatched: bool = False, checked: bool = True) -> None:
        if app is None:
            app = create_app(store=store)
        self.interception = Interception(app, hosts, server)
        super().__init__(store_of(app), "https://" + self.interception.hosts[0])
        self.allow_unmatched = allow_unmatched
        self.checked = checked

    @property
    def app(self) -> Flask:
        return self.interception.app

    @property
    def hosts(self) -> tuple[str, ...]:
        return self.interception.hosts

    def covers(self, host: str) -> bool:
        """Is ``host`` one of the intercepted hosts, or a host below one?"""
        return self.interception.covers(host)

    @property
    def active(self) -> bool:
        return self.interception.active

    def start(self) -> Intercept:
        self.interception.start()
        return self

    def stop(self) -> None:
        """Stop answering (idempotent); the clients are restored once no interception is
        left."""
        self.interception.stop()

    def __enter__(self) -> Intercept:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
        if self.checked and exc is None:  # an error already on its way says more
            self.check(unmatched=not self.allow_unmatched)

    def __call__(self, func: F) -> F:
        """Use as a decorator: active for each call of ``func`` (sync or async)."""
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)
            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)
        return run  # type: ignore[return-value]

    @property
    def browser_url(self) -> str:
        """A live server for browsers (started on first use): they cannot be intercepted."""
        return self.interception.live_server().url


def intercept(func: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """``with mockplex.intercept() as plex:``, ``@mockplex.intercept()`` or
    ``@mockplex.intercept``. Options: ``store``, ``app``, ``hosts``, ``server``,
    ``allow_unmatched``."""
    interception = Intercept(**options)
    return interception(func) if func is not None else interception
