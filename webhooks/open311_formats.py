"""GeoReport v2 documents in the two formats of the spec: XML (required) and JSON (optional).

XML follows the spec's examples: a root element (`services`, `service_definition`,
`service_requests`, `errors`, `discovery`), one element per field, lists as a container whose
items are named in the singular (`<services><service>…`, `<attributes><attribute>…`), fields
in the spec's order (`order`: element name -> field names), empty elements for null. ElementTree
escapes the text; characters XML 1.0 cannot carry at all (control characters, lone surrogates)
become U+FFFD so the document stays well-formed.
"""
import json
import re
from xml.etree import ElementTree

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = {"json": JSON_TYPE, "xml": XML_TYPE}
# Item element of a list, by the list's element name.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("\ufffd", str(value))


def _element(name: str, value, order: dict[str, list[str]]) -> ElementTree.Element:
    element = ElementTree.Element(name)
    if isinstance(value, dict):
        known = order.get(name, [])
        for key in sorted(value, key=lambda k: known.index(k) if k in known else len(known)):
            element.append(_element(key, value[key], order))
    elif isinstance(value, list):
        element.extend(_element(ITEMS[name], item, order) for item in value)
    else:
        element.text = _text(value)
    return element


def document(body, root: str, fmt: str, order: dict[str, list[str]]) -> tuple[bytes, str]:
    """The body (already dumped by its schema) as `fmt`, with its content type (charset declared)."""
    if fmt == "xml":
        tree = _element(root, body, order)
        return ElementTree.tostring(tree, encoding="utf-8", xml_declaration=True), XML_TYPE
    return json.dumps(body, ensure_ascii=False).encode(), JSON_TYPE
