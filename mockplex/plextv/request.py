"""What plex.tv's routes read of a request: who calls (the X-Plex values: form < query <
headers), the account its token opens, a JSON body or a form, and their parameters
loaded by :mod:`mockplex.plextv.arguments` with a bad one answered as plex.tv's 400.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import request

from mockplex.domain import xplex
from mockplex.domain.accounts import Account
from mockplex.web.context import store
from mockplex.web.deferred import Deferred
from mockplex.web.errors import BadParameter, MissingClientIdentifier, Unemulated

if TYPE_CHECKING:
    from marshmallow import Schema

    from mockplex.plextv import arguments
else:
    # loaded by the first request, not at start-up
    arguments = Deferred("mockplex.plextv.arguments")

FORMATS = ("json", "xml")


def load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """``schema.load(data)``, with a validation error turned into plex.tv's 400."""
    try:
        return arguments.load(schema, data)
    except arguments.Invalid as error:
        raise BadParameter(f"Invalid parameters ({error})") from error


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def form() -> dict[str, str]:
    """The form in the body, if there is one. werkzeug drops a whole urlencoded form that
    is not UTF-8, which would leave a client wondering where its values went: 400."""
    if request.mimetype not in FORMS:
        return {}
    if request.mimetype == FORMS[0]:
        try:
            request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadParameter(f"The form body is not valid UTF-8 (byte {error.start}): "
                               "send it in UTF-8, or percent-encoded") from None
    return request.form.to_dict()


def xplex_values() -> dict[str, str]:
    """The request's X-Plex values by lower-cased name: form < query < headers."""
    return xplex.merged(form().items(), request.args.items(), request.environ)


def caller() -> Account:
    """The account the request's X-Plex-Token opens (401 / 1001, or 422 if revoked)."""
    return store().account_for_token(xplex_values().get("x-plex-token"))


def client() -> dict[str, Any]:
    """Who is calling: the X-Plex values, with a client identifier required."""
    values = xplex_values()
    if not values.get("x-plex-client-identifier"):
        raise MissingClientIdentifier()
    problem = xplex.first_over_cap(values)  # what a pin keeps has a cap
    if problem is not None:
        raise BadParameter(problem)
    return load(arguments.CLIENT, values)


def json_body() -> dict[str, Any]:
    """The JSON object in the body; ``{}`` when the body is not JSON, or is JSON but not
    an object (``""``, ``null``, ``[]``: some clients send those with no parameters in
    mind, and plex.tv reads them as no body). JSON that does not parse is a 400."""
    if not request.is_json or not request.get_data():
        return {}
    body = request.get_json(silent=True)
    if body is None and request.get_data().strip() != b"null":
        raise BadParameter("The request body is sent as application/json but is not valid "
                           "JSON; send a JSON object, or no body")
    return body if isinstance(body, dict) else {}


def parameters(body: dict[str, Any]) -> dict[str, Any]:
    """A route's parameters: the JSON ``body``, then a form, then the query (which wins)."""
    return {**body, **form(), **request.args.to_dict()}


def check_format(fmt: str | None) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise Unemulated()
