"""The community convention (社区公约) and violations of it (ENG-6).

Staff publish the convention as numbered versions; a violation cites the version in force and an
article, with a note and a photo, and tells the household. The household may appeal until the
community's appeal window closes; an appeal is decided by someone holding `appeal.decide`. Points
are deducted only once nothing can change the outcome: the window passed with no appeal, or the
appeal was rejected. An appeal is told to the staff who may decide it, the decision to the
household. The deduction moves the violation out of those states by a conditional
update in the transaction that writes its entry (source "violation:<id>"), so it happens once
however many jobs run. It is capped at the balance, which never goes negative.
"""

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.permissions import require
from linli.core.queries import staff_user_ids
from linli.core.roles import Action
from linli.engage.choices_points import AppealDecision, EntryKind, ViolationStatus
from linli.engage.models import ConventionVersion, PointsAccount, Violation
from linli.engage.services.points import account_for, policy_of, post_entry
from linli.notify.services import notify
from linli.registry import queries as registry_queries
from linli.workorders.services import attachments

NOTICE_KIND = "engage.violation"
APPEAL_KIND = "engage.appeal"


@transaction.atomic
def do_publish_convention(
    *, actor: Actor, community_id: int, title: str, body: str, changes: str = ""
) -> ConventionVersion:
    """A new version; the previous ones stay readable as the history."""
    require(actor, Action.POINTS_MANAGE, community_id)
    if not body.strip():
        raise ServiceError("body_required", _("请填写公约正文"), fields={"body": _("必填")})
    last = ConventionVersion.objects.filter(community_id=community_id).aggregate(n=Max("number"))["n"] or 0
    try:
        with transaction.atomic():
            version = ConventionVersion.objects.create(
                community_id=community_id,
                number=last + 1,
                title=title.strip(),
                body=body.strip(),
                changes=changes.strip(),
                published_at=timezone.now(),
                published_by=actor,
            )
    except IntegrityError:
        raise Conflict("convention_published_meanwhile", _("公约刚刚已被他人修订，请刷新后重试")) from None
    audit.record(actor=actor, action="engage.convention_published", obj=version, community_id=community_id)
    return version


def current_version(community_id: int) -> ConventionVersion | None:
    return ConventionVersion.objects.filter(community_id=community_id).order_by("-number").first()


def _tell(violation: Violation, title: str, body: str) -> None:
    notify(
        users=registry_queries.household_user_ids(violation.house_id),
        kind=NOTICE_KIND,
        title=title,
        body=body,
        link=reverse("engage:convention_my_violation", args=[violation.pk]),
        community_id=violation.community_id,
    )


def _store_photo(community_id: int, data: bytes) -> str:
    if len(data) > attachments.MAX_PHOTO_BYTES:
        raise ServiceError("file_too_large", _("照片过大"), fields={"file": _("文件过大")})
    content, _position = attachments.reencode_photo(data)  # EXIF and its position are dropped
    name = f"convention/{community_id}/{secrets.token_hex(16)}.jpg"
    path = attachments.media_root() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return name


def read_photo(violation: Violation) -> bytes:
    return (attachments.media_root() / violation.photo).read_bytes()


@transaction.atomic
def do_record_violation(
    *,
    actor: Actor,
    community_id: int,
    house_id: int,
    article: str,
    note: str,
    points: int,
    photo: bytes | None = None,
    now: datetime | None = None,
) -> Violation:
    """A violation against a household, citing an article of the convention in force; the
    household is told and may appeal within the community's window."""
    now = now or timezone.now()
    house = registry_queries.house_in(community_id, house_id)
    if house is None:
        raise NotFound()
    require(actor, Action.POINTS_MANAGE, community_id, house.building_id)
    version = current_version(community_id)
    if version is None:
        raise ServiceError("no_convention", _("请先发布社区公约"))
    if not article.strip() or not note.strip():
        raise ServiceError("evidence_required", _("请注明违反的条款和情况说明"), fields={"note": _("必填")})
    violation = Violation.objects.create(
        community_id=community_id,
        house_id=house_id,
        version=version,
        article=article.strip(),
        note=note.strip(),
        points=points,
        photo=_store_photo(community_id, photo) if photo else "",
        recorded_by=actor,
        appeal_deadline=now + timedelta(days=policy_of(community_id).appeal_days),
    )
    deadline = timezone.localtime(violation.appeal_deadline)
    _tell(
        violation,
        _("违约记录：%(article)s") % {"article": violation.article},
        _("您家被记录违反社区公约%(article)s，拟扣%(points)s积分。如有异议，请在%(deadline)s前申诉。")
        % {"article": violation.article, "points": points, "deadline": f"{deadline:%m月%d日 %H:%M}"},
    )
    audit.record(actor=actor, action="engage.violation_recorded", obj=violation, community_id=community_id)
    return violation


@transaction.atomic
def do_attach_violation_photo(*, actor: Actor, violation: Violation, data: bytes) -> Violation:
    require(actor, Action.POINTS_MANAGE, violation.community_id, violation.house.building_id)
    if violation.photo:
        raise Conflict("photo_exists", _("该记录已有照片"))
    violation.photo = _store_photo(violation.community_id, data)
    violation.save(update_fields=["photo", "updated_at"])
    audit.record(
        actor=actor, action="engage.violation_photo", obj=violation, community_id=violation.community_id
    )
    return violation


@transaction.atomic
def do_appeal(*, actor: Actor, violation: Violation, reason: str, now: datetime | None = None) -> Violation:
    """The household's appeal, once, inside the window."""
    now = now or timezone.now()
    if not registry_queries.lives_in(actor, violation.house_id):
        raise NotFound()
    if not reason.strip():
        raise ServiceError("reason_required", _("请填写申诉理由"), fields={"reason": _("必填")})
    done = Violation.objects.filter(
        pk=violation.pk, status=ViolationStatus.RECORDED, appeal_deadline__gt=now
    ).update(
        status=ViolationStatus.APPEALED,
        appeal_reason=reason.strip(),
        appealed_at=now,
        appealed_by=actor,
        updated_at=now,
    )
    if not done:
        violation.refresh_from_db()
        if violation.status == ViolationStatus.RECORDED:
            raise Conflict("appeal_window_closed", _("申诉期已过，不能再申诉"))
        raise Conflict("already_appealed", _("该记录已申诉或已处理"))
    audit.record(
        actor=actor, action="engage.violation_appealed", obj=violation, community_id=violation.community_id
    )
    violation.refresh_from_db()
    _tell_deciders(violation)
    return violation


def _tell_deciders(violation: Violation) -> None:
    """Whoever may decide the appeal: appeal.decide over the whole community (a role narrowed
    to a building cannot decide one)."""
    notify(
        users=staff_user_ids(violation.community_id, Action.APPEAL_DECIDE, narrowed=False),
        kind=APPEAL_KIND,
        title=str(_("新申诉：%(article)s") % {"article": violation.article}),
        body=str(
            _("%(house)s 申诉理由：%(reason)s")
            % {"house": violation.house.label, "reason": violation.appeal_reason[:200]}
        ),
        link=reverse("engage:staff_appeals", args=[violation.community_id]),
        community_id=violation.community_id,
    )


@transaction.atomic
def do_decide_appeal(
    *, actor: Actor, violation: Violation, decision: str, note: str, now: datetime | None = None
) -> Violation:
    """Upheld: the violation stands and its points are deducted now; overturned: it is void."""
    now = now or timezone.now()
    require(actor, Action.APPEAL_DECIDE, violation.community_id)
    if decision not in AppealDecision.values:
        raise ServiceError("invalid_decision", _("处理结果无效"), fields={"decision": decision})
    if not note.strip():
        raise ServiceError("reason_required", _("请填写处理意见"), fields={"note": _("必填")})
    status = ViolationStatus.UPHELD if decision == AppealDecision.UPHELD else ViolationStatus.OVERTURNED
    done = Violation.objects.filter(pk=violation.pk, status=ViolationStatus.APPEALED).update(
        status=status,
        decision=decision,
        decision_note=note.strip(),
        decided_by=actor,
        decided_at=now,
        updated_at=now,
    )
    if not done:
        raise Conflict("not_appealed", _("该记录没有待处理的申诉"))
    violation.refresh_from_db()
    _tell(
        violation,
        _("申诉结果：%(result)s") % {"result": violation.get_decision_display()},
        note.strip(),
    )
    audit.record(
        actor=actor, action="engage.appeal_decided", obj=violation, community_id=violation.community_id
    )
    if status == ViolationStatus.UPHELD:
        deduct(violation, now)
        violation.refresh_from_db()
    return violation


def _due(now: datetime) -> Q:
    return Q(status=ViolationStatus.RECORDED, appeal_deadline__lte=now) | Q(status=ViolationStatus.UPHELD)


def deduct(violation: Violation, now: datetime) -> bool:
    """Deducts a due violation's points once (capped at the balance); False if not due or done."""
    with transaction.atomic():
        account = account_for(violation.community_id, violation.house_id)
        balance = (
            PointsAccount.objects.select_for_update().values_list("balance", flat=True).get(pk=account.pk)
        )
        amount = min(violation.points, balance)
        done = Violation.objects.filter(_due(now), pk=violation.pk).update(
            status=ViolationStatus.DEDUCTED, deducted=amount, deducted_at=now, updated_at=now
        )
        if not done:
            return False
        if amount:
            post_entry(
                account=account,
                amount=-amount,
                kind=EntryKind.DEDUCT,
                reason="violation",
                text=_("违反社区公约%(article)s") % {"article": violation.article},
                actor=None,
                source_ref=f"violation:{violation.pk}",
                now=now,
            )
        audit.record(
            actor=None, action="engage.violation_deducted", obj=violation, community_id=violation.community_id
        )
    return True


def deduct_due(now: datetime) -> int:
    """The periodic job's work: every violation whose deduction is due; returns how many."""
    return sum(deduct(v, now) for v in Violation.objects.filter(_due(now)).order_by("id"))
