"""The one rule for text that people send us: no control characters (issue 6).

A control character in a name is invisible on every screen, yet it breaks whatever reads the
text later: an .xlsx export refused the whole community's file because of one `\\x01` in one
resident's name, and PostgreSQL refuses NUL outright. So it is refused where text comes in —
the API (linli.core.schemas and the request parser in linli.api), the console and H5 forms
(`NoControlCharacters`) — and files we write strip what slipped in before (`printable`).

Single-line text (names, numbers, codes) refuses every control character including tab and
line breaks; multi-line text (notes) keeps tab, line feed and carriage return. Lone surrogates
(which JSON can encode as `\\ud800` but no UTF-8 text can hold) count as control characters.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_C0_BUT_WHITESPACE = "\x00-\x08\x0b\x0c\x0e-\x1f"
_OTHERS = "\x7f-\x9f\ud800-\udfff"  # DEL, C1 controls, lone surrogates

MULTILINE_FORBIDDEN = re.compile(f"[{_C0_BUT_WHITESPACE}{_OTHERS}]")
SINGLE_LINE_FORBIDDEN = re.compile(f"[\t\n\r{_C0_BUT_WHITESPACE}{_OTHERS}]")

# The same rules as JSON Schema patterns (ECMA 262), for the OpenAPI spec: a whole-value match
# of allowed characters. Surrogates cannot be written in a pattern that every tool accepts, so
# the published patterns name the controls; the validators above also refuse surrogates.
SINGLE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
MULTILINE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"

MESSAGE = _("不能包含控制字符")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    return (MULTILINE_FORBIDDEN if multiline else SINGLE_LINE_FORBIDDEN).search(value) is not None


def printable(value: str) -> str:
    """What a file writer keeps of stored text: control characters dropped, line breaks kept."""
    return MULTILINE_FORBIDDEN.sub("", value)


def refuse_control_characters(value: str) -> None:
    """A Django validator for single-line form fields."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(MESSAGE, code="control_characters")


def refuse_control_characters_multiline(value: str) -> None:
    if isinstance(value, str) and has_control_characters(value, multiline=True):
        raise ValidationError(MESSAGE, code="control_characters")


class NoControlCharacters:
    """Form mixin: every text field of the form refuses control characters.

    A `Textarea` field keeps line breaks; every other text field is single-line. Fields are
    copied per form instance, so adding the validator here never leaks into another form.
    """

    fields: dict[str, forms.Field]  # from the form class this is mixed into

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators.append(
                    refuse_control_characters_multiline if multiline else refuse_control_characters
                )


class Form(NoControlCharacters, forms.Form):
    """The base of every console and H5 form."""
