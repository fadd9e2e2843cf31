"""Edge types for every API input (issue 6): limits derived from the model, nothing left open.

- `column(Model, "field")` is the pydantic type of a model field's column: the length of a
  `CharField`, the `choices` as an enum, the range of an integer column (and its validators), a
  date or datetime that refuses numbers, an id for a foreign key. A schema built from it cannot
  drift from the database.
- `Text(n)`, `Id`, `Int(lo, hi)`, `Date`, `DateTime` for inputs that are not a column.
- Every text refuses control characters (linli.core.text); `null` is refused unless a type
  says `| None`; `optional()` is the default of a PATCH field (may be left out, never null).
- `InputSchema` is the base of every request schema: the body must be a JSON object (Ninja's
  schemas otherwise read attributes of anything, so `42` was a valid, empty PATCH).
"""

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonDict
from pydantic_core import PydanticCustomError

from linli.core import text

INT64_MAX = 2**63 - 1

# Far enough for a birth date and a lease, near enough that date arithmetic cannot overflow.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def _drop_null_defaults(schema: dict, model) -> None:
    """A PATCH field left out is untouched, but `null` is refused: say no default, not `null`."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None and "anyOf" not in prop:
            del prop["default"]


class InputSchema(Schema):
    """Base of every request body and query schema."""

    model_config = ConfigDict(json_schema_extra=_drop_null_defaults)

    @model_validator(mode="wrap")
    @classmethod
    def _object_only(cls, value, handler):
        if not isinstance(value, dict | cls):
            raise PydanticCustomError("object_type", "Input should be an object")
        return handler(value)


# --- text -----------------------------------------------------------------------------------------


def _single_line(value: str) -> str:
    if text.has_control_characters(value):
        raise PydanticCustomError("control_characters", "Text must not contain control characters")
    return value


def _multiline(value: str) -> str:
    if text.has_control_characters(value, multiline=True):
        raise PydanticCustomError("control_characters", "Text must not contain control characters")
    return value


def Text(max_length: int, *, min_length: int = 0, multiline: bool = False, pattern: str | None = None) -> Any:
    """A string of at most `max_length` characters without control characters."""
    check, published = (
        (_multiline, text.MULTILINE_PATTERN) if multiline else (_single_line, text.SINGLE_LINE_PATTERN)
    )
    # A field's own pattern already names what it allows; otherwise publish the control rule.
    extra: JsonDict = {} if pattern else {"pattern": published}
    return Annotated[
        str,
        StringConstraints(min_length=min_length or None, max_length=max_length, pattern=pattern),
        AfterValidator(check),
        Field(json_schema_extra=extra),
    ]


# --- numbers --------------------------------------------------------------------------------------


def Int(ge: int = -INT64_MAX - 1, le: int = INT64_MAX) -> Any:
    return Annotated[int, Field(ge=ge, le=le)]


Id = Int(1, INT64_MAX)
# In a JSON body, true or false only (pydantic would read 0, 1, "yes"...); query strings keep `bool`.
Bool = StrictBool
Cursor = Int(0, INT64_MAX)


# --- dates ----------------------------------------------------------------------------------------

_ISO_DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_text_only(value):
    """Pydantic reads 0 (or "0") as 1970-01-01: a date must be written as one."""
    if isinstance(value, date | datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE_START.match(value):
        raise PydanticCustomError("iso_date_type", "Input should be an ISO 8601 date")
    return value


def _date_in_range(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise PydanticCustomError(
            "date_out_of_range",
            "Date should be between {earliest} and {latest}",
            {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )
    return value


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


_ISO_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


def _iso_time_only(value):
    """Pydantic reads 3600 as 01:00: a time of day must be written as one (08:30)."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _ISO_TIME.match(value):
        raise PydanticCustomError("iso_time_type", "Input should be a time of day like 08:30")
    return value


Date = Annotated[date, BeforeValidator(_iso_text_only), AfterValidator(_date_in_range)]
Time = Annotated[time, BeforeValidator(_iso_time_only)]
DateTime = Annotated[
    datetime, BeforeValidator(_iso_text_only), AfterValidator(_date_in_range), AfterValidator(_aware)
]


# --- from the model -------------------------------------------------------------------------------

_RANGES = BaseDatabaseOperations.integer_field_ranges


def _int_range(field: models.Field) -> tuple[int, int]:
    low, high = _RANGES.get(field.get_internal_type(), (-INT64_MAX - 1, INT64_MAX))
    for validator in field.validators:
        limit = getattr(validator, "limit_value", None)
        code = getattr(validator, "code", None)
        if isinstance(limit, int) and code == "min_value":
            low = max(low, limit)
        elif isinstance(limit, int) and code == "max_value":
            high = min(high, limit)
    return low, high


def column(
    model: type[models.Model],
    name: str,
    *,
    min_length: int = 0,
    multiline: bool | None = None,
    pattern: str | None = None,
    ge: int | None = None,
    le: int | None = None,
    gt: Decimal | None = None,
) -> Any:
    """The pydantic type of `model.name`'s column; arguments only narrow it."""
    field = model._meta.get_field(name)
    if field.is_relation or not isinstance(field, models.Field):  # the latter: a reverse relation
        return Id
    if field.choices:
        return Literal[tuple(value for value, _label in field.flatchoices)]
    if isinstance(field, models.CharField | models.TextField):
        max_length = field.max_length or 10_000
        if multiline is None:
            multiline = isinstance(field, models.TextField)
        return Text(max_length, min_length=min_length, multiline=multiline, pattern=pattern)
    if isinstance(field, models.BooleanField):
        return Bool
    if isinstance(field, models.IntegerField):
        low, high = _int_range(field)
        return Int(low if ge is None else max(low, ge), high if le is None else min(high, le))
    if isinstance(field, models.DecimalField):
        # Published as a number only (pydantic adds an unbounded string form of a Decimal).
        published = {"type": "number", "exclusiveMaximum": 10 ** (field.max_digits - field.decimal_places)}
        if gt is not None:
            published["exclusiveMinimum"] = float(gt)
        return Annotated[
            Decimal,
            Field(gt=gt, max_digits=field.max_digits, decimal_places=field.decimal_places),
            WithJsonSchema(published),
        ]
    if isinstance(field, models.DateTimeField):
        return DateTime
    if isinstance(field, models.DateField):
        return Date
    if isinstance(field, models.TimeField):
        return Time
    raise TypeError(f"no edge type for {model.__name__}.{name} ({field.get_internal_type()})")


def optional() -> Any:
    """Default of a PATCH field: may be left out (then untouched), but `null` is refused.

    Pydantic does not validate defaults, so `None` only ever means "not sent"; `null` sent
    meets the field's type and is refused. Views pass `exclude_unset=True` on to the service.
    """
    return Field(None)
