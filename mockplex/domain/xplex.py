"""X-Plex values: how a client names itself, in headers, the query or a form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mockplex.domain.limits import XPLEX_VALUE_MAX

PREFIX = "x-plex-"
ENVIRON_PREFIX = "HTTP_X_PLEX_"
#: The X-Plex values a pin keeps (lower-cased): each is at most
#: :data:`~mockplex.domain.limits.XPLEX_VALUE_MAX` characters. The others mockplex reads and
#: forgets (a token, looked up: one that long is no account's), or only records (the
#: journal cuts them).
KEPT = ("x-plex-client-identifier", "x-plex-product")


def header_name(environ_key: str) -> str:
    """A header's name from its WSGI environ key: ``HTTP_X_PLEX_CLIENT_IDENTIFIER`` ->
    ``X-Plex-Client-Identifier``."""
    return "-".join(part.capitalize() for part in environ_key.removeprefix("HTTP_").split("_"))


def from_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The X-Plex headers of a WSGI environ, as ``X-Plex-Client-Identifier: value``
    (read from the environ directly: a request's own header view costs more)."""
    return {header_name(key): value
            for key, value in environ.items() if key.startswith(ENVIRON_PREFIX)}


def from_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The X-Plex entries of a query string or form."""
    return {name: value for name, value in pairs if name.lower().startswith(PREFIX)}


def merged(form: Iterable[tuple[str, str]], query: Iterable[tuple[str, str]],
           environ: Mapping[str, Any]) -> dict[str, str]:
    """By lower-cased name, where headers win over the query, and the query over a form."""
    values: dict[str, str] = {}
    for source in (from_pairs(form), from_pairs(query), from_headers(environ)):
        values.update((name.lower(), value) for name, value in source.items())
    return values


def over_cap(name: str, value: str) -> str | None:
    """Why the X-Plex value ``name`` (lower-cased) cannot be taken, or None: one that a
    pin keeps is at most :data:`~mockplex.domain.limits.XPLEX_VALUE_MAX` characters."""
    if len(value) <= XPLEX_VALUE_MAX or name not in KEPT:
        return None
    shown = header_name(name.replace("-", "_"))
    return (f"{shown} is {len(value)} characters long; mockplex takes at most "
            f"{XPLEX_VALUE_MAX} characters in an X-Plex value (its cap)")


def first_over_cap(values: Mapping[str, str]) -> str | None:
    """Why one of ``values`` (by lower-cased name, as :func:`merged` gives them) cannot
    be taken, or None."""
    for name in KEPT:
        value = values.get(name)
        if value is not None and (problem := over_cap(name, value)) is not None:
            return problem
    return None
