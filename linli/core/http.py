"""Small helpers the thin routers share."""

from django.http import Http404

from linli.core import queries as core_queries
from linli.core.roles import Action


def get_or_404(queryset, **lookup):
    """A restricted lookup: another community's object is indistinguishable from a missing one."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def community_for(request, community_id: int, action: str = Action.PROPERTY_VIEW):
    """The community a staff route names, if the user holds `action` there (else 404)."""
    return get_or_404(core_queries.communities(request.user, action), pk=community_id)


def etag_of(obj) -> str:
    return f'W/"{obj.pk}-{obj.updated_at.timestamp():.6f}"'
