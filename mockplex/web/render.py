"""JSON or XML, as plex.tv chooses, from the same dumped data.

plex.tv answers JSON only when the path ends in ``.json`` or the ``Accept``
media type is exactly ``application/json``; everything else, ``*/*`` and the
browser-style ``application/json, text/plain, */*`` included, gets XML. Its older
routes (:func:`suffix_only`) go by the suffix alone. The control API (``/_mockplex``)
always answers JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from json.encoder import encode_basestring
from typing import TypeVar
from xml.etree import ElementTree

from flask import Request, Response, current_app
from flask.json.provider import DefaultJSONProvider

from mockplex.domain.paths import is_control_path
from mockplex.web.context import current_request
from mockplex.web.environ import INTERCEPTED

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class BoundedJSON(DefaultJSONProvider):
    """Flask's JSON, but a body nested past the interpreter's recursion limit is
    invalid JSON (a ValueError, as for any other) rather than a RecursionError that
    would end the request in a 500: every body a client sends is read through it
    (``request.get_json``, :func:`loads`)."""

    def loads(self, s: str | bytes, **kwargs: object) -> object:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None


def loads(raw: str | bytes) -> object:
    """A JSON body a client sent, read as :class:`BoundedJSON` reads it."""
    return current_app.json.loads(raw)


def accept_is_json(accept: str | None) -> bool:
    """True when ``accept`` names exactly one media type and it is application/json."""
    if not accept or "," in accept:
        return False
    media_type = accept.split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def is_control() -> bool:
    """Is the current request for the control API (rather than a plex.tv route)?"""
    return is_control_request(current_request())


def is_control_request(served: Request) -> bool:
    """Is ``served`` for the control API (rather than a plex.tv route)?"""
    if served.environ.get(INTERCEPTED):
        return False  # the plex.tv hosts have no control API
    return is_control_path(served.path)


SUFFIX_ONLY = "mockplex_suffix_only"  # the attribute a view that ignores Accept carries
V = TypeVar("V")


def suffix_only(view: V) -> V:
    """Mark a view of an older plex.tv route: XML unless its path ends in ``.json``,
    whatever the ``Accept`` header says."""
    setattr(view, SUFFIX_ONLY, True)
    return view


def wants_json(served: Request | None = None) -> bool:
    """Does the current request (``served``, when the caller holds it already:
    :func:`~mockplex.web.context.current_request`) get JSON (rather than XML)?"""
    if served is None:
        served = current_request()  # read directly, not through the proxy
    path = served.path
    if is_control_request(served) or path.endswith(".json"):
        return True
    if path.endswith(".xml"):
        return False
    endpoint = served.endpoint
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if getattr(view, SUFFIX_ONLY, False):
        return False
    return accept_is_json(served.environ.get("HTTP_ACCEPT"))  # the Accept header


#: What XML 1.0 cannot carry even escaped: control characters (but tab, LF, CR),
#: surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_attribute(value: object) -> str:
    """plex.tv's XML conventions: booleans as 0/1, null as an empty string; a character
    XML cannot carry (a client may send one in an X-Plex value) becomes U+FFFD, so the
    document stays well-formed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return NOT_XML.sub("\ufffd", str(value))


def to_xml(tag: str, data: Mapping[str, object]) -> ElementTree.Element:
    """An element whose attributes are the scalars of ``data`` and whose children
    are its nested mappings and lists, in order.

    A list ``features: ["a"]`` becomes ``<features><feature id="a"/></features>``
    (a list of mappings: one ``<feature .../>`` per mapping), as plex.tv writes them.
    """
    element = ElementTree.Element(tag)
    children = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            children.append(to_xml(key, value))
        elif isinstance(value, list):
            children.append(list_to_xml(key, value))
        else:
            element.set(key, xml_attribute(value))
    element.extend(children)
    return element


def list_to_xml(tag: str, items: list[object]) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    item_tag = tag.removesuffix("s")
    for item in items:
        data = item if isinstance(item, Mapping) else {"id": item}
        element.append(to_xml(item_tag, data))
    return element


def xml_text(element: ElementTree.Element) -> str:
    return XML_DECLARATION + ElementTree.tostring(element, encoding="unicode") + "\n"


def respond(tag: str, data: Mapping[str, object], status: int = 200) -> Response:
    """``data`` as JSON or as the XML element ``tag``, as the request asks."""
    if wants_json():
        return json_response(data, status)
    return Response(xml_text(to_xml(tag, data)), status, content_type=XML_TYPE)


#: Names the element of a child under ``key``: ``child_tag(key, item)``.
ChildTag = Callable[[str, Mapping[str, object]], str]


def flat_xml(tag: str, data: Mapping[str, object], *, child_tag: ChildTag | None = None,
             words: Mapping[str, Collection[str]] | None = None) -> ElementTree.Element:
    """The older routes' XML, and a Plex Media Server's: scalars are attributes
    (:func:`xml_attribute`), and a list of mappings under a key is that many child
    elements named by the key, with no wrapper (``<Device ...><Connection .../></Device>``).

    ``child_tag`` names a child otherwise (by its key and its data: a server's library
    items are ``<Video>`` or ``<Directory>`` by their type); ``words`` gives, by element,
    the attributes whose booleans are written ``true`` and ``false`` rather than 1 and 0
    (a server's ``{"Setting": ("default", "value")}``)."""
    element = ElementTree.Element(tag)
    worded = words.get(tag, ()) if words else ()
    for key, value in data.items():
        if isinstance(value, list):
            element.extend(
                flat_xml(child_tag(key, item) if child_tag else key, item,
                         child_tag=child_tag, words=words)
                for item in value)
        elif isinstance(value, bool) and key in worded:
            element.set(key, "true" if value else "false")
        else:
            element.set(key, xml_attribute(value))
    return element


def xml_response(element: ElementTree.Element, status: int = 200) -> Response:
    return Response(xml_text(element), status, content_type=XML_TYPE)


#: ``json.dumps(data, separators=(",", ":"), ensure_ascii=False)``, without building an
#: encoder for each answer (an encoder keeps no state between calls).
JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def json_response(data: object, status: int = 200) -> Response:
    return json_text_response(JSON_ENCODER.encode(data), status)


def json_text_response(text: str, status: int = 200) -> Response:
    """An answer whose JSON is written already (:class:`JsonTemplate`)."""
    return Response(text, status, content_type=JSON_TYPE)


class JsonTemplate:
    """The JSON :func:`json_response` writes for a mapping, written once but for the
    values of some of its keys (``holes``): :meth:`render` writes the same mapping with
    other values there, encoding only those.

    JSON writes an object as its members in order, ``"key":value`` separated by commas,
    so the text around one member's value does not depend on that value: the pieces
    between the holes are written once, and only the holes' values are written again.
    """

    def __init__(self, data: Mapping[str, object], holes: Iterable[str]) -> None:
        holes = set(holes)
        pieces: list[str] = []
        text = "{"
        for index, (key, value) in enumerate(data.items()):
            text += ("," if index else "") + JSON_ENCODER.encode(key) + ":"
            if key in holes:
                pieces.append(text)  # the value goes after this piece
                text = ""
            else:
                text += JSON_ENCODER.encode(value)
        self.pieces = tuple(pieces)  # the text before each hole
        self.end = text + "}"  # and after the last
        #: The holes, in the mapping's order.
        self.holes = tuple(key for key in data if key in holes)
        if len(self.holes) != len(holes):
            raise KeyError(f"not in the mapping: {sorted(holes - set(self.holes))}")

    def render(self, data: Mapping[str, object]) -> str:
        """The JSON of ``data``: the mapping this template was made of, but for the
        values of the holes. Exactly what :func:`json_response` writes for ``data``."""
        parts = []
        for piece, key in zip(self.pieces, self.holes, strict=True):
            parts.append(piece)
            parts.append(json_value(data[key]))
        parts.append(self.end)
        return "".join(parts)


def json_value(value: object) -> str:
    """``value`` as :data:`JSON_ENCODER` writes it; a string or an ``int`` (not a bool)
    without the encoder's own checks, by the functions it uses for them."""
    if type(value) is str:
        return encode_basestring(value)  # the encoder's (ensure_ascii=False)
    if type(value) is int:
        return int.__repr__(value)  # as the encoder writes an int
    return JSON_ENCODER.encode(value)


def errors(body: Mapping[str, Iterable[Mapping[str, object]]], status: int) -> Response:
    """plex.tv's error body: ``{"errors":[...]}`` or ``<errors><error .../></errors>``."""
    if wants_json():
        return json_response(body, status)
    root = ElementTree.Element("errors")
    root.extend(to_xml("error", item) for item in body["errors"])
    return Response(xml_text(root), status, content_type=XML_TYPE)


def invalid_token() -> Response:
    """plex.tv's answer to a revoked token: 422 with a bare XML error, whatever was asked."""
    root = ElementTree.Element("errors")
    ElementTree.SubElement(root, "error").text = "Invalid token"
    return Response(xml_text(root), 422, content_type=XML_TYPE)
