"""How a Plex Media Server answers: a ``MediaContainer`` in XML by default, in JSON when
asked, and its errors as a bare HTML page, whatever was asked.

The XML and the JSON come from the same dumped data (:mod:`.wire`), the XML written by
plex.tv's side's renderer (:func:`mockplex.web.render.flat_xml`): scalars are the
container's attributes, and each list under a key its children, each a mapping of its
own (``{"Directory": [{"key": "1", "Location": [{"id": 1}]}]}`` is
``<Directory key="1"><Location id="1"/></Directory>`` in XML, the same nesting in JSON).
Two things are a server's own: items of a library are ``Metadata`` in JSON and, in XML,
an element named by their type (:data:`ITEM_TAGS`, :func:`item_tag`), and a setting's
booleans are ``true`` and ``false`` in XML (:data:`WORDS`), as a server writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

from flask import Request, Response

from mockplex.web import render
from mockplex.web.context import current_request

#: What a Plex Media Server sends its XML as, and its JSON (plex-api on npm parses the
#: answer as JSON only when the header is exactly this string).
XML_TYPE = "text/xml;charset=utf-8"
JSON_TYPE = "application/json"
HTML_TYPE = "text/html"
#: A header every answer of a server carries.
PROTOCOL = ("X-Plex-Protocol", "1.0")
#: The key of a library's items in JSON, and the XML element each type of item is.
ITEMS = "Metadata"
ITEM_TAGS = {"movie": "Video", "show": "Directory", "artist": "Directory", "photo": "Photo"}
#: The attributes whose booleans XML writes ``true`` and ``false`` (1 and 0 elsewhere),
#: by element: a setting's value and default.
WORDS = {"Setting": ("default", "value")}


def wants_json(served: Request | None = None) -> bool:
    """Does the request ask for JSON: is one of the media types its ``Accept`` lists
    ``application/json``? (``*/*``, or no ``Accept``, gets XML.)"""
    if served is None:
        served = current_request()
    accept = served.environ.get("HTTP_ACCEPT", "")
    return any(part.split(";", 1)[0].strip().lower() == JSON_TYPE
               for part in accept.split(","))


def container(data: Mapping[str, object], status: int = 200) -> Response:
    """``data`` (a dumped ``MediaContainer``) as the request asks: JSON
    ``{"MediaContainer": data}`` or the XML element ``<MediaContainer>``."""
    if wants_json():
        body, content_type = render.JSON_ENCODER.encode({"MediaContainer": data}), JSON_TYPE
    else:
        element = render.flat_xml("MediaContainer", data, child_tag=item_tag, words=WORDS)
        body, content_type = render.xml_text(element), XML_TYPE
    return Response(body, status, [PROTOCOL], content_type=content_type)


def item_tag(key: str, item: Mapping[str, object]) -> str:
    """The element a child under ``key`` is: its key, but a library item's type's."""
    if key == ITEMS:
        return ITEM_TAGS.get(str(item.get("type")), "Directory")
    return key


def page(status: int) -> str:
    """The body of a Plex Media Server's error page for ``status`` (no Flask needed: the
    server's socket answers its own refusals with it too)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return (f"<html><head><title>{phrase}</title></head>"
            f"<body><h1>{status} {phrase}</h1></body></html>")


def error(status: int, headers: Mapping[str, str] | None = None) -> Response:
    """A Plex Media Server's error: ``<html><head><title>Unauthorized</title></head>
    <body><h1>401 Unauthorized</h1></body></html>`` (its status's phrase), as
    ``text/html``, not to be cached, whatever the request asked for."""
    response = Response(page(status), status, [PROTOCOL, ("Cache-Control", "no-cache")],
                        content_type=HTML_TYPE)
    if headers:
        response.headers.update(headers)
    return response
