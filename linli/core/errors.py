"""One error shape for every API answer: {"code", "message", "fields"} (convention 6)."""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """Raised by services on bad input or a refused action; nothing was written."""

    status = 400

    def __init__(self, code: str, message, *, fields: dict | None = None, status: int | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: str(v) for k, v in self.fields.items()},
        }


class NotFound(ServiceError):
    status = 404

    def __init__(self, message=None):
        super().__init__("not_found", message or _("对象不存在或您无权查看"))


class Forbidden(ServiceError):
    status = 403

    def __init__(self, message=None, code: str = "forbidden"):
        super().__init__(code, message or _("您没有执行此操作的权限"))


class Conflict(ServiceError):
    status = 409


# --- field errors of a request schema, in the user's language ------------------------------------
# Pydantic's messages are English whatever the language; these are the kinds a client meets.
# Anything rarer falls back to "值无效" rather than leaking an English sentence.

_NULL = _("不能为空值 (null)")
_FIELD_MESSAGES = {
    "missing": _("必填"),
    "string_too_long": _("最多 %(max_length)s 个字符"),
    "string_too_short": _("至少 %(min_length)s 个字符"),
    "string_type": _("应为文本"),
    "string_pattern_mismatch": _("格式不正确"),
    "control_characters": _("不能包含控制字符"),
    "int_type": _("应为整数"),
    "int_parsing": _("应为整数"),
    "int_from_float": _("应为整数"),
    "float_type": _("应为数字"),
    "float_parsing": _("应为数字"),
    "decimal_type": _("应为数字"),
    "decimal_parsing": _("应为数字"),
    "decimal_max_digits": _("最多 %(max_digits)s 位数字"),
    "decimal_max_places": _("最多 %(decimal_places)s 位小数"),
    "decimal_whole_digits": _("整数部分位数过多"),
    "greater_than": _("应大于 %(gt)s"),
    "greater_than_equal": _("应不小于 %(ge)s"),
    "less_than": _("应小于 %(lt)s"),
    "less_than_equal": _("应不大于 %(le)s"),
    "literal_error": _("应为以下之一：%(expected)s"),
    "enum": _("应为以下之一：%(expected)s"),
    "bool_type": _("应为 true 或 false"),
    "bool_parsing": _("应为 true 或 false"),
    "iso_date_type": _("应为 ISO 8601 格式的日期（如 2026-01-31）"),
    "date_type": _("应为 ISO 8601 格式的日期（如 2026-01-31）"),
    "date_parsing": _("应为 ISO 8601 格式的日期（如 2026-01-31）"),
    "date_from_datetime_parsing": _("应为 ISO 8601 格式的日期（如 2026-01-31）"),
    "date_from_datetime_inexact": _("应为日期，不带时间"),
    "datetime_type": _("应为 ISO 8601 格式的时间（如 2026-01-31T08:00:00+08:00）"),
    "datetime_parsing": _("应为 ISO 8601 格式的时间（如 2026-01-31T08:00:00+08:00）"),
    "datetime_from_date_parsing": _("应为 ISO 8601 格式的时间（如 2026-01-31T08:00:00+08:00）"),
    "date_out_of_range": _("应在 %(earliest)s 与 %(latest)s 之间"),
    "object_type": _("应为 JSON 对象"),
    "model_type": _("应为 JSON 对象"),
    "model_attributes_type": _("应为 JSON 对象"),
    "dict_type": _("应为 JSON 对象"),
    "list_type": _("应为列表"),
    "too_long": _("最多 %(max_length)s 项"),
    "too_short": _("至少 %(min_length)s 项"),
    "uuid_type": _("应为 UUID"),
    "uuid_parsing": _("应为 UUID"),
    "json_invalid": _("不是有效的 JSON"),
    "extra_forbidden": _("不能提交此字段"),
}
_INVALID = _("值无效")


def field_message(error: dict) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in the active language."""
    kind = error.get("type", "")
    if (
        kind.endswith("_type")
        and kind != "object_type"
        and (error.get("null") or error.get("input", "") is None)
    ):
        return str(_NULL)
    template = _FIELD_MESSAGES.get(kind)
    if template is None:
        return str(_INVALID)
    context = dict(error.get("ctx") or {})
    if "expected" in context:  # pydantic quotes and joins the choices in English ("'a' or 'b'")
        context["expected"] = context["expected"].replace(" or ", ", ")
    try:
        return str(template) % context if "%(" in str(template) else str(template)
    except (KeyError, ValueError, TypeError):
        return str(_INVALID)


def field_errors(errors: list[dict], *, skip: int = 0) -> dict[str, str]:
    """`{"a.b": message}` for pydantic errors; `skip` leading parts of `loc` do not name a field."""
    fields: dict[str, str] = {}
    for item in errors:
        name = ".".join(str(part) for part in list(item.get("loc", ()))[skip:]) or "_"
        fields.setdefault(name, field_message(item))
    return fields


# --- what is wrong with a request before its fields are read -------------------------------------


class MalformedBody(ServiceError):
    """The body is not JSON at all (or not UTF-8)."""

    def __init__(self):
        super().__init__("malformed_body", _("请求内容不是有效的 JSON"))


class UnsupportedMediaType(ServiceError):
    status = 415

    def __init__(self, content_type: str):
        super().__init__(
            "unsupported_media_type",
            _("请以 application/json 格式提交"),
            fields={"Content-Type": content_type or "-"},
        )
