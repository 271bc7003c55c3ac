"""How a Plex Media Server answers: a ``MediaContainer`` in XML by default, in JSON when
asked, and its errors as a bare HTML page, whatever was asked.

The XML and the JSON come from the same dumped data (:mod:`.wire`): scalars are the
container's attributes, and each list under a key its children, each a mapping of its
own (``{"Directory": [{"key": "1", "Location": [{"id": 1}]}]}`` is
``<Directory key="1"><Location id="1"/></Directory>`` in XML, the same nesting in JSON).
Items of a library are ``Metadata`` in JSON and, in XML, an element named by their type
(:data:`ITEM_TAGS`), as a server writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from xml.etree import ElementTree

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
        body, content_type = render.xml_text(element("MediaContainer", data)), XML_TYPE
    return Response(body, status, [PROTOCOL], content_type=content_type)


def element(tag: str, data: Mapping[str, object]) -> ElementTree.Element:
    """The XML element ``tag`` of ``data``: scalars its attributes (booleans 0 and 1,
    but a setting's value and default ``true`` and ``false``), each list under a key
    that many children."""
    node = ElementTree.Element(tag)
    for key, value in data.items():
        if isinstance(value, list):
            node.extend(element(item_tag(key, item), item) for item in value)
        elif isinstance(value, bool) and tag == "Setting" and key in ("default", "value"):
            node.set(key, "true" if value else "false")
        else:
            node.set(key, render.xml_attribute(value))
    return node


def item_tag(key: str, item: Mapping[str, object]) -> str:
    """The element a child under ``key`` is: its key, but a library item's type's."""
    if key == ITEMS:
        return ITEM_TAGS.get(str(item.get("type")), "Directory")
    return key


def error(status: int, headers: Mapping[str, str] | None = None) -> Response:
    """A Plex Media Server's error: ``<html><head><title>Unauthorized</title></head>
    <body><h1>401 Unauthorized</h1></body></html>`` (its status's phrase), as
    ``text/html``, not to be cached, whatever the request asked for."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = (f"<html><head><title>{phrase}</title></head>"
            f"<body><h1>{status} {phrase}</h1></body></html>")
    response = Response(body, status, [PROTOCOL, ("Cache-Control", "no-cache")],
                        content_type=HTML_TYPE)
    if headers:
        response.headers.update(headers)
    return response
