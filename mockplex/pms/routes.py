"""The routes a set-up wizard calls on a Plex Media Server, each: the server and the
token (:mod:`.access`), the store, the dump (:mod:`.wire`), the answer (:mod:`.answers`).

``/identity`` is open; everything else wants a token that opens the server, and
``/library``, ``/accounts``, ``/:/prefs`` and ``/status/sessions`` the owner's (a
friend's is 403 there: python-plexapi then reads ``/library/sections/``). A route answers
with or without a trailing slash; ``HEAD`` as ``GET``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response
from werkzeug.exceptions import BadRequest, NotFound

from mockplex.domain.libraries import Library
from mockplex.pms import answers, errors
from mockplex.pms.access import let_in, requested_server
from mockplex.web.context import current_request, store
from mockplex.web.deferred import Deferred

if TYPE_CHECKING:
    from mockplex.pms import dumps
else:  # its schemas (marshmallow) load with the first answer (mockplex.web.deferred)
    dumps = Deferred("mockplex.pms.dumps")

bp = Blueprint("pms", __name__)
#: How many items a page of ``/all`` has when the client does not say (a real server
#: sends them all; so does the mock, whose libraries hold at most ITEMS_MAX).
WHOLE = 10**9
COUNT = re.compile(r"[0-9]{1,9}")


@bp.get("/identity", strict_slashes=False)
def identity() -> Response:
    return answers.container(dumps.dump_identity(requested_server()))


@bp.get("/")
def root() -> Response:
    server = let_in().server
    return answers.container(dumps.dump_root(server, store().account(server.owner)))


@bp.get("/library", strict_slashes=False)
def library() -> Response:
    let_in(owner_only=True)
    return answers.container(dumps.dump_library())


@bp.get("/library/sections", strict_slashes=False)
def sections() -> Response:
    return answers.container(dumps.dump_sections(let_in().libraries))


@bp.get("/library/sections/<key>/all", strict_slashes=False)
def items(key: str) -> Response:
    """A library's items, a page of them when the client asks with
    ``X-Plex-Container-Start`` and ``-Size`` (headers, or the query)."""
    shelf = section(let_in().libraries, key)
    start, size = paging("X-Plex-Container-Start", 0), paging("X-Plex-Container-Size", WHOLE)
    response = answers.container(dumps.dump_items(shelf, start, size))
    response.headers["X-Plex-Container-Start"] = str(start)
    response.headers["X-Plex-Container-Total-Size"] = str(len(shelf.items))
    return response


def section(libraries: tuple[Library, ...], key: str) -> Library:
    """The library whose key ``key`` is; 404 for any other."""
    found = next((shelf for shelf in libraries if str(shelf.key) == key), None)
    if found is None:
        raise NotFound()
    return found


def paging(name: str, default: int) -> int:
    """A paging value of the request (the header's, else the query's): a whole number
    of at most nine digits; anything else is 400."""
    served = current_request()
    given = served.headers.get(name)
    if given is None:
        given = served.args.get(name)
    if given is None:
        return default
    given = given.strip()
    if not COUNT.fullmatch(given):
        raise BadRequest()
    return int(given)


@bp.get("/library/metadata/<key>", strict_slashes=False)
def metadata(key: str) -> Response:
    """One item, by its rating key (python-plexapi reads it when an attribute of an item
    from ``/all`` is missing: a movie's unknown year, say)."""
    for shelf in let_in().libraries:
        for item in shelf.items:
            if str(item.rating_key) == key:
                return answers.container(dumps.dump_item(shelf, item))
    raise NotFound()


@bp.get("/accounts", strict_slashes=False)
def accounts() -> Response:
    server = let_in(owner_only=True).server
    state = store()
    friends = [state.account(share.user) for share in state.shares()
               if share.server == server.name]
    return answers.container(dumps.dump_accounts(state.account(server.owner), friends))


@bp.get("/clients", strict_slashes=False)
def clients() -> Response:
    let_in()
    return answers.container(dumps.dump_empty())


@bp.get("/status/sessions", strict_slashes=False)
def sessions() -> Response:
    let_in(owner_only=True)
    return answers.container(dumps.dump_empty())


@bp.get("/:/prefs", strict_slashes=False)
def prefs() -> Response:
    return answers.container(dumps.dump_settings(let_in(owner_only=True).server))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    errors.init_app(app)
