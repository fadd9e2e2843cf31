"""Filters and tags of the design system: formatting per ux.md and the per-request UI preferences."""

from django import template

from linli.core.masking import mask_plate
from linli.core.shell import formatting
from linli.notify.queries import unread_count
from linli.registry.queries import property_contact
from linli.web.prefs import elderly_mode

register = template.Library()


@register.simple_tag(takes_context=True)
def ui_prefs(context) -> dict:
    request = context.get("request")
    return {"elderly": elderly_mode(request) if request is not None else False}


@register.simple_tag(takes_context=True)
def property_phone(context) -> str:
    """The property office's line for the 联系物业 button; empty when none is on record."""
    request = context.get("request")
    return property_contact(request.user) if request is not None else ""


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return unread_count(request.user)


@register.filter
def day(value) -> str:
    return formatting.day_label(value)


@register.filter
def day_year(value) -> str:
    return formatting.day_label(value, with_year=True)


@register.filter
def moment(value) -> str:
    return formatting.moment_label(value)


@register.filter
def yuan(fen) -> str:
    return formatting.yuan(fen)


@register.filter
def area(value) -> str:
    return formatting.area(value)


@register.filter
def plate_masked(value) -> str:
    return mask_plate(value)


@register.filter
def label_of(code, labels) -> str:
    """The label of a stored code from a mapping the view passes (`{{ e.reason|label_of:reasons }}`);
    the code itself when the mapping does not know it."""
    return labels.get(code, code) if labels else code
