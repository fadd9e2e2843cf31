"""How the API reads a request (issue 6): JSON bodies only, and no control characters anywhere.

Ninja's default parser ran `json.loads` on any body whatever its Content-Type (so JSON sent as
`text/plain` was accepted here and refused there) and answered everything it could not read
with an English "Cannot parse request body". This one refuses a body that is not declared as
JSON with 415 `unsupported_media_type`, a body that is not JSON with 400 `malformed_body`, and
text with control characters in any body, query string or form field with 422 `invalid_input`
— before any schema sees it, so even a free-form `dict` field or a plain query parameter is
covered. Schemas refuse the rest, field by field (linli.core.schema_types).
"""

import json

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from linli.core import text
from linli.core.errors import MalformedBody, ServiceError, UnsupportedMediaType


def is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python's json accepts them


def _control_character_paths(data, path: str = "") -> list[str]:
    found, stack = [], [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if text.has_control_characters(value, multiline=True):
                found.append(where or "_")
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else str(key)
                if text.has_control_characters(str(key), multiline=True):
                    found.append(name)
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{where}.{i}" if where else str(i), item) for i, item in enumerate(value))
    return sorted(found)


def refuse_control_characters(data) -> None:
    paths = _control_character_paths(data)
    if paths:
        raise ServiceError(
            "invalid_input",
            _("提交的数据有误，请检查后重试"),
            fields={p: text.MESSAGE for p in paths},
            status=422,
        )


class EdgeParser(Parser):
    def parse_body(self, request: HttpRequest):
        # Ninja re-reads each multipart body field through a bare request without a content type.
        content_type = getattr(request, "content_type", None)
        if content_type is not None and not is_json(content_type):
            raise UnsupportedMediaType(content_type)
        try:
            data = json.loads(request.body, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise MalformedBody() from None
        refuse_control_characters(data)
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest):
        result = super().parse_querydict(data, list_fields, request)
        refuse_control_characters(result)  # uploaded files are neither text nor lists of text
        return result
