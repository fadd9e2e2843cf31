"""Activities (ENG-5): set up by staff holding engage.run; residents (owners, tenants and their
families) sign up for themselves and family members; a full activity puts them on the waiting
list, and a cancellation promotes the waiting list first come first served.

Seats move only by conditional updates of `Activity.seats_taken` (`seats_taken + n <=
capacity`), inside the transaction that writes the registration's status, so two sign-ups for
the last seat cannot both win whatever the database. Promotion stops at the first waiting party
that does not fit, so nobody is overtaken by a smaller party that came later.

Staff holding engage.run may cancel a resident's sign-up for them (代办: the audit entry names
whom they acted for, the resident is told) and cancel an activity with a reason: its status
moves by a conditional update, every live sign-up and the waiting list are cancelled and
everyone signed up is told why; sign-up and check-in are refused afterwards.

Check-in: the resident's phone shows a QR code of the registration's signed code
(`checkin_code`, Django's HMAC signer keyed by the site's secret, salted per purpose); staff at
the door scan or type it; it is accepted once, for that activity, for a confirmed registration.
"""

from datetime import datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.context import on_behalf_of
from linli.core.errors import Conflict, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.engage.choices_surveys import ActivityStatus, RegistrationStatus
from linli.engage.models import Activity, Registration
from linli.notify.services import notify
from linli.registry import queries as registry_queries

CHECKIN_SALT = "linli.engage.checkin"
LIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)


@transaction.atomic
def do_create_activity(
    *,
    actor: Actor,
    community_id: int,
    title: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    max_party: int = 4,
    description: str = "",
) -> Activity:
    require(actor, Action.ENGAGE_RUN, community_id)
    if ends_at <= starts_at:
        raise ServiceError("bad_dates", _("结束时间应晚于开始时间"), fields={"ends_at": _("应晚于开始时间")})
    if capacity < 1 or max_party < 1:
        raise ServiceError("bad_capacity", _("名额和每户人数至少为 1"), fields={"capacity": _("至少为 1")})
    activity = Activity.objects.create(
        community_id=community_id,
        title=title.strip(),
        description=description.strip(),
        place=place.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        max_party=max_party,
        created_by=actor,
    )
    audit.record(actor=actor, action="engage.activity_created", obj=activity, community_id=community_id)
    return activity


def _take_seats(activity_id: int, n: int) -> bool:
    """Only while the activity is open: a cancelled one gives no seats, whoever asks."""
    return bool(
        Activity.objects.filter(
            pk=activity_id, status=ActivityStatus.OPEN, seats_taken__lte=F("capacity") - n
        ).update(seats_taken=F("seats_taken") + n)
    )


def _closed() -> ServiceError:
    return ServiceError("activity_closed", _("活动已开始或已取消，不能报名"), status=409)


def home_in(actor: Actor, community_id: int):
    """One of the actor's homes in the community, or None: who may take part there."""
    return registry_queries.my_houses(actor).filter(community_id=community_id).first()


@transaction.atomic
def do_sign_up(*, actor: Actor, activity: Activity, party_size: int = 1) -> Registration:
    """The actor and `party_size - 1` family members: confirmed while seats last, else waiting.
    Refused: activity_closed (cancelled or started), not_resident, bad_party_size,
    already_signed_up."""
    if activity.status != ActivityStatus.OPEN or activity.starts_at <= timezone.now():
        raise _closed()
    house = home_in(actor, activity.community_id)
    if house is None:
        raise ServiceError("not_resident", _("仅本小区住户可以报名"), status=403)
    if not 1 <= party_size <= activity.max_party:
        raise ServiceError(
            "bad_party_size",
            _("每户最多 %(n)s 人") % {"n": activity.max_party},
            fields={"party_size": _("人数超出限制")},
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                activity=activity,
                community_id=activity.community_id,
                user=actor,
                house=house,
                name=actor.display_name or str(actor),
                party_size=party_size,
                status=RegistrationStatus.WAITING,
                queued_at=now,
            )
    except IntegrityError:
        raise Conflict("already_signed_up", _("您已报名或在候补中")) from None
    if _take_seats(activity.pk, party_size):
        Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CONFIRMED)
        registration.status = RegistrationStatus.CONFIRMED
    elif not Activity.objects.filter(pk=activity.pk, status=ActivityStatus.OPEN).exists():
        raise _closed()  # cancelled meanwhile: the registration rolls back with this transaction
    audit.record(actor=actor, action="engage.signed_up", obj=registration, community_id=activity.community_id)
    return registration


@transaction.atomic
def do_cancel_registration(*, actor: Actor, registration: Registration) -> list[Registration]:
    """The resident cancels, or staff holding engage.run in the activity's community cancel for
    them (代办: the audit entry names the resident, who is told); a confirmed party's seats go
    to the waiting list. Returns the registrations promoted."""
    on_behalf = registration.user_id != actor.pk
    if on_behalf:
        require(actor, Action.ENGAGE_RUN, registration.community_id)
    if registration.checked_in_at is not None:
        raise Conflict("already_checked_in", _("已签到，不能取消"))
    was = registration.status
    live = Registration.objects.filter(pk=registration.pk, status=was, checked_in_at__isnull=True)
    if was not in LIVE or not live.update(status=RegistrationStatus.CANCELLED, updated_at=timezone.now()):
        raise Conflict("not_registered", _("报名已取消"))
    promoted = []
    if was == RegistrationStatus.CONFIRMED:
        Activity.objects.filter(pk=registration.activity_id).update(
            seats_taken=F("seats_taken") - registration.party_size
        )
        promoted = _promote(registration.activity_id)
    registration.status = RegistrationStatus.CANCELLED
    with on_behalf_of(f"{registration.name}#{registration.user_id}" if on_behalf else ""):
        audit.record(
            actor=actor,
            action="engage.registration_cancelled",
            obj=registration,
            community_id=registration.community_id,
            after={"on_behalf_of": registration.user_id} if on_behalf else None,
        )
    if on_behalf:
        _tell(
            [registration.user_id],
            registration.activity,
            _("报名已取消：%(title)s"),
            _("工作人员已为您取消报名，如有疑问请联系物业。"),
        )
    return promoted


def _tell(users: list[int], activity: Activity, title, body) -> None:
    """Residents about an activity (kind engage.activity), linking to its page."""
    notify(
        users=users,
        kind="engage.activity",
        title=str(title % {"title": activity.title}),
        body=str(body),
        link=reverse("engage:activity", args=[activity.pk]),
        community_id=activity.community_id,
    )


@transaction.atomic
def do_cancel_activity(*, actor: Actor, activity: Activity, reason: str) -> Activity:
    """Staff holding engage.run cancel an activity with a reason: once (a conditional update of
    its status), before it ends; every live sign-up and the waiting list are cancelled and
    everyone signed up is told the reason. Refused: reason_required, activity_cancelled,
    activity_ended."""
    require(actor, Action.ENGAGE_RUN, activity.community_id)
    reason = reason.strip()
    if not reason:
        raise ServiceError("reason_required", _("请填写取消原因"), fields={"reason": _("必填")})
    now = timezone.now()
    if not Activity.objects.filter(pk=activity.pk, status=ActivityStatus.OPEN, ends_at__gt=now).update(
        status=ActivityStatus.CANCELLED,
        cancel_reason=reason,
        cancelled_at=now,
        cancelled_by=actor,
        seats_taken=0,
        updated_at=now,
    ):
        activity.refresh_from_db()
        if activity.status == ActivityStatus.CANCELLED:
            raise Conflict("activity_cancelled", _("活动已取消"))
        raise Conflict("activity_ended", _("活动已结束，不能取消"))
    # The status changed first, so no sign-up or promotion can add a live registration now.
    live = Registration.objects.filter(activity_id=activity.pk, status__in=LIVE)
    users = list(live.values_list("user_id", flat=True))
    live.update(status=RegistrationStatus.CANCELLED, updated_at=now)
    activity.refresh_from_db()
    audit.record(
        actor=actor,
        action="engage.activity_cancelled",
        obj=activity,
        community_id=activity.community_id,
        after={"reason": reason, "registrations_cancelled": len(users)},
    )
    _tell(users, activity, _("活动取消：%(title)s"), _("取消原因：%(reason)s") % {"reason": reason})
    return activity


def _promote(activity_id: int) -> list[Registration]:
    """First come first served, stopping at the first party that does not fit."""
    promoted: list[Registration] = []
    waiting = Registration.objects.filter(activity_id=activity_id, status=RegistrationStatus.WAITING)
    # The head only, again after each promotion: a long waiting list is never read whole.
    while (registration := waiting.order_by("queued_at", "id").first()) is not None:
        if not _take_seats(activity_id, registration.party_size):
            break
        if Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.WAITING).update(
            status=RegistrationStatus.CONFIRMED, updated_at=timezone.now()
        ):
            registration.status = RegistrationStatus.CONFIRMED
            promoted.append(registration)
        else:  # cancelled meanwhile: give the seats back
            Activity.objects.filter(pk=activity_id).update(
                seats_taken=F("seats_taken") - registration.party_size
            )
    if promoted:
        _tell(
            [r.user_id for r in promoted],
            Activity.objects.get(pk=activity_id),
            _("候补成功：%(title)s"),
            _("您已从候补转为正式报名，请按时参加。"),
        )
    return promoted


# --- check-in by QR ---------------------------------------------------------------------------


def checkin_code(registration: Registration) -> str:
    """What the resident's QR code carries: the activity and registration, signed."""
    return signing.Signer(salt=CHECKIN_SALT).sign(f"{registration.activity_id}.{registration.pk}")


def _registration_of(code: str, activity: Activity) -> Registration:
    try:
        value = signing.Signer(salt=CHECKIN_SALT).unsign(code.strip())
        activity_id, registration_id = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        raise ServiceError("bad_code", _("签到码无效"), fields={"code": _("无法识别")}) from None
    if activity_id != activity.pk:
        raise ServiceError("other_activity", _("这是其他活动的签到码"), fields={"code": _("不是本活动")})
    found = Registration.objects.filter(pk=registration_id, activity=activity).first()
    if found is None or found.status != RegistrationStatus.CONFIRMED:
        raise ServiceError("not_confirmed", _("该报名未确认或已取消"), status=409)
    return found


@transaction.atomic
def do_check_in(*, actor: Actor, activity: Activity, code: str) -> Registration:
    """Staff at the door scan (or type) a resident's code. Refused: activity_cancelled, bad_code
    (forged or garbled), other_activity, not_confirmed, already_checked_in."""
    require(actor, Action.ENGAGE_RUN, activity.community_id)
    if activity.status == ActivityStatus.CANCELLED:
        raise Conflict("activity_cancelled", _("活动已取消，不能签到"))
    registration = _registration_of(code, activity)
    now = timezone.now()
    if not Registration.objects.filter(
        pk=registration.pk, status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=True
    ).update(checked_in_at=now, checked_in_by=actor, updated_at=now):
        raise Conflict("already_checked_in", _("已签到，请勿重复扫码"))
    registration.checked_in_at, registration.checked_in_by = now, actor
    audit.record(
        actor=actor, action="engage.checked_in", obj=registration, community_id=activity.community_id
    )
    return registration
