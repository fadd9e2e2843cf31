"""The two formats of GeoReport v2: JSON, and XML shaped as the spec's examples
(<services><service>…, <service_requests><request>…, <service_definition>, <errors><error>…,
<discovery><endpoints><endpoint>…)."""

import json
import xml.etree.ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element of one item of a list, by the list's name.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def render(fmt: str, root: str, data: list | dict, *, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under `root` (a list's items each in `ITEMS[root]`)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(
            _element(root, data), encoding="unicode"
        )
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        element.extend([_element(k, v) for k, v in value.items()])
    elif isinstance(value, list):
        element.extend([_element(ITEMS[tag], v) for v in value])
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)
