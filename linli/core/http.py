"""Small helpers the thin routers share."""

from django.http import Http404


def get_or_404(queryset, **lookup):
    """A restricted lookup: another community's object is indistinguishable from a missing one."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def etag_of(obj) -> str:
    return f'W/"{obj.pk}-{obj.updated_at.timestamp():.6f}"'
