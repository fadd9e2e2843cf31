"""The yellow pages (社区黄页), kept by staff holding engage.run, and mutual help (邻里互助):
residents post an offer or a request, neighbours reply or say "I can help", the author closes
it; anyone may report a post once, and staff holding engage.moderate hide it with a reason
(the author is told why)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.permissions import require
from linli.core.roles import Action
from linli.engage.choices_surveys import DirectoryCategory, HelpKind, HelpStatus
from linli.engage.models import DirectoryEntry, HelpPost, HelpReply, HelpReport
from linli.engage.services.activities import home_in
from linli.notify.services import notify

ENTRY_FIELDS = ("name", "category", "phone", "address", "hours", "order")


def _check_entry(values: dict) -> dict:
    if values.get("category") not in DirectoryCategory.values:
        raise ServiceError("bad_category", _("类别无效"), fields={"category": _("类别无效")})
    cleaned = {
        k: values[k].strip() if isinstance(values[k], str) else values[k] for k in ENTRY_FIELDS if k in values
    }
    if not cleaned.get("name") or not cleaned.get("phone"):
        raise ServiceError("entry_incomplete", _("请填写名称和电话"), fields={"name": _("必填")})
    return cleaned


@transaction.atomic
def do_save_entry(
    *, actor: Actor, community_id: int, values: dict, entry: DirectoryEntry | None = None
) -> DirectoryEntry:
    """A new yellow-pages entry, or `entry` changed."""
    require(actor, Action.ENGAGE_RUN, community_id)
    cleaned = _check_entry(values)
    if entry is None:
        entry = DirectoryEntry.objects.create(community_id=community_id, **cleaned)
    else:
        for key, value in cleaned.items():
            setattr(entry, key, value)
        entry.save()
    audit.record(actor=actor, action="engage.directory_saved", obj=entry, community_id=community_id)
    return entry


@transaction.atomic
def do_delete_entry(*, actor: Actor, entry: DirectoryEntry) -> None:
    require(actor, Action.ENGAGE_RUN, entry.community_id)
    audit.record(actor=actor, action="engage.directory_deleted", obj=entry, community_id=entry.community_id)
    entry.delete()


# --- mutual help ------------------------------------------------------------------------------


def _resident_in(actor: Actor, community_id: int) -> None:
    if home_in(actor, community_id) is None:
        raise ServiceError("not_resident", _("仅本小区住户可以参与邻里互助"), status=403)


@transaction.atomic
def do_post_help(*, actor: Actor, community_id: int, kind: str, title: str, body: str) -> HelpPost:
    _resident_in(actor, community_id)
    if kind not in HelpKind.values:
        raise ServiceError("bad_kind", _("类型无效"), fields={"kind": _("类型无效")})
    if not title.strip() or not body.strip():
        raise ServiceError("post_incomplete", _("请填写标题和内容"), fields={"title": _("必填")})
    post = HelpPost.objects.create(
        community_id=community_id,
        author=actor,
        author_name=actor.display_name or "",
        kind=kind,
        title=title.strip(),
        body=body.strip(),
    )
    audit.record(actor=actor, action="engage.help_posted", obj=post, community_id=community_id)
    return post


@transaction.atomic
def do_reply_help(*, actor: Actor, post: HelpPost, body: str, offers_help: bool = False) -> HelpReply:
    _resident_in(actor, post.community_id)
    if post.status != HelpStatus.OPEN:
        raise Conflict("post_closed", _("该求助已结束"))
    if not body.strip():
        raise ServiceError("reply_empty", _("请填写回复内容"), fields={"body": _("必填")})
    reply = HelpReply.objects.create(
        post=post,
        author=actor,
        author_name=actor.display_name or "",
        body=body.strip(),
        offers_help=offers_help,
    )
    if post.author_id != actor.pk:
        notify(
            users=[post.author_id],
            kind="engage.help",
            title=str(_("邻居回复了您的互助帖")),
            body=post.title,
            link=reverse("engage:help_post", args=[post.pk]),
            community_id=post.community_id,
        )
    audit.record(actor=actor, action="engage.help_replied", obj=post, community_id=post.community_id)
    return reply


@transaction.atomic
def do_close_help(*, actor: Actor, post: HelpPost) -> HelpPost:
    if post.author_id != actor.pk:
        raise Forbidden(_("只有发帖人可以结束"))
    if not HelpPost.objects.filter(pk=post.pk, status=HelpStatus.OPEN).update(
        status=HelpStatus.CLOSED, updated_at=timezone.now()
    ):
        raise Conflict("post_closed", _("该求助已结束"))
    post.status = HelpStatus.CLOSED
    audit.record(actor=actor, action="engage.help_closed", obj=post, community_id=post.community_id)
    return post


@transaction.atomic
def do_report_help(*, actor: Actor, post: HelpPost, reason: str) -> None:
    """Once per person; the count shows on the moderation page."""
    _resident_in(actor, post.community_id)
    if not reason.strip():
        raise ServiceError("reason_required", _("请填写举报原因"), fields={"reason": _("必填")})
    try:
        with transaction.atomic():
            HelpReport.objects.create(post=post, reporter=actor, reason=reason.strip())
    except IntegrityError:
        raise Conflict("already_reported", _("您已举报过该帖")) from None
    HelpPost.objects.filter(pk=post.pk).update(reports=F("reports") + 1)
    audit.record(actor=actor, action="engage.help_reported", obj=post, community_id=post.community_id)


@transaction.atomic
def do_hide_help(*, actor: Actor, post: HelpPost, reason: str) -> HelpPost:
    require(actor, Action.ENGAGE_MODERATE, post.community_id)
    if not reason.strip():
        raise ServiceError("reason_required", _("请填写隐藏原因"), fields={"reason": _("必填")})
    if (
        not HelpPost.objects.filter(pk=post.pk)
        .exclude(status=HelpStatus.HIDDEN)
        .update(
            status=HelpStatus.HIDDEN, hidden_reason=reason.strip(), hidden_by=actor, updated_at=timezone.now()
        )
    ):
        raise Conflict("already_hidden", _("该帖已隐藏"))
    post.refresh_from_db()
    notify(
        users=[post.author_id],
        kind="engage.help",
        title=str(_("您的互助帖已被隐藏")),
        body=str(_("原因：%(reason)s") % {"reason": post.hidden_reason}),
        community_id=post.community_id,
    )
    audit.record(actor=actor, action="engage.help_hidden", obj=post, community_id=post.community_id)
    return post
