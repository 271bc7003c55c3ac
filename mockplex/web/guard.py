"""Who may ask what: the rules that keep a web page, a rebinding DNS name or a forged
header from driving or reading the mock (docs/security.md says what they guard against).

- **The interception mark.** A request that interception or the proxy sent here is
  answered as plex.tv (control API hidden). The mark is set where no network client can
  write: in the WSGI environ by the in-process transports and the proxy's relay
  (:data:`INTERCEPTED`), or, for the one hop over loopback that aiohttp makes, a header
  carrying this process's secret (:func:`mark_header`). A mark header without the
  secret means nothing.
- **The Host rule.** A request is answered only when its ``Host`` (and the host of a
  request target in absolute form) is a loopback name or address, the address the
  server listens on, a name allowed with ``--allowed-host`` (``MOCKPLEX_ALLOWED_HOSTS``,
  :func:`allow_host`) or the public URL's host. Anything else, as a page on a rebinding
  name sends, is refused (403) before a view runs. A marked request is not checked: it
  names the plex.tv host interception or the proxy sent it for.
- **Same-origin control.** The control API and the dashboard refuse a request whose
  ``Origin`` is not the mock's own, or whose ``Sec-Fetch-Site`` says another site (a
  navigation, which the other site cannot read, excepted); they read bodies only as
  ``application/json`` (415), which no page can send to another origin without a CORS
  preflight, and that is never granted.
- **The control token** (``--control-token``) is taken from the ``X-Mockplex-Token``
  header or from a cookie that a page opened with ``?control_token=`` trades it for;
  the token in a URL is written nowhere as it came (:func:`redacted`).
"""

from __future__ import annotations

import functools
import hmac
import re
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Request, Response, current_app, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from mockplex.domain.hosts import normal
from mockplex.domain.paths import CONTROL_PREFIX, WILDCARDS, is_control_path, is_loopback
from mockplex.domain.text import printable, shown
from mockplex.web.environ import COOKIE_SET, FOREIGN_HOST, INTERCEPTED, REFUSED
from mockplex.web.errors import PlexError, Unemulated

#: The header aiohttp's interception sends over loopback: "<scheme> <this process's secret>".
MARK_HEADER = "X-Mockplex-Intercepted"
MARK_ENVIRON = "HTTP_X_MOCKPLEX_INTERCEPTED"
_SECRET = secrets.token_urlsafe(32)  # per process: only its own interception knows it

TOKEN_HEADER = "X-Mockplex-Token"
TOKEN_PARAMETER = "control_token"
#: Configuration: names (besides loopback and the listen address) a request may name as
#: its Host; the live server adds the address it listens on.
ALLOWED_HOSTS = "MOCKPLEX_ALLOWED_HOSTS"
LISTEN_HOSTS = "mockplex.hosts"  # app.extensions: listen addresses, and names tests allow
OPEN_CONTROL_PATHS = (f"{CONTROL_PREFIX}/health", f"{CONTROL_PREFIX}/static/")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PAGES = ("pages", "dashboard")  # the blueprints of pages a person opens


def mark_header(scheme: str) -> str:
    """The value of :data:`MARK_HEADER` for a request interception sends as ``scheme``."""
    return f"{scheme} {_SECRET}"


def marked_scheme(environ: dict[str, Any]) -> str | None:
    """The scheme a marked request came in as, taking the mark header off the request
    (a network client's copy, without the secret, is dropped and means nothing)."""
    value = environ.pop(MARK_ENVIRON, None)
    if value is None:
        return None
    scheme, _, secret = str(value).partition(" ")
    if scheme in ("http", "https") and hmac.compare_digest(secret.encode(), _SECRET.encode()):
        return scheme
    return None


def redacted(query_string: str) -> str:
    """A query string with the control token's value replaced by ``***``, however its
    name was written (``control%5Ftoken`` too: the name is compared decoded, as the
    page reads it)."""
    if not might_hold_token(query_string):
        return query_string  # the common case: nothing to parse
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if all(name != TOKEN_PARAMETER for name, _ in pairs):
        return query_string
    return urlencode([(name, "***" if name == TOKEN_PARAMETER else value)
                      for name, value in pairs], safe="*")


def might_hold_token(query_string: str) -> bool:
    """Could this query name the control token (written plainly, or percent-encoded)?"""
    return TOKEN_PARAMETER in query_string or "%" in query_string


def redacted_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """An answer's headers as the journal keeps them: a cookie's value (the control
    token, traded for one) replaced by ``***``."""
    return tuple((name, re.sub(r"=[^;]*", "=***", value, count=1)
                  if name.lower() == "set-cookie" else value) for name, value in headers)


# -- the Host rule ---------------------------------------------------------------------


#: A Host header: a name or IPv4 address, or an IPv6 address in brackets; a port or not.
_HOST = re.compile(r"(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]/@\s]+))(?::\d{1,5})?")


def host_name(host: str) -> str:
    """The name in a Host header: no port, no brackets, no trailing dot, lower case;
    "" for what is no Host at all (``[::1]evil``, ``127.0.0.1:evil``), which no rule
    allows."""
    match = _HOST.fullmatch(host)
    if match is None:
        return ""
    return normal(match.group(1) or match.group(2))


def allowed_hosts() -> set[str]:
    app = current_app
    names = {host_name(name) for name in app.config[ALLOWED_HOSTS] or ()}
    names |= app.extensions.get(LISTEN_HOSTS, set())
    base = app.config["MOCKPLEX_BASE_URL"]
    if base:
        names.add((urlsplit(base).hostname or "").lower())
    return names


def allow_host(app: Any, host: str) -> None:
    """Let requests to ``app`` name ``host``: the address a server of it listens on
    (unless a wildcard, which names no host), or a name a test allows."""
    if host not in WILDCARDS:
        app.extensions.setdefault(LISTEN_HOSTS, set()).add(host_name(host))


@functools.lru_cache(maxsize=64)
def names_loopback(host: str) -> bool:
    """Does a Host header name this machine only? (Asked on every request; the answer
    for a header value never changes, so it is kept for the few values a mock sees,
    255 characters at most each.)"""
    return is_loopback(host_name(host))


def check_host(environ: dict[str, Any]) -> None:
    if environ.get(INTERCEPTED):
        return  # interception or the proxy sent it: it names a host of theirs
    target = environ.get("REQUEST_URI", "")
    if target[:1] != "/" and target[:8].lower().startswith(("http://", "https://")):
        check_one_host(environ, urlsplit(target).netloc)  # its authority is the host
    host = environ.get("HTTP_HOST")
    if host is not None:  # none: not a browser (every browser sends one)
        check_one_host(environ, host)


def check_one_host(environ: dict[str, Any], host: str) -> None:
    if (len(host) <= 255 and names_loopback(host)) or host_name(host) in allowed_hosts():
        return
    name = host_name(host) or "?"
    environ[FOREIGN_HOST] = True  # journaled, but no route was asked for
    raise PlexError(f"mockplex answers requests for its own address only, and this one was "
                    f"for {shown(host)}; if that name is meant to reach it, start it "
                    f"with --allowed-host {printable(name[:80])} (MOCKPLEX_ALLOWED_HOSTS in "
                    "mockplex_config for the fixture)", status=403)


# -- same-origin control -----------------------------------------------------------------


def own_origins() -> set[str]:
    origins = {f"{request.scheme}://{request.host}".lower()}
    base = current_app.config["MOCKPLEX_BASE_URL"]
    if base:
        parts = urlsplit(base)
        origins.add(f"{parts.scheme}://{parts.netloc}".lower())
    return origins


def check_same_origin() -> None:
    """The control API and the dashboard answer their own pages, scripts and tools, never
    another site's page."""
    origin = request.headers.get("Origin")
    site = request.headers.get("Sec-Fetch-Site")
    navigation = (request.method in ("GET", "HEAD")
                  and request.headers.get("Sec-Fetch-Mode") == "navigate")
    if origin is not None and origin.lower() not in own_origins() and not navigation:
        raise not_for_others(f"a page of {shown(origin)}")
    if site not in (None, "same-origin", "none") and not navigation:
        raise not_for_others(f"another site's (Sec-Fetch-Site: {shown(site, 20)})")
    if request.method in BODY_METHODS and has_body() and not request.is_json:
        raise PlexError(f"the body of {request.method} {shown(request.path)} is read as "
                        "JSON only: send it with Content-Type: application/json",
                        status=415)


def not_for_others(whose: str) -> PlexError:
    return PlexError(f"mockplex answers {shown(request.path)} to its own pages and to "
                     f"tools, not to {whose}", status=403)


def has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower() or request.mimetype != ""


# -- the control token -----------------------------------------------------------------


def cookie_name() -> str:
    """Per port: two mocks on one machine keep their tokens apart (a cookie is per host,
    not per port)."""
    try:
        port = urlsplit("//" + request.host).port
    except ValueError:
        port = None
    return f"mockplex-control-{port or 'default'}"


def check_control_token() -> None:
    """With MOCKPLEX_CONTROL_TOKEN set, the control API answers only to that token (in
    the header, or the cookie a page traded it for)."""
    expected: str | None = current_app.config["MOCKPLEX_CONTROL_TOKEN"]
    if not expected or request.path.startswith(OPEN_CONTROL_PATHS):
        return
    given = request.headers.get(TOKEN_HEADER) or request.cookies.get(cookie_name(), "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise PlexError(f"this mockplex was started with a control token: send it in the "
                        f"{TOKEN_HEADER} header (or open the page with "
                        f"?{TOKEN_PARAMETER}=TOKEN once)", status=401)


def trade_token_in_url() -> BaseResponse | None:
    """A page opened with ``?control_token=``: redirect to the same URL without it (the
    fragment stays with the browser), setting a cookie the control API reads; the token
    never stays in the address bar, the history or a Referer."""
    if request.method != "GET" or TOKEN_PARAMETER not in request.args:
        return None
    given = request.args[TOKEN_PARAMETER]
    rest = [(name, value) for name, value in request.args.items(multi=True)
            if name != TOKEN_PARAMETER]
    expected: str | None = current_app.config["MOCKPLEX_CONTROL_TOKEN"]
    if expected and not hmac.compare_digest(given.encode(), expected.encode()):
        raise PlexError(f"the {TOKEN_PARAMETER} in this page's URL is not the control "
                        "token this mockplex was started with", status=401)
    response = redirect(request.path + ("?" + urlencode(rest) if rest else ""), 303)
    if expected:
        response.set_cookie(cookie_name(), given, path=CONTROL_PREFIX, httponly=True,
                            samesite="Strict")
        request.environ[COOKIE_SET] = True  # the journal writes its value as ***
    return response


def guard(served: Request) -> BaseResponse | None:
    """Before every view, first of all (the app's one hook before views calls it with
    the request): the Host rule; on the plex.tv hosts, the control API hidden and a
    relayed request for another host or port refused; on the mock's own address, same
    origin and the token for the control API, and a page's token in its URL traded for
    a cookie. App-wide, since it must run before routing's own 404 or 405."""
    environ = served.environ
    check_host(environ)
    path = served.path
    if environ.get(INTERCEPTED):
        refused = environ.get(REFUSED)  # the host decision's (mockplex.domain.hosts)
        if refused is not None:
            raise PlexError(refused.reason, status=refused.status)
        if is_control_path(path):
            raise Unemulated()  # the control API does not exist on plex.tv's hosts
        return None
    if is_control_path(path):
        check_same_origin()
        if served.blueprint == "control":
            check_control_token()
    if might_hold_token(environ.get("QUERY_STRING", "")) and served.blueprint in PAGES:
        return trade_token_in_url()
    return None


def page_headers(response: Response) -> Response:
    """No page of the mock is framed by another site's page (after each page's view)."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    return response
