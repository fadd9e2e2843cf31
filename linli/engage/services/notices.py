"""Writes of notices (ENG-1): compose, publish now or at a time, pin, attach files, deliver to
every household reached (inbox, SMS when urgent, the area's speakers when asked), read receipts,
confirmations, and the front desk's record of a household told in person.

Delivery is batched: the households and recipients are written with bulk_create and the inbox
through one `notify` call, so 10,000 households cost a few statements per thousand rows.
"""

import dataclasses
import secrets
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.engage.choices_notices import Audience, NoticeStatus, ToldHow
from linli.engage.models import Notice, NoticeAttachment, NoticeHousehold, NoticeRecipient
from linli.engage.services.notices_audience import Target, reach
from linli.engage.services.uploads import pdf_or_photo
from linli.iot.services.broadcasts import do_broadcast
from linli.notify.services import notify
from linli.registry.choices import CareKind
from linli.registry.models import Unit
from linli.registry.queries import building_in

BATCH = 1000
MAX_FILE_BYTES = 10 * 1024 * 1024
FILES_PER_NOTICE = 6
SMS_BODY = 60  # characters of the body in a text; the rest is in the app
KIND = "engage.notice"


def media_root() -> Path:
    return Path(settings.VAR_DIR) / "media" / "engage"


def target_of(notice: Notice) -> Target:
    return Target(notice.community_id, notice.building_id, notice.unit_id, notice.audience, notice.care_kind)


def check_target(target: Target) -> Target:
    """The target with a unit's building filled in; refuses an area outside the community or an
    audience that does not say whom."""
    if target.unit_id is not None and target.building_id is None:
        building_id = Unit.objects.filter(pk=target.unit_id).values_list("building_id", flat=True).first()
        target = dataclasses.replace(target, building_id=building_id)
    if target.building_id is not None and not building_in(target.community_id, target.building_id):
        raise ServiceError("unknown_building", _("楼栋不存在"), fields={"building_id": _("楼栋不存在")})
    if target.unit_id is not None and (
        target.building_id is None
        or not Unit.objects.filter(
            pk=target.unit_id, building_id=target.building_id, building__community_id=target.community_id
        ).exists()
    ):
        raise ServiceError("unknown_unit", _("单元不属于所选楼栋"), fields={"unit_id": _("单元不存在")})
    if target.audience not in Audience.values:
        raise ServiceError("bad_audience", _("通知对象无效"), fields={"audience": _("无效")})
    if target.audience == Audience.CARE and target.care_kind not in CareKind.values:
        raise ServiceError("care_kind_required", _("请选择关爱类型"), fields={"care_kind": _("必选")})
    return target


@transaction.atomic
def do_create_notice(
    *,
    actor: Actor,
    community_id: int,
    title: str,
    body: str,
    building_id: int | None = None,
    unit_id: int | None = None,
    audience: str = Audience.RESIDENTS,
    care_kind: str = "",
    must_confirm: bool = False,
    urgent: bool = False,
    speakers: bool = False,
    pinned: bool = False,
) -> Notice:
    """A draft: attach files to it, then publish it (now or at a time)."""
    target = Target(
        community_id, building_id, unit_id, audience, care_kind if audience == Audience.CARE else ""
    )
    target = check_target(target)
    require(actor, Action.NOTICE_PUBLISH, community_id, target.building_id)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ServiceError(
            "empty_text", _("标题和内容不能为空"), fields={"title" if not title else "body": _("必填")}
        )
    if speakers and not urgent:
        raise ServiceError(
            "speakers_need_urgent", _("只有紧急通知才能广播到音柱"), fields={"speakers": _("需为紧急通知")}
        )
    notice = Notice.objects.create(
        community_id=community_id,
        title=title[:60],
        body=body[:4000],
        building_id=target.building_id,
        unit_id=target.unit_id,
        audience=audience,
        care_kind=target.care_kind,
        must_confirm=must_confirm,
        urgent=urgent,
        speakers=speakers,
        pinned=pinned,
        author=actor,
    )
    audit.record(actor=actor, action="engage.notice_create", obj=notice, community_id=community_id)
    return notice


def _staff_notice(actor: Actor, notice_id: int) -> Notice:
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        raise NotFound()
    require(actor, Action.NOTICE_PUBLISH, notice.community_id, notice.building_id)
    return notice


@transaction.atomic
def do_publish_notice(*, actor: Actor, notice_id: int, publish_at: datetime | None = None) -> Notice:
    """Publishes a draft now, or schedules it: the periodic job publishes it when it is due."""
    notice = _staff_notice(actor, notice_id)
    now = timezone.now()
    if publish_at is not None and publish_at > now:
        if not Notice.objects.filter(pk=notice.pk, status=NoticeStatus.DRAFT).update(
            status=NoticeStatus.SCHEDULED, publish_at=publish_at
        ):
            raise Conflict("notice_not_draft", _("该通知已发布或已定时，不能再次发布"))
        audit.record(
            actor=actor, action="engage.notice_schedule", obj=notice, community_id=notice.community_id
        )
    else:
        if not _publish(notice.pk, now, (NoticeStatus.DRAFT, NoticeStatus.SCHEDULED)):
            raise Conflict("notice_not_draft", _("该通知已发布或已定时，不能再次发布"))
        audit.record(
            actor=actor, action="engage.notice_publish", obj=notice, community_id=notice.community_id
        )
    notice.refresh_from_db()
    return notice


def publish_due(now: datetime) -> int:
    """The scheduled notices whose time has come, each in its own transaction."""
    due = Notice.objects.filter(status=NoticeStatus.SCHEDULED, publish_at__lte=now).values_list(
        "pk", flat=True
    )
    published = 0
    for notice_id in list(due[:100]):
        with transaction.atomic():
            if _publish(notice_id, now, (NoticeStatus.SCHEDULED,)):
                published += 1
                notice = Notice.objects.get(pk=notice_id)
                audit.record(
                    actor=None, action="engage.notice_publish", obj=notice, community_id=notice.community_id
                )
    return published


def _publish(notice_id: int, now: datetime, from_statuses: tuple[str, ...]) -> bool:
    """Claims the notice (a conditional update: one publication however many callers race) and
    delivers it in the caller's transaction."""
    if not Notice.objects.filter(pk=notice_id, status__in=from_statuses).update(
        status=NoticeStatus.PUBLISHED, published_at=now
    ):
        return False
    _deliver(Notice.objects.get(pk=notice_id), now)
    return True


def _deliver(notice: Notice, now: datetime) -> None:
    found = reach(target_of(notice))
    NoticeHousehold.objects.bulk_create(
        [
            NoticeHousehold(
                notice=notice, community_id=notice.community_id, building_id=building_id, house_id=house_id
            )
            for house_id, building_id in found.houses.items()
        ],
        batch_size=BATCH,
    )
    household_of = dict(NoticeHousehold.objects.filter(notice=notice).values_list("house_id", "pk"))
    NoticeRecipient.objects.bulk_create(
        [
            NoticeRecipient(notice=notice, household_id=household_of[house_id], user_id=user_id)
            for user_id, house_id in found.users.items()
        ],
        batch_size=BATCH,
    )
    Notice.objects.filter(pk=notice.pk).update(households=len(found.houses))
    short = notice.body if len(notice.body) <= SMS_BODY else notice.body[: SMS_BODY - 1] + "…"
    notify(
        users=list(found.users),
        kind=KIND,
        title=notice.title,
        body=short,
        link=f"/engage/notices/{notice.pk}/",
        community_id=notice.community_id,
        channels=("inapp", "sms") if notice.urgent else ("inapp",),
    )
    if notice.urgent and notice.speakers:
        # The publisher holds notice.publish, not iot.operate: the notice's own check stands.
        do_broadcast(
            actor=None,
            community_id=notice.community_id,
            text=f"{notice.title}。{notice.body}"[:200],
            priority="emergency",  # iot's BroadcastPriority.EMERGENCY (its choices are not its API)
            building_id=notice.building_id,
        )


@transaction.atomic
def do_pin_notice(*, actor: Actor, notice_id: int, pinned: bool) -> Notice:
    notice = _staff_notice(actor, notice_id)
    Notice.objects.filter(pk=notice.pk).update(pinned=pinned, updated_at=timezone.now())
    notice.pinned = pinned
    audit.record(
        actor=actor,
        action="engage.notice_pin",
        obj=notice,
        community_id=notice.community_id,
        after={"pinned": pinned},
    )
    return notice


@transaction.atomic
def do_attach_file(*, actor: Actor, notice_id: int, name: str, data: bytes) -> NoticeAttachment:
    notice = _staff_notice(actor, notice_id)
    if len(data) > MAX_FILE_BYTES:
        raise ServiceError(
            "file_too_large",
            _("文件不能超过%(mb)sMB") % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
            fields={"file": _("文件过大")},
        )
    if NoticeAttachment.objects.filter(notice=notice).count() >= FILES_PER_NOTICE:
        raise ServiceError("too_many_files", _("每条通知最多%(n)s个附件") % {"n": FILES_PER_NOTICE})
    try:
        content, content_type, suffix = pdf_or_photo(data)
    except ServiceError:
        raise ServiceError(
            "unsupported_file", _("附件只能是PDF或照片(JPEG/PNG/WebP)"), fields={"file": _("文件类型不支持")}
        ) from None
    path = f"{notice.community_id}/{secrets.token_hex(16)}.{suffix}"
    full = media_root() / path
    full.parent.mkdir(parents=True, exist_ok=True)
    full.write_bytes(content)
    stem = Path(name or "").stem[:90] or "附件"
    attachment = NoticeAttachment.objects.create(
        notice=notice,
        community_id=notice.community_id,
        name=f"{stem}.{suffix}",
        content_type=content_type,
        size=len(content),
        path=path,
    )
    audit.record(actor=actor, action="engage.notice_attach", obj=attachment, community_id=notice.community_id)
    return attachment


def read_file(attachment: NoticeAttachment) -> bytes:
    return (media_root() / attachment.path).read_bytes()


def _recipient(actor: Actor, notice_id: int) -> NoticeRecipient:
    found = (
        NoticeRecipient.objects.filter(
            user_id=actor.pk, notice_id=notice_id, notice__status=NoticeStatus.PUBLISHED
        )
        .select_related("notice")
        .first()
    )
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def do_read_notice(*, actor: Actor, notice_id: int) -> NoticeRecipient:
    """The resident opened the notice: their read receipt and their household's (first reader)."""
    recipient = _recipient(actor, notice_id)
    if recipient.read_at is None:
        now = timezone.now()
        NoticeRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(read_at=now)
        NoticeHousehold.objects.filter(pk=recipient.household_id, read_at__isnull=True).update(read_at=now)
        recipient.read_at = now
    return recipient


@transaction.atomic
def do_confirm_notice(*, actor: Actor, notice_id: int) -> NoticeHousehold:
    """ "I have read it" for the household; a second member's confirmation changes nothing."""
    recipient = do_read_notice(actor=actor, notice_id=notice_id)
    if not recipient.notice.must_confirm:
        raise ServiceError("confirm_not_needed", _("该通知无需确认"))
    now = timezone.now()
    if NoticeHousehold.objects.filter(pk=recipient.household_id, confirmed_at__isnull=True).update(
        confirmed_at=now, confirmed_by_id=actor.pk
    ):
        audit.record(
            actor=actor,
            action="engage.notice_confirm",
            object_type="engage.noticehousehold",
            object_id=recipient.household_id,
            community_id=recipient.notice.community_id,
        )
    return NoticeHousehold.objects.get(pk=recipient.household_id)


@transaction.atomic
def do_record_told(
    *, actor: Actor, notice_id: int, house_id: int, how: str, note: str = ""
) -> NoticeHousehold:
    """The front desk reached a household that had not read the notice, by phone or a visit."""
    household = (
        NoticeHousehold.objects.filter(notice_id=notice_id, house_id=house_id)
        .select_related("notice")
        .first()
    )
    if household is None:
        raise NotFound()
    require(actor, Action.NOTICE_PUBLISH, household.community_id, household.building_id)
    if how not in ToldHow.values:
        raise ServiceError("bad_told_how", _("请选择告知方式：电话或上门"), fields={"how": _("无效")})
    if household.confirmed_at is not None:
        raise Conflict("already_confirmed", _("该户已在线确认，无需再告知"))
    now = timezone.now()
    if not NoticeHousehold.objects.filter(pk=household.pk, told_at__isnull=True).update(
        told_at=now, told_how=how, told_by_id=actor.pk, told_note=note.strip()[:200]
    ):
        raise Conflict("already_told", _("该户已登记为当面告知"))
    household.refresh_from_db()
    audit.record(
        actor=actor,
        action="engage.notice_told",
        obj=household,
        community_id=household.community_id,
        after={"how": how},
    )
    return household
