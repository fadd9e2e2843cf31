"""What charging costs in a community, and how ended sessions become bills in `linli/billing`.

Billing allows one live bill per house, fee item and day, so sessions are not billed one by one:
each hour the sessions that ended before today are gathered per house into one one-off charge,
issued as the staff member who chose the fee item (they hold billing's right to issue). Until a
fee item is chosen, each session's amount stays recorded on the session (the console's list).
"""

import logging
from collections import defaultdict
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from linli.billing import queries as billing_queries
from linli.billing.services import charges as billing_charges
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Forbidden, ServiceError
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.iot.choices import SessionStatus
from linli.iot.models import ChargingSession, Tariff
from linli.iot.services.chargers import tariff_of
from linli.registry import queries as registry_queries

log = logging.getLogger(__name__)

ISSUERS = (Action.BILLING_SETUP, Action.BILLING_COLLECT)
LIMITS = {
    "ebike_fen_per_hour": (0, 10_000),
    "ebike_max_minutes": (30, 1440),
    "car_fen_per_kwh": (0, 1_000),
}


def _may_issue(actor: Actor, community_id: int) -> bool:
    return any(may(actor, a, community_id) for a in ISSUERS)


@transaction.atomic
def do_set_tariff(*, actor: Actor, community_id: int, fee_item_id: int | None, **prices: int) -> Tariff:
    require(actor, Action.IOT_SETUP, community_id)
    tariff = tariff_of(community_id)
    for field, value in prices.items():
        low, high = LIMITS[field]
        if not isinstance(value, int) or not low <= value <= high:
            raise ServiceError(
                "bad_tariff",
                _("数值应在%(low)d到%(high)d之间") % {"low": low, "high": high},
                fields={field: value},
            )
        setattr(tariff, field, value)
    if fee_item_id != tariff.fee_item_id:
        if fee_item_id is not None:
            if not _may_issue(actor, community_id):
                raise Forbidden(_("只有可以开具账单的员工才能设置充电收费项目"))
            item = billing_queries.money_fee_items(actor, community_id).filter(pk=fee_item_id).first()
            if item is None or item.kind != "one_off":
                raise ServiceError(
                    "bad_fee_item", _("请选择一个一次性收费项目"), fields={"fee_item": fee_item_id}
                )
        tariff.fee_item_id = fee_item_id
        tariff.billed_by = actor if fee_item_id is not None else None
    tariff.save()
    audit.record(actor=actor, action="iot.tariff_set", obj=tariff, community_id=community_id)
    return tariff


def _start_of_today(now: datetime) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localtime(now).date(), time.min))


def bill_due(now: datetime) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for tariff in Tariff.objects.filter(fee_item__isnull=False, billed_by__isnull=False).select_related(
        "billed_by"
    ):
        assert tariff.billed_by is not None  # filtered above; for the type checker
        for key, n in _bill(tariff, tariff.billed_by, _start_of_today(now)).items():
            totals[key] += n
    return dict(totals)


def do_bill_now(*, actor: Actor, community_id: int) -> dict[str, int]:
    """Staff who may issue bills bill every ended session now, today's included."""
    if not _may_issue(actor, community_id):
        raise Forbidden(_("您没有执行此操作的权限"))
    tariff = tariff_of(community_id)
    if tariff.fee_item_id is None:
        raise ServiceError("no_fee_item", _("请先在充电收费标准中选择收费项目"))
    return _bill(tariff, actor, timezone.now())


def _bill(tariff: Tariff, actor: Actor, before: datetime) -> dict[str, int]:
    ended = ChargingSession.objects.filter(
        community_id=tariff.community_id,
        status=SessionStatus.DONE,
        bill_id__isnull=True,
        amount_fen__gt=0,
        house__isnull=False,
        stopped_at__lt=before,
    ).values_list("house_id", "pk", "amount_fen", "stopped_at")
    by_house: dict[int, list] = defaultdict(list)
    for house_id, pk, amount, stopped in ended:
        by_house[house_id].append((pk, amount, stopped))
    out = {"bills": 0, "sessions": 0, "refused": 0}
    fee_item = (
        billing_queries.money_fee_items(actor, tariff.community_id).filter(pk=tariff.fee_item_id).first()
    )
    if fee_item is None:
        return out
    for house_id, rows in by_house.items():
        try:
            _bill_house(actor, house_id, fee_item, rows)
        except ServiceError as e:  # e.g. today's bill for the house exists: tomorrow
            log.warning("iot: charging bill for house %s refused: %s", house_id, e)
            out["refused"] += 1
            continue
        out["bills"] += 1
        out["sessions"] += len(rows)
    return out


@transaction.atomic
def _bill_house(actor: Actor, house_id: int, fee_item, rows: list) -> None:
    ids = [pk for pk, _amount, _stopped in rows]
    # Claimed first: a second run (or a staff member's "bill now") finds them taken.
    if ChargingSession.objects.filter(pk__in=ids, bill_id__isnull=True).update(bill_id=0) != len(ids):
        raise ServiceError("already_billing", _("这些充电记录正在出账"))
    days = sorted({timezone.localtime(stopped).date() for _pk, _amount, stopped in rows})
    span = days[0].isoformat() if len(days) == 1 else f"{days[0].isoformat()}–{days[-1].isoformat()}"
    house = registry_queries.house_in(fee_item.community_id, house_id)
    if house is None:
        raise ServiceError("unknown_house", _("房屋不存在"))
    bill = billing_charges.do_issue_charge(
        actor=actor,
        house=house,
        fee_item=fee_item,
        note=_g("充电 %(n)d 次(%(span)s)") % {"n": len(rows), "span": span},
        amount_fen=sum(amount for _pk, amount, _stopped in rows),
    )
    ChargingSession.objects.filter(pk__in=ids).update(bill_id=bill.pk)
