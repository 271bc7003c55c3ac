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
from collections.abc import Iterable, Mapping
from typing import TypeVar
from xml.etree import ElementTree

from flask import Response, current_app, request

from mockplex.domain.paths import is_control_path
from mockplex.web.environ import INTERCEPTED

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def accept_is_json(accept: str | None) -> bool:
    """True when ``accept`` names exactly one media type and it is application/json."""
    if not accept or "," in accept:
        return False
    media_type = accept.split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def is_control() -> bool:
    """Is the current request for the control API (rather than a plex.tv route)?"""
    if request.environ.get(INTERCEPTED):
        return False  # the plex.tv hosts have no control API
    return is_control_path(request.path)


SUFFIX_ONLY = "mockplex_suffix_only"  # the attribute a view that ignores Accept carries
V = TypeVar("V")


def suffix_only(view: V) -> V:
    """Mark a view of an older plex.tv route: XML unless its path ends in ``.json``,
    whatever the ``Accept`` header says."""
    setattr(view, SUFFIX_ONLY, True)
    return view


def wants_json() -> bool:
    """Does the current request get JSON (rather than XML)?"""
    path = request.path
    if is_control() or path.endswith(".json"):
        return True
    if path.endswith(".xml"):
        return False
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, SUFFIX_ONLY, False):
        return False
    return accept_is_json(request.headers.get("Accept"))


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


def flat_xml(tag: str, data: Mapping[str, object]) -> ElementTree.Element:
    """The older routes' XML: scalars are attributes, and a list of mappings under a key
    is that many child elements named by the key, with no wrapper
    (``<Device ...><Connection .../></Device>``)."""
    element = ElementTree.Element(tag)
    for key, value in data.items():
        if isinstance(value, list):
            element.extend(flat_xml(key, item) for item in value)
        else:
            element.set(key, xml_attribute(value))
    return element


def xml_response(element: ElementTree.Element, status: int = 200) -> Response:
    return Response(xml_text(element), status, content_type=XML_TYPE)


def json_response(data: object, status: int = 200) -> Response:
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return Response(body, status, content_type=JSON_TYPE)


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
