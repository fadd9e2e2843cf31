"""Shared offers (PARK-2): an organisation's or a space holder's spaces for recurring windows.

Who may offer: staff holding parking.manage in the community, for an organisation of the
community (the office block) or for a resident; a resident, for themselves. Either way each
space must be held by the offering party (`space_not_held`):

- a person holds an owned or rented space (rent not run out) whose house they own or rent today
  (an active owner, co-owner or tenant occupancy), or whose assigned vehicle is theirs;
- an organisation holds the spaces of its own premises (the space's house is the
  organisation's) and, when its garage is not a house of the registry (an office block next to
  the estate), the spaces of no house whose area is named after it (星河写字楼地库 for 星河写字楼);
  the property company holds the community's spaces that belong to no house.

Windows must not overlap one another (`windows_overlap`): an occurrence is then always one
window's, which is what the price and the resident's calendar say.
"""

from datetime import time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.parking.choices import OfferStatus
from linli.parking.models import OfferSpace, OfferWindow, SharedOffer
from linli.parking.windows import Window, mask_of, windows_overlap
from linli.registry.choices import OWNING, OrgKind, Relation, SpaceKind
from linli.registry.models import Occupancy, Organization, ParkingSpace, Person

MAX_SPACES = 2000  # one request; a larger garage is offered in parts
MAX_WINDOWS = 14


def _person_holds(person: Person, space: ParkingSpace) -> bool:
    if space.kind not in (SpaceKind.OWNED, SpaceKind.RENTED):
        return False
    if space.valid_to is not None and space.valid_to < timezone.localdate():
        return False  # the rent ran out
    if space.vehicle is not None and space.vehicle.person_id == person.pk:
        return True
    return (
        space.house_id is not None
        and Occupancy.objects.active()
        .filter(house_id=space.house_id, person=person, relation__in=(*OWNING, Relation.TENANT))
        .exists()
    )


def _organization_holds(organization: Organization, space: ParkingSpace) -> bool:
    if organization.house_id is not None and space.house_id == organization.house_id:
        return True
    if space.house_id is not None:
        return False
    return organization.kind == OrgKind.PROPERTY_COMPANY or space.area_name.startswith(organization.name)


def _check_windows(windows: list[Window]) -> None:
    if not windows or len(windows) > MAX_WINDOWS:
        raise ServiceError(
            "bad_windows",
            _("请设置 1 至 %(n)s 个共享时段") % {"n": MAX_WINDOWS},
            fields={"windows": _("数量不对")},
        )
    if any(not w.weekdays or not w.weekdays <= set(range(7)) for w in windows):
        raise ServiceError("bad_windows", _("请选择星期"), fields={"windows": _("星期无效")})
    if windows_overlap(windows):
        raise ServiceError("windows_overlap", _("共享时段之间有重叠"), fields={"windows": _("时段重叠")})


def _party(actor: Actor, community_id: int, organization_id: int | None, person_id: int | None):
    """(organization, person) of the offer, after checking the actor may act for it."""
    if (organization_id is None) == (person_id is None):
        raise ServiceError(
            "bad_party", _("请指定提供车位的组织或个人"), fields={"organization_id": _("二选一")}
        )
    if organization_id is not None:
        require(actor, Action.PARKING_MANAGE, community_id)
        organization = Organization.objects.filter(pk=organization_id, community_id=community_id).first()
        if organization is None:
            raise ServiceError("bad_party", _("组织不存在"), fields={"organization_id": _("不存在")})
        return organization, None
    if organization_id is not None or person_id is None:
        raise ServiceError(
            "bad_party", _("请指定提供车位的组织或个人"), fields={"organization_id": _("二选一")}
        )
    person = Person.objects.filter(pk=person_id, community_id=community_id, erased_at__isnull=True).first()
    if person is None:
        raise ServiceError("bad_party", _("人员不存在"), fields={"person_id": _("不存在")})
    if person.user_id != actor.pk and not may(actor, Action.PARKING_MANAGE, community_id):
        raise Forbidden()
    return None, person


@transaction.atomic
def do_create_offer(
    *,
    actor: Actor,
    community_id: int,
    title: str,
    space_ids: list[int],
    windows: list[Window],
    price_fen: int,
    overstay_fen: int,
    overstay_grace_minutes: int = 15,
    cancel_free_hours: int = 2,
    cancel_fee_percent: int = 50,
    open_to_public: bool = False,
    organization_id: int | None = None,
    person_id: int | None = None,
) -> SharedOffer:
    """Refused: bad_party, bad_windows, windows_overlap, bad_spaces, space_not_held,
    space_already_offered (in another active offer)."""
    organization, person = _party(actor, community_id, organization_id, person_id)
    _check_windows(windows)
    if not 0 <= cancel_fee_percent <= 100:
        raise ServiceError(
            "bad_policy", _("扣费比例应在 0 到 100 之间"), fields={"cancel_fee_percent": _("0–100")}
        )
    ids = sorted(set(space_ids))
    spaces = list(
        ParkingSpace.objects.filter(pk__in=ids, community_id=community_id).select_related("vehicle")
    )
    if not ids or len(ids) > MAX_SPACES or len(spaces) != len(ids):
        raise ServiceError("bad_spaces", _("车位不存在或数量不对"), fields={"space_ids": _("无效")})
    for space in spaces:
        held = _organization_holds(organization, space) if organization else _person_holds(person, space)
        if not held:
            raise ServiceError(
                "space_not_held",
                _("车位 %(n)s 不属于提供方，不能共享") % {"n": space.number},
                fields={"space_ids": space.number},
                status=403,
            )
    offer = SharedOffer.objects.create(
        community_id=community_id,
        title=title.strip(),
        organization=organization,
        person=person,
        price_fen=price_fen,
        overstay_fen=overstay_fen,
        overstay_grace_minutes=overstay_grace_minutes,
        cancel_free_hours=cancel_free_hours,
        cancel_fee_percent=cancel_fee_percent,
        open_to_public=open_to_public,
        created_by=actor,
    )
    OfferWindow.objects.bulk_create(
        OfferWindow(offer=offer, weekdays=mask_of(w.weekdays), start=w.start, end=w.end) for w in windows
    )
    try:
        with transaction.atomic():
            OfferSpace.objects.bulk_create(OfferSpace(offer=offer, space=s) for s in spaces)
    except IntegrityError:
        raise Conflict(
            "space_already_offered", _("有车位已在其他共享中"), fields={"space_ids": _("已共享")}
        ) from None
    audit.record(
        actor=actor,
        action="parking.offer_created",
        obj=offer,
        community_id=community_id,
        after={"spaces": [s.number for s in spaces], "price_fen": price_fen, "windows": len(windows)},
    )
    return offer


def may_manage_offer(actor: Actor, offer: SharedOffer) -> bool:
    """The offering person themselves, or staff with parking.manage (an organisation's offer)."""
    own = offer.person is not None and offer.person.user_id == actor.pk
    return own or may(actor, Action.PARKING_MANAGE, offer.community_id)


@transaction.atomic
def do_withdraw_offer(*, actor: Actor, offer: SharedOffer) -> SharedOffer:
    """No new bookings; the bookings already made stand (their drivers were promised the
    space). The spaces may then be offered again. Refused: offer_withdrawn."""
    if not may_manage_offer(actor, offer):
        raise Forbidden()
    now = timezone.now()
    if not SharedOffer.objects.filter(pk=offer.pk, status=OfferStatus.ACTIVE).update(
        status=OfferStatus.WITHDRAWN, withdrawn_at=now, updated_at=now
    ):
        raise Conflict("offer_withdrawn", _("共享已撤回"))
    OfferSpace.objects.filter(offer=offer, active=True).update(active=False)
    offer.refresh_from_db()
    audit.record(actor=actor, action="parking.offer_withdrawn", obj=offer, community_id=offer.community_id)
    return offer


def window_of(weekdays: list[int], start: time, end: time) -> Window:
    return Window(frozenset(weekdays), start, end)
