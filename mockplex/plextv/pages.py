"""The pages a person (or a browser test) clicks through: the approval pages, the human
step of a sign-in (the dashboard at ``/_mockplex/``: :mod:`mockplex.control.dashboard`).

``/auth`` stands for ``https://app.plex.tv/auth#?...`` (its parameters are in the
URL fragment, read by the page's script); ``/link`` stands for ``https://plex.tv/link``.
Both load nothing from outside the mock.

Off the plex.tv hosts the pages approve through the control API (so they honour
``--control-token``, given once as ``?control_token=``).

Reached as a plex.tv host (through the proxy: a browser sent to the real
``https://app.plex.tv/auth`` URL a client built), the control API does not exist, so
the page carries what it would have asked it for (the accounts' names and titles and
the pending pins: no token) and its script and style inline, and approves through
``POST /auth/approve``, which only the plex.tv hosts answer, from the page's own origin.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, render_template, request

from mockplex.domain.hosts import APPROVAL_HOSTS, decide
from mockplex.web.context import base_url, store
from mockplex.web.deferred import Deferred
from mockplex.web.environ import INTERCEPTED
from mockplex.web.errors import BadParameter, Unemulated
from mockplex.web.guard import check_same_origin, page_headers

if TYPE_CHECKING:
    from mockplex.plextv import wire
else:
    wire = Deferred("mockplex.plextv.wire")  # loaded by the first page on a plex.tv host

bp = Blueprint("pages", __name__)
bp.after_request(page_headers)  # no page of the mock is framed by another site's


@bp.get("/auth")
@bp.get("/auth/")
def auth() -> str:
    return render_template("auth.html", **on_plex_host())


@bp.post("/auth/approve")
def approve() -> Response:
    """The approval page's Approve on a plex.tv host: ``{"code", "user"}`` as JSON."""
    if not request.environ.get(INTERCEPTED):
        raise Unemulated()  # elsewhere the page approves through the control API
    check_same_origin()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not all(isinstance(body.get(key), str)
                                             for key in ("code", "user")):
        raise BadParameter('send {"code": "...", "user": "..."} as JSON')
    state = store()
    state.approve_code(body["code"], state.account(body["user"]).auth_token)
    return Response(status=204)


@bp.get("/link")
def link() -> str:
    return render_template("link.html", code=request.args.get("pin", ""), **on_plex_host())


def on_plex_host() -> dict[str, Any]:
    """The template's ``embedded`` data and ``inline`` files, on a plex.tv host only."""
    if not request.environ.get(INTERCEPTED):
        return {}
    now, base = store().clock.now(), base_url()
    return {"inline": static_files(),
            "embedded": {"users": [{"username": account.username, "title": account.title}
                                   for account in store().accounts()],
                         "pins": [wire.dump_pin(pin, now, base)
                                  for pin in store().pins() if pin.auth_token is None]}}


@functools.cache
def static_files() -> dict[str, str]:
    folder = Path(current_app.root_path, "static")
    return {"css": (folder / "mockplex.css").read_text(),
            "js": (folder / "mockplex.js").read_text()}


def auth_url(url: str, base_url: str) -> str:
    """``url``, an ``https://app.plex.tv/auth...`` (or ``https://plex.tv/link``) URL a
    client produced, moved onto the mock at ``base_url``, path, query and fragment kept."""
    parts = urlsplit(url)
    page = decide(parts.scheme, parts.hostname or "", hosts=APPROVAL_HOSTS, any_port=True)
    if not page.answered or not parts.path.startswith(("/auth", "/link")):
        raise ValueError(f"not a plex.tv approval URL (https://app.plex.tv/auth... or "
                         f"https://plex.tv/link): {url!r}")
    moved = base_url.rstrip("/") + parts.path
    if parts.query:
        moved += "?" + parts.query
    if parts.fragment:
        moved += "#" + parts.fragment
    return moved


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
