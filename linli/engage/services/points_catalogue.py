"""The redemption catalogue and redemptions (ENG-6).

A redemption takes one of the item's stock and the household's points in one transaction, each
by a conditional update (`stock >= 1`, `balance >= price`), so the last item or the last points
go to one request and every other is refused with nothing written. Staff may redeem at the
counter on a resident's behalf (代办): the redemption and its entry say so. A cancelled request
puts the item back and refunds the points as a new entry.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.engage.choices_points import EntryKind, RedemptionStatus
from linli.engage.models import CatalogueItem, Redemption
from linli.engage.services.points import account_for, post_entry
from linli.registry import queries as registry_queries

ITEM_FIELDS = ("name", "description", "price", "active")


def _item_snapshot(item: CatalogueItem) -> dict:
    return {field: getattr(item, field) for field in (*ITEM_FIELDS, "stock")}


@transaction.atomic
def do_create_item(
    *, actor: Actor, community_id: int, name: str, price: int, stock: int = 0, description: str = ""
) -> CatalogueItem:
    require(actor, Action.POINTS_MANAGE, community_id)
    if price < 1 or stock < 0:
        raise ServiceError(
            "invalid_item", _("积分应大于0，库存不能为负"), fields={"price": price, "stock": stock}
        )
    item = CatalogueItem.objects.create(
        community_id=community_id,
        name=name.strip(),
        description=description.strip(),
        price=price,
        stock=stock,
    )
    audit.record(actor=actor, action="engage.catalogue_item_created", obj=item, community_id=community_id)
    return item


@transaction.atomic
def do_update_item(*, actor: Actor, item: CatalogueItem, **changes) -> CatalogueItem:
    """Name, description, price or listed; stock moves only by `do_change_stock`."""
    require(actor, Action.POINTS_MANAGE, item.community_id)
    before = _item_snapshot(item)
    for field in ITEM_FIELDS:
        if changes.get(field) is not None:
            setattr(item, field, changes[field])
    if item.price < 1:
        raise ServiceError("invalid_item", _("积分应大于0"), fields={"price": item.price})
    item.save(update_fields=[*ITEM_FIELDS, "updated_at"])
    audit.record_change(
        actor=actor,
        action="engage.catalogue_item_changed",
        obj=item,
        community_id=item.community_id,
        before=before,
        snapshot=_item_snapshot,
    )
    return item


@transaction.atomic
def do_change_stock(*, actor: Actor, item: CatalogueItem, change: int) -> CatalogueItem:
    """Adds stock (or takes it off, never below what is left)."""
    require(actor, Action.POINTS_MANAGE, item.community_id)
    rows = CatalogueItem.objects.filter(pk=item.pk)
    if change < 0:
        rows = rows.filter(stock__gte=-change)
    if change == 0 or not rows.update(stock=F("stock") + change, updated_at=timezone.now()):
        raise Conflict("invalid_stock_change", _("库存调整无效：剩余库存不足"), fields={"change": change})
    item.refresh_from_db()
    audit.record(
        actor=actor,
        action="engage.catalogue_stock_changed",
        obj=item,
        community_id=item.community_id,
        after={"change": change, "stock": item.stock},
    )
    return item


@transaction.atomic
def do_redeem(*, actor: Actor, item: CatalogueItem, house_id: int) -> Redemption:
    """One item for the household: by a resident of the house, or by staff at the counter (代办)."""
    community_id = item.community_id
    house = registry_queries.house_in(community_id, house_id)
    if house is None:
        raise NotFound()
    if registry_queries.lives_in(actor, house_id):
        on_behalf = False
    elif may(actor, Action.POINTS_MANAGE, community_id, house.building_id):
        on_behalf = True
    else:
        raise NotFound()
    taken = CatalogueItem.objects.filter(pk=item.pk, active=True, stock__gte=1).update(
        stock=F("stock") - 1, updated_at=timezone.now()
    )
    if not taken:
        item.refresh_from_db()
        if not item.active:
            raise Conflict("item_unavailable", _("该商品已下架"))
        raise Conflict("out_of_stock", _("“%(name)s”已兑完，库存不足") % {"name": item.name})
    account = account_for(community_id, house_id)
    redemption = Redemption.objects.create(
        community_id=community_id,
        account=account,
        house_id=house_id,
        item=item,
        points=item.price,
        requested_by=actor,
        on_behalf=on_behalf,
    )
    post_entry(
        account=account,
        amount=-item.price,
        kind=EntryKind.REDEEM,
        reason="redemption",
        text=_("兑换：%(name)s") % {"name": item.name},
        actor=actor,
        source_ref=f"redemption:{redemption.pk}",
        on_behalf=on_behalf,
    )
    audit.record(actor=actor, action="engage.points_redeemed", obj=redemption, community_id=community_id)
    return redemption


@transaction.atomic
def do_fulfil_redemption(*, actor: Actor, redemption: Redemption) -> Redemption:
    """Handed over at the counter."""
    require(actor, Action.POINTS_MANAGE, redemption.community_id, redemption.house.building_id)
    now = timezone.now()
    done = Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.REQUESTED).update(
        status=RedemptionStatus.FULFILLED, handled_by=actor, handled_at=now, updated_at=now
    )
    if not done:
        raise Conflict("redemption_closed", _("该兑换已领取或已取消"))
    audit.record(
        actor=actor,
        action="engage.redemption_fulfilled",
        obj=redemption,
        community_id=redemption.community_id,
    )
    redemption.refresh_from_db()
    return redemption


@transaction.atomic
def do_cancel_redemption(*, actor: Actor, redemption: Redemption, reason: str = "") -> Redemption:
    """By the household before collecting it, or by staff: the item goes back, the points are
    refunded by a new entry."""
    community_id = redemption.community_id
    if not registry_queries.lives_in(actor, redemption.house_id):
        require(actor, Action.POINTS_MANAGE, community_id, redemption.house.building_id)
    now = timezone.now()
    done = Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.REQUESTED).update(
        status=RedemptionStatus.CANCELLED,
        handled_by=actor,
        handled_at=now,
        cancel_reason=reason.strip()[:200],
        updated_at=now,
    )
    if not done:
        raise Conflict("redemption_closed", _("该兑换已领取或已取消"))
    CatalogueItem.objects.filter(pk=redemption.item_id).update(stock=F("stock") + 1, updated_at=now)
    try:
        with transaction.atomic():
            post_entry(
                account=redemption.account,
                amount=redemption.points,
                kind=EntryKind.REFUND,
                reason="redemption",
                text=_("取消兑换，退还积分"),
                actor=actor,
                source_ref=f"redemption:{redemption.pk}:refund",
                now=now,
            )
    except IntegrityError:
        raise Conflict("redemption_closed", _("该兑换已领取或已取消")) from None
    audit.record(actor=actor, action="engage.redemption_cancelled", obj=redemption, community_id=community_id)
    redemption.refresh_from_db()
    return redemption
