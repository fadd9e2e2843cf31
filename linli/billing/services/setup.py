"""Fee items and their versioned standards (FEE-1, FEE-5).

A standard is one version of an item's price for a house type, in force from a date. Versions of
one item and house type never overlap: a new version after an open-ended one closes it the day
before (that is succession, not overlap); any other overlap is refused. Once a standard is
published (owners were told the price) or used by a bill, it never changes: a new version does.
Billing runs use published standards only, so owners always heard of a price before a bill.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.billing.choices import METERED, Cycle, FeeKind, PayerRule
from linli.billing.models import Bill, FeeItem, FeeStandard
from linli.billing.services import amounts
from linli.core import audit
from linli.core.errors import Conflict, ServiceError
from linli.core.models import Community
from linli.core.permissions import require
from linli.core.roles import Action
from linli.notify.services import notify
from linli.registry.choices import OWNING, HouseType
from linli.registry.models import Occupancy

FEE_ITEM_FIELDS = ("name", "kind", "cycle", "payer_rule", "due_days", "active")
STANDARD_FIELDS = (
    "effective_from",
    "effective_to",
    "unit_price_fen",
    "tiers",
    "free_minutes",
    "period_minutes",
    "daily_cap_fen",
    "basis",
)
PRICE_PLACES = Decimal("0.0001")
MAX_PRICE = Decimal(10**10)
MAX_TIERS = 10


def fee_item_snapshot(item: FeeItem) -> dict:
    return {f: getattr(item, f) for f in FEE_ITEM_FIELDS}


def standard_snapshot(s: FeeStandard) -> dict:
    return {
        "fee_item": s.fee_item_id,
        "version": s.version,
        "house_type": s.house_type,
        "published_at": s.published_at,
        **{f: getattr(s, f) for f in STANDARD_FIELDS},
    }


# --- fee items ----------------------------------------------------------------------------------


def _clean_fee_item(values: dict) -> dict:
    name = (values.get("name") or "").strip()
    if not 1 <= len(name) <= 60:
        raise ServiceError("invalid_name", _("请填写收费项目名称（1到60个字）"), fields={"name": _("必填")})
    choices = {"kind": FeeKind, "cycle": Cycle, "payer_rule": PayerRule}
    for field, enum in choices.items():
        if values.get(field) not in enum.values:
            raise ServiceError(
                f"invalid_{field}",
                _("选项不正确"),
                fields={field: _("应为以下之一：%s") % "、".join(enum.values)},
            )
    if values["kind"] == FeeKind.PARKING_TEMPORARY and values["cycle"] != Cycle.ONCE:
        raise ServiceError("invalid_cycle", _("临时停车费按次收取，周期应为一次性"), fields={"cycle": ""})
    if not 0 <= int(values.get("due_days", 30)) <= 366:
        raise ServiceError("invalid_due_days", _("缴费期限应为0到366天"), fields={"due_days": ""})
    return {**values, "name": name}


@transaction.atomic
def do_create_fee_item(
    *,
    actor: User,
    community: Community,
    name: str,
    kind: str,
    cycle: str = Cycle.MONTHLY,
    payer_rule: str = PayerRule.OWNER,
    due_days: int = 30,
) -> FeeItem:
    require(actor, Action.BILLING_SETUP, community.pk)
    values = _clean_fee_item(
        {"name": name, "kind": kind, "cycle": cycle, "payer_rule": payer_rule, "due_days": due_days}
    )
    try:
        with transaction.atomic():
            item = FeeItem.objects.create(community=community, **values)
    except IntegrityError:
        raise _name_taken() from None
    audit.record(
        actor=actor, action="create", obj=item, community_id=community.pk, after=fee_item_snapshot(item)
    )
    return item


def _name_taken() -> Conflict:
    return Conflict("fee_item_name_taken", _("本小区已有同名收费项目"), fields={"name": _("名称已被使用")})


@transaction.atomic
def do_update_fee_item(*, actor: User, fee_item: FeeItem, **changes) -> FeeItem:
    """Name, cycle, payer rule, due days and active; the kind of an item with bills stays."""
    require(actor, Action.BILLING_SETUP, fee_item.community_id)
    unknown = set(changes) - set(FEE_ITEM_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {unknown}")
    before = fee_item_snapshot(fee_item)
    values = _clean_fee_item(before | changes)
    if values["kind"] != fee_item.kind and Bill.objects.filter(fee_item=fee_item).exists():
        raise Conflict("fee_item_in_use", _("该收费项目已有账单，不能修改类型"), fields={"kind": ""})
    try:
        with transaction.atomic():
            FeeItem.objects.filter(pk=fee_item.pk).update(**values, updated_at=timezone.now())
    except IntegrityError:
        raise _name_taken() from None
    fee_item.refresh_from_db()
    audit.record_change(
        actor=actor,
        obj=fee_item,
        community_id=fee_item.community_id,
        before=before,
        snapshot=fee_item_snapshot,
    )
    return fee_item


# --- standards ----------------------------------------------------------------------------------


def clean_price(value, field: str = "unit_price_fen") -> Decimal:
    """A price in fen: not negative, at most 4 decimal places (0.5283 元/kWh is 52.83 fen)."""
    try:
        price = Decimal(str(value))
    except ArithmeticError:
        price = Decimal(-1)
    if not price.is_finite() or price < 0 or price >= MAX_PRICE or price != price.quantize(PRICE_PLACES):
        raise ServiceError(
            "invalid_price",
            _("单价应为不小于0的数（单位：分，最多4位小数）"),
            fields={field: _("单价不正确")},
        )
    return price


def clean_tiers(tiers) -> list:
    """[[up_to, price], …, [None, price]]: tops rising, the last tier open."""
    bad = ServiceError(
        "invalid_tiers",
        _("阶梯价格式应为 [[上限, 单价], …, [null, 单价]]：上限递增，最后一档不设上限"),
        fields={"tiers": _("阶梯价不正确")},
    )
    if not tiers:
        return []
    if not isinstance(tiers, list) or len(tiers) > MAX_TIERS:
        raise bad
    cleaned, floor = [], Decimal(0)
    for index, tier in enumerate(tiers):
        if not isinstance(tier, list | tuple) or len(tier) != 2:
            raise bad
        up_to, price = tier
        last = index == len(tiers) - 1
        if last != (up_to is None):
            raise bad
        if up_to is not None:
            try:
                top = Decimal(str(up_to))
            except ArithmeticError:
                raise bad from None
            if not top.is_finite() or top <= floor or top >= MAX_PRICE:
                raise bad
            floor = top
        try:
            cleaned.append([None if up_to is None else str(up_to), str(clean_price(price, "tiers"))])
        except ServiceError:
            raise bad from None
    return cleaned


def _clean_standard(item: FeeItem, values: dict) -> dict:
    if values["house_type"] not in ("", *HouseType.values):
        raise ServiceError("invalid_house_type", _("房屋类型不正确"), fields={"house_type": ""})
    start, end = values["effective_from"], values["effective_to"]
    if end is not None and end < start:
        raise ServiceError(
            "invalid_dates", _("截止日期不能早于生效日期"), fields={"effective_to": _("早于生效日期")}
        )
    values["unit_price_fen"] = clean_price(values["unit_price_fen"])
    if values["tiers"] and item.kind not in METERED:
        raise ServiceError("invalid_tiers", _("只有水、电、燃气费可以设阶梯价"), fields={"tiers": ""})
    values["tiers"] = clean_tiers(values["tiers"])
    if item.kind == FeeKind.PARKING_TEMPORARY and not 1 <= values["period_minutes"] <= 24 * 60:
        raise ServiceError(
            "invalid_period_minutes", _("计费时段应为1到1440分钟"), fields={"period_minutes": ""}
        )
    cap = values["daily_cap_fen"]  # a cap of 0: parking past the free minutes costs nothing
    values["daily_cap_fen"] = (
        None if cap is None else amounts.fen(cap, field="daily_cap_fen", allow_zero=True)
    )
    values["basis"] = (values.get("basis") or "").strip()
    return values


def _overlap(item: FeeItem, house_type: str, start: date, end: date | None, exclude: int | None = None):
    """The version of the item and house type whose dates meet [start, end], if any."""
    others = FeeStandard.objects.filter(fee_item=item, house_type=house_type)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    meets = Q(effective_to__isnull=True) | Q(effective_to__gte=start)
    if end is not None:
        meets &= Q(effective_from__lte=end)
    return others.filter(meets).order_by("effective_from").first()


def standards_in_force(fee_item: FeeItem, on: date) -> dict[str, FeeStandard]:
    """Published versions in force on `on`, by house type ("" for all types): what a bill may
    use, whether a billing run's or a one-off charge's."""
    rows = FeeStandard.objects.filter(
        fee_item=fee_item, published_at__isnull=False, effective_from__lte=on
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    return {s.house_type: s for s in rows}


def _overlap_error(other: FeeStandard) -> Conflict:
    until = other.effective_to.isoformat() if other.effective_to else gettext("长期")
    return Conflict(
        "standard_overlap",
        _("与第%(v)d版标准（%(start)s 至 %(end)s）的生效期重叠")
        % {"v": other.version, "start": other.effective_from.isoformat(), "end": until},
        fields={"effective_from": _("生效期重叠")},
    )


def _in_use_error() -> Conflict:
    return Conflict("standard_in_use", _("该标准已公布或已用于出账，不能修改，请新建版本"))


@transaction.atomic
def do_create_standard(
    *,
    actor: User,
    fee_item: FeeItem,
    effective_from: date,
    unit_price_fen,
    house_type: str = "",
    effective_to: date | None = None,
    tiers: list | None = None,
    free_minutes: int = 0,
    period_minutes: int = 60,
    daily_cap_fen: int | None = None,
    basis: str = "",
) -> FeeStandard:
    require(actor, Action.BILLING_SETUP, fee_item.community_id)
    item = FeeItem.objects.select_for_update().get(pk=fee_item.pk)  # versions are numbered one by one
    values = _clean_standard(
        item,
        {
            "house_type": house_type,
            "effective_from": effective_from,
            "effective_to": effective_to,
            "unit_price_fen": unit_price_fen,
            "tiers": tiers or [],
            "free_minutes": free_minutes,
            "period_minutes": period_minutes,
            "daily_cap_fen": daily_cap_fen,
            "basis": basis,
        },
    )
    other = _overlap(item, house_type, effective_from, effective_to)
    if other is not None:
        _succeed(actor, other, effective_from)
    version = (FeeStandard.objects.filter(fee_item=item).aggregate(v=Max("version"))["v"] or 0) + 1
    standard = FeeStandard.objects.create(
        fee_item=item, community_id=item.community_id, version=version, created_by=actor, **values
    )
    audit.record(
        actor=actor,
        action="create",
        obj=standard,
        community_id=item.community_id,
        after=standard_snapshot(standard),
    )
    return standard


def _succeed(actor: User, other: FeeStandard, start: date) -> None:
    """A new version after an open-ended one that started earlier closes it the day before, unless
    a bill already used it past that day; anything else is an overlap."""
    if other.effective_to is not None or other.effective_from >= start:
        raise _overlap_error(other)
    if Bill.objects.filter(standard=other, period_start__gte=start).exists():
        raise Conflict(
            "standard_in_use",
            _("第%(v)d版标准已用于%(d)s以后的账单，新版本不能从该日生效") % {"v": other.version, "d": start},
        )
    before = standard_snapshot(other)
    FeeStandard.objects.filter(pk=other.pk).update(
        effective_to=start - timedelta(days=1), updated_at=timezone.now()
    )
    other.refresh_from_db()
    audit.record_change(
        actor=actor, obj=other, community_id=other.community_id, before=before, snapshot=standard_snapshot
    )


@transaction.atomic
def do_update_standard(*, actor: User, standard: FeeStandard, **changes) -> FeeStandard:
    """Edit a draft: refused once published or used by a bill (make a new version instead)."""
    require(actor, Action.BILLING_SETUP, standard.community_id)
    unknown = set(changes) - set(STANDARD_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {unknown}")
    item = FeeItem.objects.select_for_update().get(pk=standard.fee_item_id)
    current = FeeStandard.objects.get(pk=standard.pk)
    if current.published_at is not None or Bill.objects.filter(standard=current).exists():
        raise _in_use_error()
    before = standard_snapshot(current)
    values = _clean_standard(item, {**before, **changes})
    other = _overlap(
        item, current.house_type, values["effective_from"], values["effective_to"], exclude=current.pk
    )
    if other is not None:
        raise _overlap_error(other)
    updated = FeeStandard.objects.filter(pk=current.pk, published_at__isnull=True).update(
        **{f: values[f] for f in STANDARD_FIELDS}, updated_at=timezone.now()
    )
    if not updated:
        raise _in_use_error()
    current.refresh_from_db()
    audit.record_change(
        actor=actor, obj=current, community_id=current.community_id, before=before, snapshot=standard_snapshot
    )
    return current


def price_text(kind: str, price_fen: Decimal, tiers: list) -> str:
    """The price as an owner reads it: 2.50 元/㎡·月, tiers one by one."""
    units: dict[str, str] = {
        FeeKind.PROPERTY: gettext("元/㎡·月"),
        FeeKind.PARKING_MONTHLY: gettext("元/月"),
        FeeKind.PARKING_TEMPORARY: gettext("元/时段"),
        FeeKind.WATER: gettext("元/m³"),
        FeeKind.GAS: gettext("元/m³"),
        FeeKind.ELECTRICITY: gettext("元/kWh"),
    }
    unit = units.get(kind, gettext("元"))

    def yuan(fen) -> str:
        return f"{(Decimal(str(fen)) / 100).normalize():f}"

    if tiers:
        return "；".join(
            (
                gettext("%(top)s以上") % {"top": tiers[i - 1][0]}
                if up_to is None
                else gettext("%(top)s以内") % {"top": up_to}
            )
            + f" {yuan(p)} {unit}"
            for i, (up_to, p) in enumerate(tiers)
        )
    return f"{yuan(price_fen)} {unit}"


def owner_user_ids(community_id: int, house_type: str = "") -> list[int]:
    """The accounts of the community's owners today (of houses of one type, if given)."""
    owners = Occupancy.objects.active().filter(
        house__community_id=community_id, relation__in=OWNING, person__user_id__isnull=False
    )
    if house_type:
        owners = owners.filter(house__type=house_type)
    return list(owners.values_list("person__user_id", flat=True).distinct())


@transaction.atomic
def do_publish_standard(*, actor: User, standard: FeeStandard) -> FeeStandard:
    """Publish a version: from now owners see it, and each is told in the app, with the cost
    basis, before it applies. Publishing twice is refused."""
    require(actor, Action.BILLING_SETUP, standard.community_id)
    now = timezone.now()
    if not FeeStandard.objects.filter(pk=standard.pk, published_at__isnull=True).update(published_at=now):
        raise Conflict("standard_already_published", _("该标准已公布"))
    standard.refresh_from_db()
    item = standard.fee_item
    scope = HouseType(standard.house_type).label if standard.house_type else gettext("全部房屋")
    body = gettext("%(item)s（%(scope)s）自%(day)s起按 %(price)s 收取。") % {
        "item": item.name,
        "scope": scope,
        "day": standard.effective_from.isoformat(),
        "price": price_text(item.kind, standard.unit_price_fen, standard.tiers),
    }
    if standard.basis:
        body += gettext("测算依据：%(basis)s") % {"basis": standard.basis}
    told = notify(
        users=owner_user_ids(standard.community_id, standard.house_type),
        kind="billing.standard",
        title=gettext("收费标准公示：%(item)s") % {"item": item.name},
        body=body,
        community_id=standard.community_id,
    )
    audit.record(
        actor=actor,
        action="publish",
        obj=standard,
        community_id=standard.community_id,
        after={"version": standard.version, "owners_told": told},
    )
    return standard
