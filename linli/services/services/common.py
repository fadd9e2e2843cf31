"""What the write modules share: local times, the refusals every booking may meet, who is
the household a booking is for, and retiring or reopening a thing that takes bookings."""

from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry import queries as registry_queries


def local(on: date, at: time) -> datetime:
    """A wall-clock time in the site's zone (Asia/Shanghai has no DST, so this is never ambiguous)."""
    return timezone.make_aware(datetime.combine(on, at))


def in_past() -> ServiceError:
    return ServiceError("booking_in_past", _("只能预约将来的时间"), fields={"date": _("已过去")})


def for_household(actor: Actor, community_id: int, house_id: int) -> bool:
    """True when the actor books for their own household; False when staff book for the
    household (代办, needs services.book_for). A house of another community is not found."""
    house = registry_queries.house_in(community_id, house_id)
    if house is None:
        raise ServiceError("not_found", _("房屋不存在"), fields={"house_id": _("不在本小区")}, status=404)
    if registry_queries.lives_in(actor, house_id):
        return False
    require(actor, Action.SERVICES_BOOK_FOR, community_id)
    return True


def switch_active(model, obj, *, active: bool, action: str, actor: Actor, community_id: int):
    """Retire (active → False) or reopen (False → True) an offering, a slot or a venue, by a
    conditional update, once: the bookings it has are untouched. Refused: already_retired,
    not_retired. In the caller's transaction."""
    require(actor, Action.SERVICES_MANAGE, community_id)
    if not model.objects.filter(pk=obj.pk, active=not active).update(
        active=active, updated_at=timezone.now()
    ):
        if active:
            raise Conflict("not_retired", _("未停用，无需恢复"))
        raise Conflict("already_retired", _("已停用"))
    obj.refresh_from_db()
    audit.record(actor=actor, action=action, obj=obj, community_id=community_id)
    return obj
