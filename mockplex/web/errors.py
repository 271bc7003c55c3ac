"""plex.tv's errors, and the one handler that renders every error the app raises.

plex.tv answers errors as ``{"errors":[{"code":..., "message":..., "status":...}]}``
(or its XML form). Codes 1000, 1001, 1002 and 1020 are plex.tv's own; the domain's
refusals on plex.tv's routes (a home's, an invite's, a device's, an unknown account)
are answered here with their plex.tv status, and on the control API's as control
errors. Errors that only the mock raises (an unemulated route, a bad control call) use
codes from 1900 on, chosen by mockplex since plex.tv's are unknown for them.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from mockplex.domain.accounts import (
    AccountError,
    AccountExists,
    AccountNotFound,
    HomeError,
    HomeUserNotFound,
    NotHomeAdmin,
    SignInFailed,
    TokenInvalid,
    TokenRevoked,
    VerificationRequired,
    WrongHomePin,
)
from mockplex.domain.devices import DeviceNotFound, ServerDevice
from mockplex.domain.errors import MockplexError
from mockplex.domain.ids import NotAUserId
from mockplex.domain.invites import (
    CannotInvite,
    InviteExists,
    InviteNotFound,
    TooManyInvites,
)
from mockplex.domain.paths import OPENAPI_PATH, is_control_path
from mockplex.domain.problems import BUG, Problem
from mockplex.domain.servers import CannotServe, ServerError, ServerNotFound, ShareExists
from mockplex.domain.store import PinNotFound, TooManyPins
from mockplex.domain.text import printable
from mockplex.web import render
from mockplex.web.context import current_request, store
from mockplex.web.environ import UNEMULATED

log = logging.getLogger("mockplex")

#: The mock's own code for each HTTP status plex.tv has no documented code for.
MOCK_CODES = {400: 1900, 401: 1901, 404: 1904, 405: 1905, 409: 1909, 413: 1913, 415: 1915,
              429: 1929, 431: 1931, 500: 1999}


def mock_code(status: int) -> int:
    """The mock's own error code for an HTTP status: 19xx for 4xx, 1999 for 5xx."""
    if status >= 500:
        return 1999
    return MOCK_CODES.get(status, 1900 + status % 100)


class PlexError(MockplexError):
    """An error answered in plex.tv's shape."""

    code = 1999
    status = 500
    message = "Internal error"
    headers: dict[str, str] = {}  # noqa: RUF012 - replaced, never mutated

    def __init__(self, message: str | None = None, *, status: int | None = None,
                 code: int | None = None) -> None:
        if message is not None:
            self.message = message
        if status is not None:
            self.status = status
            self.code = mock_code(status)
        if code is not None:
            self.code = code
        super().__init__(self.message)


class MissingClientIdentifier(PlexError):
    code, status, message = 1000, 400, "X-Plex-Client-Identifier is missing"


class BadParameter(PlexError):
    """A parameter plex.tv would reject; 1000 is plex.tv's code for bad parameters."""

    code, status = 1000, 400


class NotAuthenticated(PlexError):
    code, status, message = 1001, 401, "User could not be authenticated"


class VerificationCodeMissing(PlexError):
    code, status, message = 1029, 401, "Please enter the verification code"


class CodeNotFound(PlexError):
    code, status, message = 1020, 404, "Code not found or expired"


class ResourceNotFound(PlexError):
    """A thing a plex.tv route names that is not there (an account, a home user, an
    invite, a device): 404 with plex.tv's code for it, 1002 (docs/contract.md)."""

    code, status = 1002, 404


#: plex.tv's code for a wrong home PIN (mock's choice of number; docs/contract.md).
WRONG_PIN_CODE = 1041


class Unemulated(PlexError):
    """A route mockplex does not emulate (the one message for it, wherever it comes
    from: routing, an unknown format suffix, the control API on the plex.tv hosts); on
    the control API's own paths, a control route it does not have."""

    status = 404
    code = MOCK_CODES[404]

    def __init__(self) -> None:
        # Unmatched, for the journal and the check after the test, even where a route
        # matched the path and then found it is none of its own (a format suffix, a page
        # route off its host).
        request.environ[UNEMULATED] = True
        path = request.path if len(request.path) <= 200 else request.path[:200] + "..."
        asked = f"{request.method[:20]} {path}"
        if render.is_control():  # not on plex.tv's hosts: there, no control API exists
            super().__init__(f"mockplex has no control route {asked}; its control routes "
                             f"are {', '.join(control_routes())}; GET {OPENAPI_PATH} "
                             "describes each")
        else:
            super().__init__(f"mockplex emulates no route {asked}; it emulates "
                             f"{', '.join(emulated_routes())}")


class ControlError(PlexError):
    """A bad call to the /_mockplex control API."""

    code, status = 1900, 400


def error_document(error: PlexError) -> dict[str, Any]:
    """plex.tv's error body for ``error``, as data: ``{"errors": [{"code", "message",
    "status"}]}`` (the app renders it as JSON or XML; its fields are
    :class:`mockplex.plextv.wire.ErrorSchema`'s, which a test holds it to)."""
    return {"errors": [{"code": error.code, "message": error.message,
                        "status": error.status}]}


def error_json(error: PlexError) -> bytes:
    """That body as JSON, for the answers the server and the proxy write themselves."""
    return json.dumps(error_document(error)).encode()


def _render(error: PlexError) -> Response:
    response = render.errors(error_document(error), error.status)
    response.headers.update(error.headers)
    return response


def _pin_not_found(error: PinNotFound) -> Response:
    if render.is_control():
        return _render(ControlError(str(error), status=404))
    return _render(CodeNotFound())


def _too_many_pins(error: TooManyPins) -> Response:
    return _render(PlexError(str(error), status=429))


def _account_error(error: AccountError) -> Response:
    """Token and sign-in problems in plex.tv's answers; account problems as control
    errors."""
    if not render.is_control():
        if isinstance(error, TokenRevoked):
            return render.invalid_token()
        if isinstance(error, (TokenInvalid, SignInFailed)):
            return _render(NotAuthenticated())
        if isinstance(error, VerificationRequired):
            return _render(VerificationCodeMissing())
    status = 409 if isinstance(error, AccountExists) else 404
    return _render(ControlError(str(error), status=status))


#: The status of each refusal of the domain's after sign-in (a home's, an invite's, a
#: sharing's, a device's, an unknown account or id), the first class that matches: the
#: same on plex.tv's routes and the control API's.
REFUSALS: tuple[tuple[type[MockplexError], int], ...] = (
    (WrongHomePin, 401), (HomeUserNotFound, 404), (NotHomeAdmin, 403), (HomeError, 400),
    (AccountNotFound, 404), (CannotInvite, 400), (InviteExists, 409), (ShareExists, 409),
    (InviteNotFound, 404), (TooManyInvites, 429), (DeviceNotFound, 404),
    (ServerDevice, 400), (NotAUserId, 400))


def _refusal(error: MockplexError) -> Response:
    """A refusal of :data:`REFUSALS`: on the control API a control error, on plex.tv's
    routes plex.tv's error (a 404 as 1002, a 400 as 1000, a wrong PIN as
    :data:`WRONG_PIN_CODE`), with its status."""
    status = next(status for kind, status in REFUSALS if isinstance(error, kind))
    if render.is_control():
        return _render(ControlError(str(error), status=status))
    if isinstance(error, WrongHomePin):
        return _render(PlexError("Invalid PIN", status=401, code=WRONG_PIN_CODE))
    if isinstance(error, AccountNotFound):
        return _render(ResourceNotFound(f"User not found: {error}"))
    if status == 404:
        return _render(ResourceNotFound(str(error)))
    if status == 400:
        return _render(BadParameter(str(error)))
    return _render(PlexError(str(error), status=status))


def _server_error(error: ServerError) -> Response:
    """A server's refusals (none, or one that cannot listen; a taken name): the control
    API's, as plex.tv's routes check the servers they name themselves."""
    status = (404 if isinstance(error, ServerNotFound) else
              503 if isinstance(error, CannotServe) else 409)
    return _render(ControlError(str(error), status=status))


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    message = error.description or error.name
    if status == 404:
        return _render(Unemulated())
    elif status == 405:
        message = f"{request.method} is not allowed on {request.path}"
    response = _render(PlexError(message, status=status))
    if status == 405 and error.response is None:
        allowed = getattr(error, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
    return response


#: The blueprints of plex.tv's routes, as endpoint prefixes.
PLEX_ENDPOINTS = ("plextv.", "account.", "resources.", "home.", "invites.", "sharing.",
                  "devices.")


def routes(wanted: Callable[[Rule], bool]) -> list[str]:
    """The app's ``wanted`` routes, as ``METHOD /path``."""
    found: list[str] = []
    for rule in current_app.url_map.iter_rules():
        if wanted(rule):
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)  # no converter names
            found.extend(f"{method} {path}" for method in methods)
    return found


def emulated_routes() -> list[str]:
    """The plex.tv routes the app answers, as ``METHOD /path``."""
    return routes(lambda rule: rule.endpoint.startswith(PLEX_ENDPOINTS)
                  and "<any(" not in str(rule))


def control_routes() -> list[str]:
    """The app's routes under ``/_mockplex`` (the control API, the dashboard, the OpenAPI
    document; not the dashboard's static files), as ``METHOD /path``."""
    return routes(lambda rule: is_control_path(rule.rule) and rule.endpoint != "static")


def record_bug(error: Exception, server: str = "") -> None:
    """``error``, met while answering the current request, is a bug in mockplex: logged
    with its traceback and kept for the test as a BUG problem. ``server`` names the fake
    server asked ("" for plex.tv's side). Each app's handler of anything else calls it,
    then answers 500 in its own shape."""
    served = current_request()
    method, path = printable(served.method), printable(served.path)
    if server:
        log.exception("mockplex failed on %s %s (the fake server %r)", method, path,
                      printable(server))
    else:
        log.exception("mockplex failed on %s %s", method, path)
    trace = "".join(traceback.format_exception(error)).rstrip()
    store().problems.add(Problem(BUG, served.method, served.path, trace, server=server))


def _unexpected(error: Exception) -> Response:
    """A bug in mockplex: logged, kept for the test, and answered as plex.tv's 500."""
    record_bug(error)
    return _render(PlexError(f"mockplex failed: {type(error).__name__}: {error}"))


def init_app(app: Flask) -> None:
    app.register_error_handler(PlexError, _render)
    app.register_error_handler(PinNotFound, _pin_not_found)
    app.register_error_handler(AccountError, _account_error)
    app.register_error_handler(TooManyPins, _too_many_pins)
    app.register_error_handler(ServerError, _server_error)
    for kind, _ in REFUSALS:
        app.register_error_handler(kind, _refusal)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
