"""Monthly and yearly passes (PARK-1, 月卡/年卡): issued at the counter by staff holding
parking.manage, renewed by the household in the app (the next period at the same fee), paid at
with the house's other bills where the community bills monthly parking in the app (charges.py:
active once its bill is paid), else at parking's counter (`do_record_counter_payment`);
cancelled by staff. A paid pass valid today lets its plate through the barrier (services/gate.py).

A plate holds at most one live (unpaid or active) pass for any day (`pass_overlaps`): a renewal
starts the day after the current pass ends. Expiry reminders: periodic.py.
"""

import calendar
from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.crypto import blind_index
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.masking import mask_plate
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.notify.services import notify
from linli.parking import charges
from linli.parking.choices import PassPeriod, PassStatus
from linli.parking.models import ParkingPass
from linli.registry import queries as registry_queries
from linli.registry.models import House, Occupancy, ParkingSpace, Person
from linli.registry.validators import clean_plate

LIVE = (PassStatus.UNPAID, PassStatus.ACTIVE)
REMIND_BEFORE = timedelta(days=7)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(valid_from: date, period: str) -> date:
    """The last day (inclusive): 31 January → 28 (or 29) February; 1 March → 31 March."""
    months = 12 if period == PassPeriod.YEARLY else 1
    return _add_months(valid_from, months) - timedelta(days=1)


def _write(
    *,
    actor: Actor,
    house: House,
    person: Person,
    plate: str,
    period: str,
    valid_from: date,
    fee_fen: int,
    space_id,
) -> ParkingPass:
    bidx = blind_index("plate", plate)
    valid_to = period_end(valid_from, period)
    clash = ParkingPass.objects.filter(
        community_id=house.community_id,
        plate_bidx=bidx,
        status__in=LIVE,
        valid_from__lte=valid_to,
        valid_to__gte=valid_from,
    )
    if clash.exists():
        raise Conflict(
            "pass_overlaps", _("该车辆在此期间已有月卡"), fields={"valid_from": _("与已有月卡重叠")}
        )
    created = ParkingPass.objects.create(
        community_id=house.community_id,
        house=house,
        person=person,
        space_id=space_id,
        plate=plate,
        plate_bidx=bidx,
        period=period,
        valid_from=valid_from,
        valid_to=valid_to,
        fee_fen=fee_fen,
        created_by=actor,
    )
    charges.bill_pass(created)
    audit.record(
        actor=actor,
        action="parking.pass_issued",
        obj=created,
        community_id=house.community_id,
        after={
            "plate": mask_plate(plate),
            "period": period,
            "valid_to": valid_to.isoformat(),
            "fee_fen": fee_fen,
        },
    )
    return created


@transaction.atomic
def do_issue_pass(
    *,
    actor: Actor,
    house: House,
    person: Person,
    plate: str,
    period: str,
    valid_from: date,
    fee_fen: int,
    space_id: int | None = None,
) -> ParkingPass:
    """At the counter. Refused: not_living_here (the person does not live in the house),
    bad_space, invalid_plate, bad_period (400); pass_overlaps (409)."""
    require(actor, Action.PARKING_MANAGE, house.community_id)
    if period not in PassPeriod.values:
        raise ServiceError("bad_period", _("请选择月卡或年卡"), fields={"period": _("无效")})
    if not Occupancy.objects.active().filter(house=house, person=person).exists():
        raise ServiceError(
            "not_living_here", _("该人员不住在此房屋"), fields={"person_id": _("不住在此房屋")}
        )
    if (
        space_id is not None
        and not ParkingSpace.objects.filter(pk=space_id, community_id=house.community_id).exists()
    ):
        raise ServiceError("bad_space", _("车位不存在"), fields={"space_id": _("不存在")})
    return _write(
        actor=actor,
        house=house,
        person=person,
        plate=clean_plate(plate),
        period=period,
        valid_from=valid_from,
        fee_fen=fee_fen,
        space_id=space_id,
    )


@transaction.atomic
def do_renew_pass(*, actor: Actor, parking_pass: ParkingPass) -> ParkingPass:
    """The next period of a pass, from the day after it ends (or today if it already ended), at
    the same fee: by a resident of its house in the app, or by staff. Refused: pass_cancelled,
    pass_overlaps (409)."""
    if not registry_queries.lives_in(actor, parking_pass.house_id):
        require(actor, Action.PARKING_MANAGE, parking_pass.community_id)
    if parking_pass.status == PassStatus.CANCELLED:
        raise Conflict("pass_cancelled", _("月卡已作废，请到前台重新办理"))
    start = max(parking_pass.valid_to + timedelta(days=1), timezone.localdate())
    return _write(
        actor=actor,
        house=parking_pass.house,
        person=parking_pass.person,
        plate=parking_pass.plate,
        period=parking_pass.period,
        valid_from=start,
        fee_fen=parking_pass.fee_fen,
        space_id=parking_pass.space_id,
    )


@transaction.atomic
def do_record_counter_payment(*, actor: Actor, parking_pass: ParkingPass) -> ParkingPass:
    """Staff took the fee at the counter. Refused: pass_not_unpaid (409)."""
    require(actor, Action.PARKING_MANAGE, parking_pass.community_id)
    if charges.pass_bill(parking_pass) is not None:
        raise Conflict("pass_billed", _("该月卡已出账单，请在收费台按账单收款"))
    now = timezone.now()
    if not ParkingPass.objects.filter(pk=parking_pass.pk, status=PassStatus.UNPAID).update(
        status=PassStatus.ACTIVE, paid_at=now, paid_by=actor, updated_at=now
    ):
        raise Conflict("pass_not_unpaid", _("月卡已缴费或已作废"))
    parking_pass.refresh_from_db()
    audit.record(
        actor=actor, action="parking.pass_paid", obj=parking_pass, community_id=parking_pass.community_id
    )
    return parking_pass


@transaction.atomic
def do_cancel_pass(*, actor: Actor, parking_pass: ParkingPass) -> ParkingPass:
    """Staff void a pass (refunds go through billing). Refused: pass_cancelled (409)."""
    if not may(actor, Action.PARKING_MANAGE, parking_pass.community_id):
        raise Forbidden()
    now = timezone.now()
    if not ParkingPass.objects.filter(pk=parking_pass.pk, status__in=LIVE).update(
        status=PassStatus.CANCELLED, updated_at=now
    ):
        raise Conflict("pass_cancelled", _("月卡已作废"))
    parking_pass.refresh_from_db()
    charges.cancel_pass_bill(parking_pass)
    audit.record(
        actor=actor, action="parking.pass_cancelled", obj=parking_pass, community_id=parking_pass.community_id
    )
    return parking_pass


def activate_if_paid(parking_pass: ParkingPass) -> bool:
    """An unpaid pass whose bill is paid becomes active (a conditional update: once)."""
    bill = charges.pass_bill(parking_pass)
    if bill is None or bill.paid_fen < bill.amount_fen:
        return False
    now = timezone.now()
    return bool(
        ParkingPass.objects.filter(pk=parking_pass.pk, status=PassStatus.UNPAID).update(
            status=PassStatus.ACTIVE, paid_at=bill.paid_at or now, updated_at=now
        )
    )


def activate_paid_passes() -> int:
    """Unpaid passes whose bill has been paid (online or at billing's counter) become active."""
    waiting = ParkingPass.objects.filter(status=PassStatus.UNPAID).only("pk", "status")
    return sum(activate_if_paid(parking_pass) for parking_pass in waiting.iterator())


def remind_expiring(now: datetime) -> int:
    """Tells the household of each paid pass ending within 7 days, once, unless a later pass of
    the plate is already there. Claimed by a conditional update of `reminded_at`, so two runs
    never tell twice. Returns the passes reminded."""
    today = timezone.localdate(now)
    due = ParkingPass.objects.filter(
        status=PassStatus.ACTIVE,
        reminded_at__isnull=True,
        valid_to__gte=today,
        valid_to__lte=today + REMIND_BEFORE,
    ).select_related("house")
    told = 0
    for parking_pass in due:
        later = ParkingPass.objects.filter(
            community_id=parking_pass.community_id,
            plate_bidx=parking_pass.plate_bidx,
            status__in=LIVE,
            valid_from__gt=parking_pass.valid_to,
        )
        with transaction.atomic():
            if not ParkingPass.objects.filter(pk=parking_pass.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            if later.exists():
                continue  # renewed already: nothing to say
            users = (
                Occupancy.objects.active(today)
                .filter(house_id=parking_pass.house_id, person__user__isnull=False)
                .values_list("person__user_id", flat=True)
            )
            notify(
                users=list(users),
                kind="parking.pass_expiring",
                title=str(_("停车月卡即将到期")),
                body=str(
                    _("车辆 %(plate)s 的月卡将于 %(day)s 到期，请及时续费。")
                    % {"plate": mask_plate(parking_pass.plate), "day": parking_pass.valid_to.isoformat()}
                ),
                link=reverse("parking:offers"),
                community_id=parking_pass.community_id,
            )
            told += 1
    return told
