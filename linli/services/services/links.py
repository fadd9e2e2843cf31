"""Health links (SVC-2): clinics' appointment pages, set up by staff holding services.manage."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.services.models import HealthLink


@transaction.atomic
def do_add_health_link(
    *, actor: Actor, community_id: int, name: str, url: str, note: str = "", order: int = 0
) -> HealthLink:
    """Refused: https_only (the page opens from the resident's phone: never in the clear)."""
    require(actor, Action.SERVICES_MANAGE, community_id)
    url = url.strip()
    if not url.lower().startswith("https://") or len(url) <= len("https://"):
        raise ServiceError("https_only", _("仅支持 https 链接"), fields={"url": _("须以 https:// 开头")})
    link = HealthLink.objects.create(
        community_id=community_id, name=name.strip(), url=url, note=note.strip(), order=order
    )
    audit.record(actor=actor, action="services.health_link_added", obj=link, community_id=community_id)
    return link


@transaction.atomic
def do_remove_health_link(*, actor: Actor, link: HealthLink) -> None:
    require(actor, Action.SERVICES_MANAGE, link.community_id)
    audit.record(actor=actor, action="services.health_link_removed", obj=link, community_id=link.community_id)
    HealthLink.objects.filter(pk=link.pk).delete()
