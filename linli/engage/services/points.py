"""The points ledger (ENG-6): accounts, entries, earning rules, awards and expiry.

Every change of a balance is one conditional update of the account's row (`balance >= amount`
for a debit) in the same transaction as the entry that explains it, so two debits racing for the
last points cannot both pass, and a check constraint stands behind the condition. An entry is
never changed: corrections are entries of their own. An award names its source (`source_ref`,
unique in the community), so a second call for the same source returns the first entry.

Expiry is first in, first out: debits consume the oldest credits first, so what has expired and
was not spent is the credits expired so far minus everything debited so far (expiry entries
included). That figure only grows, which makes it the expiry entry's own source: two runs write
one entry.
"""

from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, NotFound, ServiceError
from linli.core.permissions import may, require
from linli.core.roles import Action
from linli.engage.choices_points import EntryKind, ExpiryPolicy, RuleKind, VolunteerStatus
from linli.engage.models import EarningRule, PointsAccount, PointsEntry, PointsPolicy, VolunteerLog
from linli.registry import queries as registry_queries

DEFAULT_RULES = (
    # (code, kind, name, points, daily limit)
    ("volunteer", RuleKind.VOLUNTEER, _("志愿服务每小时"), 10, 0),
    ("garbage", RuleKind.GARBAGE, _("垃圾分类打卡"), 2, 1),
    ("activity", RuleKind.ACTIVITY, _("参加社区活动"), 5, 0),
)
MAX_HOURS = Decimal("12")


def insufficient(price: int, balance: int) -> Conflict:
    return Conflict(
        "insufficient_points",
        _("积分不足：需要%(price)s积分，当前余额%(balance)s积分") % {"price": price, "balance": balance},
    )


# --- policy and rules --------------------------------------------------------------------------


def policy_of(community_id: int) -> PointsPolicy:
    """The community's settings, or the defaults (unsaved) until staff change them."""
    return PointsPolicy.objects.filter(community_id=community_id).first() or PointsPolicy(
        community_id=community_id
    )


@transaction.atomic
def do_set_policy(*, actor: Actor, community_id: int, expiry: str, appeal_days: int) -> PointsPolicy:
    require(actor, Action.POINTS_MANAGE, community_id)
    if expiry not in ExpiryPolicy.values:
        raise ServiceError("invalid_expiry", _("过期规则无效"), fields={"expiry": expiry})
    policy, _created = PointsPolicy.objects.update_or_create(
        community_id=community_id, defaults={"expiry": expiry, "appeal_days": appeal_days}
    )
    audit.record(actor=actor, action="engage.points_policy_set", obj=policy, community_id=community_id)
    return policy


def expires_at(policy: PointsPolicy, at: datetime) -> datetime | None:
    """When points credited at `at` expire: at the end of the following year (local time)."""
    if policy.expiry == ExpiryPolicy.NEVER:
        return None
    local = timezone.localtime(at)
    return datetime(local.year + 2, 1, 1, tzinfo=local.tzinfo)


@transaction.atomic
def do_create_rule(
    *, actor: Actor, community_id: int, code: str, kind: str, name: str, points: int, daily_limit: int = 0
) -> EarningRule:
    require(actor, Action.POINTS_MANAGE, community_id)
    if kind not in RuleKind.values:
        raise ServiceError("invalid_rule_kind", _("规则类型无效"), fields={"kind": kind})
    try:
        with transaction.atomic():
            rule = EarningRule.objects.create(
                community_id=community_id,
                code=code.strip(),
                kind=kind,
                name=name.strip(),
                points=points,
                daily_limit=daily_limit,
            )
    except IntegrityError:
        raise Conflict("rule_code_exists", _("规则代码已存在"), fields={"code": code}) from None
    audit.record(actor=actor, action="engage.points_rule_created", obj=rule, community_id=community_id)
    return rule


@transaction.atomic
def do_update_rule(*, actor: Actor, rule: EarningRule, **changes) -> EarningRule:
    """Name, points, daily limit or active; the code stays (sources name it)."""
    require(actor, Action.POINTS_MANAGE, rule.community_id)
    before = _rule_snapshot(rule)
    for field in RULE_FIELDS:
        if changes.get(field) is not None:
            setattr(rule, field, changes[field])
    rule.save()
    audit.record_change(
        actor=actor,
        action="engage.points_rule_changed",
        obj=rule,
        community_id=rule.community_id,
        before=before,
        snapshot=_rule_snapshot,
    )
    return rule


RULE_FIELDS = ("name", "points", "daily_limit", "active")


def _rule_snapshot(rule: EarningRule) -> dict:
    return {field: getattr(rule, field) for field in RULE_FIELDS}


def seed_default_rules(community_id: int) -> None:
    """The three rules every community starts with (the demo, a new community's first visit)."""
    for code, kind, name, points, limit in DEFAULT_RULES:
        EarningRule.objects.get_or_create(
            community_id=community_id,
            code=code,
            defaults={"kind": kind, "name": str(name), "points": points, "daily_limit": limit},
        )


# --- the ledger --------------------------------------------------------------------------------


def account_for(community_id: int, house_id: int) -> PointsAccount:
    """The household's account, opened on first use."""
    found = PointsAccount.objects.filter(house_id=house_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PointsAccount.objects.create(community_id=community_id, house_id=house_id)
    except IntegrityError:  # opened by a concurrent first use
        return PointsAccount.objects.get(house_id=house_id)


def post_entry(
    *,
    account: PointsAccount,
    amount: int,
    kind: str,
    reason: str,
    text: "str | StrPromise",
    actor: Actor | None,
    source_ref: str = "",
    on_behalf: bool = False,
    now: datetime | None = None,
) -> PointsEntry:
    """One entry and the balance it moves; the caller holds the transaction. A debit the
    balance cannot cover raises `insufficient_points` and writes nothing."""
    now = now or timezone.now()
    rows = PointsAccount.objects.filter(pk=account.pk)
    if amount < 0:
        rows = rows.filter(balance__gte=-amount)
    if not rows.update(balance=F("balance") + amount, updated_at=now):
        balance = PointsAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
        raise insufficient(-amount, balance)
    balance = PointsAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
    account.balance = balance
    return PointsEntry.objects.create(
        community_id=account.community_id,
        account=account,
        house_id=account.house_id,
        kind=kind,
        amount=amount,
        balance_after=balance,
        reason=reason,
        text=str(text)[:200],
        actor=actor,
        on_behalf=on_behalf,
        source_ref=source_ref,
        expires_at=expires_at(policy_of(account.community_id), now) if amount > 0 else None,
        created_at=now,
    )


def _house(community_id: int, house_id: int | None, person_id: int | None) -> int:
    if person_id is not None:
        found = registry_queries.current_house_of(person_id, community_id, house_id)
        if found is None:
            raise ServiceError("no_household", _("该居民在本小区没有住房，无法记入积分"))
        return found
    if house_id is None or registry_queries.house_in(community_id, house_id) is None:
        raise ServiceError("unknown_house", _("房屋不存在"), fields={"house_id": house_id})
    return house_id


def _rule(community_id: int, *, code: str | None = None, kind: str | None = None) -> EarningRule:
    rules = EarningRule.objects.filter(community_id=community_id, active=True)
    rule = rules.filter(code=code).first() if code else rules.filter(kind=kind).order_by("id").first()
    if rule is None:
        raise ServiceError("unknown_rule", _("积分规则不存在或已停用"), fields={"rule_code": code or kind})
    return rule


def _awarded_today(account: PointsAccount, rule: EarningRule, now: datetime) -> int:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return PointsEntry.objects.filter(
        account=account,
        reason=rule.code,
        kind=EntryKind.EARN,
        created_at__gte=start,
        created_at__lt=start + timedelta(days=1),
    ).count()


def _award(
    *,
    actor: Actor | None,
    rule: EarningRule,
    house_id: int,
    source_ref: str,
    amount: int,
    text: "str | StrPromise",
    now: datetime,
) -> PointsEntry:
    """Credits `amount` for `rule` once per source; the caller holds the transaction."""
    community_id = rule.community_id
    existing = PointsEntry.objects.filter(community_id=community_id, source_ref=source_ref).first()
    if existing is not None:
        if existing.house_id != house_id:
            raise Conflict(
                "source_ref_used", _("该来源已为其他住户记过积分"), fields={"source_ref": source_ref}
            )
        return existing
    account = account_for(community_id, house_id)
    if rule.daily_limit:
        # Counting and crediting under the account's row lock: two check-ins at once cannot
        # both be the last one allowed today.
        PointsAccount.objects.select_for_update().filter(pk=account.pk).first()
        if _awarded_today(account, rule, now) >= rule.daily_limit:
            raise ServiceError(
                "daily_limit_reached",
                _("该住户今日“%(rule)s”已达上限(%(limit)s次)")
                % {"rule": rule.name, "limit": rule.daily_limit},
            )
    try:
        with transaction.atomic():
            entry = post_entry(
                account=account,
                amount=amount,
                kind=EntryKind.EARN,
                reason=rule.code,
                text=text or rule.name,
                actor=actor,
                source_ref=source_ref,
                now=now,
            )
    except IntegrityError:  # the same source credited at the same moment: theirs stands
        return PointsEntry.objects.get(community_id=community_id, source_ref=source_ref)
    audit.record(actor=actor, action="engage.points_awarded", obj=entry, community_id=community_id)
    return entry


@transaction.atomic
def do_award(
    *,
    actor: Actor | None,
    community_id: int,
    rule_code: str,
    source_ref: str,
    house_id: int | None = None,
    person_id: int | None = None,
    units: int = 1,
    text: str = "",
    now: datetime | None = None,
) -> PointsEntry:
    """Credits a household `units` times the rule's points, once per `source_ref` (a second call
    returns the first entry). For other areas and periodic jobs: the activities area calls it when
    a resident's attendance is checked (rule "activity", source "activity-attendance:<id>").
    `actor` None is the system; a person must run points or activities in the community."""
    now = now or timezone.now()
    if actor is not None and not (
        may(actor, Action.POINTS_MANAGE, community_id) or may(actor, Action.ENGAGE_RUN, community_id)
    ):
        raise Forbidden()
    if not source_ref.strip():
        raise ServiceError("source_required", _("请注明积分来源"), fields={"source_ref": _("必填")})
    if units < 1:
        raise ServiceError("invalid_units", _("数量应大于0"), fields={"units": units})
    rule = _rule(community_id, code=rule_code)
    house = _house(community_id, house_id, person_id)
    return _award(
        actor=actor,
        rule=rule,
        house_id=house,
        source_ref=source_ref.strip(),
        amount=rule.points * units,
        text=text,
        now=now,
    )


@transaction.atomic
def do_record_garbage_checkin(
    *, actor: Actor | None, community_id: int, house_id: int, now: datetime | None = None
) -> PointsEntry:
    """A household's garbage-sorting check-in, recorded by staff at the bins or by a device
    (`actor` None), credited up to the rule's daily limit."""
    now = now or timezone.now()
    house = registry_queries.house_in(community_id, house_id)
    if house is None:
        raise NotFound()
    if actor is not None:
        require(actor, Action.POINTS_MANAGE, community_id, house.building_id)
    rule = _rule(community_id, kind=RuleKind.GARBAGE)
    account = account_for(community_id, house_id)
    PointsAccount.objects.select_for_update().filter(pk=account.pk).first()
    count = _awarded_today(account, rule, now)
    day = timezone.localdate(now)
    source_ref = f"garbage:{house_id}:{day.isoformat()}:{count + 1}"
    return _award(
        actor=actor, rule=rule, house_id=house_id, source_ref=source_ref, amount=rule.points, text="", now=now
    )


@transaction.atomic
def do_adjust_points(*, actor: Actor, account: PointsAccount, amount: int, text: str) -> PointsEntry:
    """A correction by staff: a new entry, never an edited one."""
    require(actor, Action.POINTS_MANAGE, account.community_id)
    if amount == 0:
        raise ServiceError("zero_amount", _("调整积分不能为0"), fields={"amount": amount})
    if not text.strip():
        raise ServiceError("reason_required", _("请填写调整原因"), fields={"text": _("必填")})
    entry = post_entry(
        account=account, amount=amount, kind=EntryKind.ADJUST, reason="adjust", text=text.strip(), actor=actor
    )
    audit.record(actor=actor, action="engage.points_adjusted", obj=entry, community_id=account.community_id)
    return entry


# --- volunteer hours ---------------------------------------------------------------------------


@transaction.atomic
def do_log_volunteer_hours(
    *, actor: Actor, house_id: int, day, hours: Decimal, description: str
) -> VolunteerLog:
    """A resident's hours of volunteering, for the household's account once staff confirm them."""
    house = registry_queries.my_houses(actor).filter(pk=house_id).first()
    if house is None:
        raise NotFound()
    community_id = house.community_id
    hours = Decimal(hours)
    if day > timezone.localdate():
        raise ServiceError("future_day", _("服务日期不能晚于今天"), fields={"day": str(day)})
    if hours <= 0 or hours > MAX_HOURS or (hours * 2) % 1:
        raise ServiceError(
            "invalid_hours", _("时长应为0.5到12小时，以半小时计"), fields={"hours": str(hours)}
        )
    log = VolunteerLog.objects.create(
        community_id=community_id,
        house_id=house_id,
        logged_by=actor,
        day=day,
        hours=hours,
        description=description.strip(),
    )
    audit.record(actor=actor, action="engage.volunteer_logged", obj=log, community_id=community_id)
    return log


def _decide(log: VolunteerLog, actor: Actor, status: str, **fields) -> None:
    require(actor, Action.POINTS_MANAGE, log.community_id, log.house.building_id)
    now = timezone.now()
    done = VolunteerLog.objects.filter(pk=log.pk, status=VolunteerStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=now, updated_at=now, **fields
    )
    if not done:
        raise Conflict("already_decided", _("该记录已处理"))


@transaction.atomic
def do_confirm_volunteer(*, actor: Actor, log: VolunteerLog) -> VolunteerLog:
    """Staff confirm the hours: the household earns the volunteer rule's points per hour
    (whole points, rounded down)."""
    rule = _rule(log.community_id, kind=RuleKind.VOLUNTEER)
    points = int((log.hours * rule.points).to_integral_value(rounding=ROUND_FLOOR))
    _decide(log, actor, VolunteerStatus.CONFIRMED, points=points)
    if points:
        _award(
            actor=actor,
            rule=rule,
            house_id=log.house_id,
            source_ref=f"volunteer:{log.pk}",
            amount=points,
            text=_("志愿服务%(hours)s小时：%(what)s") % {"hours": log.hours, "what": log.description},
            now=timezone.now(),
        )
    audit.record(actor=actor, action="engage.volunteer_confirmed", obj=log, community_id=log.community_id)
    log.refresh_from_db()
    return log


@transaction.atomic
def do_reject_volunteer(*, actor: Actor, log: VolunteerLog, note: str) -> VolunteerLog:
    if not note.strip():
        raise ServiceError("reason_required", _("请填写不通过的原因"), fields={"note": _("必填")})
    _decide(log, actor, VolunteerStatus.REJECTED, note=note.strip())
    audit.record(actor=actor, action="engage.volunteer_rejected", obj=log, community_id=log.community_id)
    log.refresh_from_db()
    return log


# --- expiry ------------------------------------------------------------------------------------


def expire_due(now: datetime) -> int:
    """Writes the expiry entries due at `now`, oldest credits first; returns how many."""
    written = 0
    candidates = (
        PointsEntry.objects.filter(amount__gt=0, expires_at__lte=now)
        .values_list("account_id", flat=True)
        .distinct()
    )
    for account in PointsAccount.objects.filter(pk__in=list(candidates)):
        totals = PointsEntry.objects.filter(account=account).aggregate(
            expired=Sum("amount", filter=Q(amount__gt=0, expires_at__lte=now), default=0),
            debited=Sum("amount", filter=Q(amount__lt=0), default=0),
        )
        due = totals["expired"] + totals["debited"]
        if due <= 0:
            continue
        try:
            with transaction.atomic():
                post_entry(
                    account=account,
                    amount=-due,
                    kind=EntryKind.EXPIRE,
                    reason="expiry",
                    text=_("积分过期"),
                    actor=None,
                    source_ref=f"expiry:{account.pk}:{totals['expired']}",
                    now=now,
                )
        except (IntegrityError, Conflict):  # another run wrote it, or a debit came first: next run
            continue
        written += 1
    return written
