"""``create_app``: the only way to get a mockplex Flask app."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from flask import Flask, Request, Response
from werkzeug.wrappers import Response as BaseResponse

from mockplex.control import api as control
from mockplex.control import dashboard, openapi
from mockplex.domain.autoapprove import AutoApprove
from mockplex.domain.hosts import Decision, decide_on_plex_tv, decide_on_server
from mockplex.domain.paths import CONTROL_PREFIX
from mockplex.domain.pins import PIN_LIFETIME, STRONG_PIN_LIFETIME
from mockplex.domain.store import MAX_PINS, Store
from mockplex.domain.text import printable
from mockplex.plextv import account as signin
from mockplex.plextv import devices as plex_devices
from mockplex.plextv import home as plex_home
from mockplex.plextv import invites as plex_invites
from mockplex.plextv import pages, resources, sharing
from mockplex.plextv import pins as plextv
from mockplex.pms import routes as pms_routes
from mockplex.proxy.relays import Relays
from mockplex.web import errors, guard, render, rules, traffic
from mockplex.web.context import STORE, current_request, media_server, store
from mockplex.web.context import store_of as store_of  # mockplex.store_of: the one way
from mockplex.web.cors import Cors
from mockplex.web.environ import INTERCEPTED, REFUSED

DEFAULTS: dict[str, Any] = {
    "MOCKPLEX_PIN_LIFETIME": PIN_LIFETIME,
    "MOCKPLEX_STRONG_PIN_LIFETIME": STRONG_PIN_LIFETIME,
    # The public URL clients reach the mock at, used in ``qr`` links;
    # None means the URL each request came in on.
    "MOCKPLEX_BASE_URL": None,
    # Approve pins with no one clicking: "after-polls=N" or "after-seconds=S"; None is off.
    "MOCKPLEX_AUTO_APPROVE": None,
    # Ids, codes and tokens from this seed, the same after every reset; None: random.
    "MOCKPLEX_SEED": None,
    # A scenario (a JSON file's path, or a mapping) laid down at start and after a reset.
    "MOCKPLEX_SCENARIO": None,
    # The most live pins at once; creating one more answers 429.
    "MOCKPLEX_MAX_PINS": MAX_PINS,
    # When set, the /_mockplex routes (but health and static files) need this value in
    # the X-Mockplex-Token header: for a server shared by several CI jobs.
    "MOCKPLEX_CONTROL_TOKEN": None,
    # Host names a request may name besides loopback's and the listen address (a CI
    # service container's name, say): anything else is refused (mockplex.web.guard).
    guard.ALLOWED_HOSTS: (),
    # Requests to plex.tv routes the mock does not emulate fail the test using the
    # fixture (at its teardown); True lets them pass (a test can say so with the
    # mockplex_allow_unmatched marker).
    "MOCKPLEX_ALLOW_UNMATCHED": False,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Past this, 431 in plex.tv's shape (the live server's own, plain limit is 1 MiB).
    "MOCKPLEX_MAX_HEADER_BYTES": 64 * 1024,
}

access_log = logging.getLogger("mockplex.access")
PMS = "mockplex.pms"  # app.extensions: the app the live fake servers answer with
RELAYS = "mockplex.relays"  # app.extensions: the connections the proxy relays to the app

#: Held while an app is built and its routes registered (a mock's, or its fake servers',
#: :func:`pms_app_of`). werkzeug compiles each route with Python's ast module, and
#: CPython 3.11.7's AST conversion is not thread-safe: apps built at once in two threads
#: (interceptions started from racing threads) can raise "SystemError: AST constructor
#: recursion depth mismatch".
_BUILDING = threading.Lock()


def create_app(config: Mapping[str, Any] | None = None, store: Store | None = None) -> Flask:
    """A mock plex.tv. ``config`` overrides :data:`DEFAULTS`; ``store`` (by default a
    new one with the configured lifetimes) holds its state."""
    with _BUILDING:
        return _build(config, store)


def _build(config: Mapping[str, Any] | None, store: Store | None) -> Flask:
    app = rules.App("mockplex", static_url_path=f"{CONTROL_PREFIX}/static")
    app.json = render.BoundedJSON(app)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.from_mapping(config)
    if store is None:  # not "store or ...": an empty store is falsy
        rule = app.config["MOCKPLEX_AUTO_APPROVE"]
        store = Store(pin_lifetime=app.config["MOCKPLEX_PIN_LIFETIME"],
                      strong_pin_lifetime=app.config["MOCKPLEX_STRONG_PIN_LIFETIME"],
                      auto_approve=AutoApprove.parse(rule) if rule else None,
                      seed=app.config["MOCKPLEX_SEED"],
                      max_pins=app.config["MOCKPLEX_MAX_PINS"])
        if app.config["MOCKPLEX_SCENARIO"] is not None:
            from mockplex.control import scenario  # its schemas load only for a scenario

            scenario.load(store, app.config["MOCKPLEX_SCENARIO"], baseline=True)
    app.extensions[STORE] = store
    errors.init_app(app)
    plextv.init_app(app)
    signin.init_app(app)
    resources.init_app(app)
    plex_home.init_app(app)
    plex_invites.init_app(app)
    sharing.init_app(app)
    plex_devices.init_app(app)
    control.init_app(app)
    pages.init_app(app)
    dashboard.init_app(app)
    recorder = traffic.init_app(app)
    openapi.init_app(app)
    # Browser apps call plex.tv cross-origin; answer as a public API does.
    cors = Cors(app)
    _around_views(app, recorder, cors)
    relays = app.extensions[RELAYS] = Relays()
    app.wsgi_app = InterceptedRequests(app.wsgi_app, relays)  # type: ignore[method-assign]
    return app


def pms_app_of(app: Flask) -> Flask:
    """The app ``app``'s live fake servers answer with, built on first use (a mock
    whose servers never answer costs nothing more to make)."""
    found: Flask | None = app.extensions.get(PMS)
    if found is None:
        with _BUILDING:
            found = app.extensions.get(PMS)
            if found is None:
                found = app.extensions[PMS] = _build_pms(app, store_of(app), relays_of(app))
    return found


def _build_pms(plex: Flask, store: Store, relays: Relays) -> Flask:
    """The app every live fake server answers with (:mod:`mockplex.pms`): the same
    store and configuration as ``plex``'s, the same relays (the proxy relays a server's
    plex.direct name to the server's own port); each request names its server
    (``environ[MEDIA_SERVER]``). The same hooks run around its views as around
    ``plex``'s (the guard's Host rule, the journal and faults, CORS), its requests
    journaled with the server's name and met by the faults aimed at servers; a relayed
    request in absolute form is answered for that server's own names only
    (:class:`InterceptedServerRequests`)."""
    app = rules.App("mockplex.pms", static_folder=None)
    # One configuration and one Host rule for both sides: a change a test makes later
    # (allow_host, a config key) holds for the servers too.
    app.config = plex.config
    app.extensions[guard.LISTEN_HOSTS] = plex.extensions.setdefault(guard.LISTEN_HOSTS, set())
    app.extensions[STORE] = store
    app.extensions[RELAYS] = relays
    pms_routes.init_app(app)  # its routes, and its errors in the server's own shape
    recorder = traffic.init_app(app, traffic.ServerTraffic)
    _around_views(app, recorder, Cors(app))
    app.wsgi_app = InterceptedServerRequests(  # type: ignore[method-assign]
        app.wsgi_app, relays, store)
    return app


class InterceptedRequests:
    """WSGI middleware: a request interception or the proxy sent here is answered as the
    plex.tv URL the client used (its scheme), and flagged so the control API stays
    hidden. In-process interception flags the environ itself; aiohttp's, over loopback,
    sends this process's secret (:func:`mockplex.web.guard.marked_scheme`). A request the
    proxy relayed is found by the connection it came on (:mod:`mockplex.proxy.relays`); one in
    absolute form names its own URL, refused (by :func:`mockplex.web.guard.guard`) where
    the proxy would refuse it (:func:`mockplex.domain.hosts.decide_url`)."""

    def __init__(self, wsgi_app: Any, relays: Relays) -> None:
        self.wsgi_app = wsgi_app
        self.relays = relays

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        scheme = guard.marked_scheme(environ)
        if self.relays:
            route = self.relays.get((environ.get("REMOTE_ADDR", ""),
                                     environ.get("REMOTE_PORT", ""),
                                     environ.get("SERVER_PORT", "")))
            if route is not None:
                environ["REMOTE_ADDR"] = route.client
                scheme = route.scheme
                target = environ.get("REQUEST_URI", "")
                if target[:8].lower().startswith(("http://", "https://")):  # any case
                    scheme = target.partition(":")[0].lower()
                    decision = self.decide(target, environ)
                    if decision.refused:
                        environ[REFUSED] = decision
        if scheme in ("http", "https"):
            environ["wsgi.url_scheme"] = scheme
            environ[INTERCEPTED] = True
        return self.wsgi_app(environ, start_response)

    def decide(self, target: str, environ: dict[str, Any]) -> Decision:
        """A relayed request in absolute form: plex.tv's hosts answered, as the proxy
        answers them; any other host refused, a fake server's plex.direct name included
        (the proxy relays those to the server's own socket)."""
        return decide_on_plex_tv(target)


class InterceptedServerRequests(InterceptedRequests):
    """:class:`InterceptedRequests` before the fake servers' app: a relayed request in
    absolute form is answered only for the plex.direct names of the server the
    connection reaches (``environ[MEDIA_SERVER]``), every other host refused, plex.tv's
    included (:func:`mockplex.domain.hosts.decide_on_server`)."""

    def __init__(self, wsgi_app: Any, relays: Relays, store: Store) -> None:
        super().__init__(wsgi_app, relays)
        self.store = store

    def decide(self, target: str, environ: dict[str, Any]) -> Decision:
        server = media_server(self.store, environ)
        return decide_on_server(target, None if server is None else server.direct_hash)


def relays_of(app: Flask) -> Relays:
    """The connections the proxy relays to ``app``'s server."""
    result: Relays = app.extensions[RELAYS]
    return result


def _around_views(app: Flask, recorder: traffic.Traffic, cors: Cors) -> None:
    """One hook before every view and one after it. Flask inspects each hook it calls,
    on every request, so the guard, the traffic's checks, the access log, CORS and the
    journal share two hooks rather than taking five; each takes the request once."""

    def before_request() -> BaseResponse | None:
        served = current_request()
        # The guard first of all: a foreign Host or another site's page gets no further.
        answer = guard.guard(served)
        if answer is not None:  # a page's token traded for a cookie: answered as is
            return answer
        recorder.before(served)
        return None

    def after_request(response: Response) -> Response:
        # In the order they ran as hooks of their own: the log, the CORS headers, then
        # the journal, which keeps the answer's headers (the CORS headers among them).
        served = current_request()
        if access_log.isEnabledFor(logging.INFO):  # the log line costs more than the check
            _log_request(served, response)
        cors.apply(served, response)
        recorder.record(served, response)
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, before_request)
    app.after_request(after_request)


def _log_request(served: Request, response: Response) -> None:
    query = guard.redacted(served.environ.get("QUERY_STRING", ""))
    server = media_server(store(), served.environ)
    access_log.info('%s "%s %s" %s%s', served.remote_addr, printable(served.method),
                    printable(served.path + ("?" + query if query else "")),
                    response.status_code,
                    f" on the fake server '{printable(server.name)}'" if server else "")
