"""Writes of the channels app: a community's staff channel chosen and its credentials kept
(audited, secrets only as set or not), and a test message sent through it."""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.channels.access_tokens import secret_digest
from linli.channels.http import ChannelError
from linli.channels.models import StaffChannel, StaffChannelKind
from linli.channels.services.staff_messages import send_to_staff
from linli.channels.staff import StaffMessage, staff_channel_status
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import ServiceError
from linli.core.permissions import require
from linli.core.roles import Action

SECRETS = ("wecom_secret", "dingtalk_robot_token", "dingtalk_sign_secret", "dingtalk_app_secret")
PLAIN = ("wecom_corp_id", "wecom_agent_id", "dingtalk_app_key", "dingtalk_agent_id")


@dataclass(frozen=True)
class StaffChannelInput:
    """What the console's form submits; a blank secret keeps the one on file, unless it is named
    in `clear` (a secret revoked in WeCom or DingTalk, or the channel given up)."""

    kind: str
    wecom_corp_id: str = ""
    wecom_agent_id: str = ""
    wecom_secret: str = ""
    dingtalk_robot_token: str = ""
    dingtalk_sign_secret: str = ""
    dingtalk_app_key: str = ""
    dingtalk_app_secret: str = ""
    dingtalk_agent_id: str = ""
    clear: tuple[str, ...] = ()


def _snapshot(channel: StaffChannel) -> dict:
    return {
        "kind": channel.kind,
        **{name: getattr(channel, name) for name in PLAIN},
        # A short digest, never the secret: a secret replaced by another shows as changed.
        **{
            name: f"set {secret_digest(v)[:8]}" if (v := getattr(channel, name)) else "not set"
            for name in SECRETS
        },
    }


@transaction.atomic
def do_set_staff_channel(*, actor: Actor, community_id: int, data: StaffChannelInput) -> StaffChannel:
    require(actor, Action.CHANNELS_SETUP, community_id)
    if data.kind not in StaffChannelKind.values:
        raise ServiceError(
            "invalid_kind", _("没有这种工作消息渠道"), fields={"kind": _("请选择渠道")}, status=422
        )
    not_numbers = {
        name: _("请填写数字")
        for name in ("wecom_agent_id", "dingtalk_agent_id")
        if getattr(data, name).strip() and not getattr(data, name).strip().isdigit()
    }
    if not_numbers:
        raise ServiceError("invalid_agent_id", _("AgentId 是数字"), fields=not_numbers, status=422)
    both = [name for name in data.clear if name not in SECRETS or getattr(data, name).strip()]
    if both:
        raise ServiceError(
            "secret_clear_conflict",
            _("同一密钥不能既填写新值又清除"),
            fields=dict.fromkeys(both, _("请只填写或只清除")),
            status=422,
        )
    channel, _created = StaffChannel.objects.select_for_update().get_or_create(community_id=community_id)
    before = _snapshot(channel)
    channel.kind = data.kind
    for name in PLAIN:
        setattr(channel, name, getattr(data, name).strip())
    for name in SECRETS:
        if getattr(data, name).strip() or name in data.clear:
            setattr(channel, name, getattr(data, name).strip())
    channel.save()
    audit.record_change(
        actor=actor, obj=channel, community_id=community_id, before=before, snapshot=_snapshot
    )
    return channel


def do_send_staff_test_message(*, actor: Actor, community_id: int) -> int:
    """Sends a test message to the actor (WeCom, DingTalk work notice) or the robot's group at once, so the
    admin sees whether the channel works; returns how many it reached. Audited: it leaves the
    platform under the community's name."""
    require(actor, Action.CHANNELS_SETUP, community_id)
    status = staff_channel_status(community_id)
    if not status["ready"]:
        missing = "、".join(status["missing"]) or _("渠道")
        raise ServiceError(
            "channel_not_ready", _("请先完成设置：%(missing)s") % {"missing": missing}, status=409
        )
    message = StaffMessage(
        kind="channels.test",
        title=_("测试消息"),
        body=_("邻里工作消息渠道已连通，派单、超时督办和告警将发送到这里。"),
        link=reverse("channels:staff_channel", args=[community_id]),
    )
    try:
        reached = send_to_staff(community_id, [actor.pk], message)
    except ChannelError as error:
        raise ServiceError(
            "channel_refused",
            _("发送失败（%(provider)s 错误码 %(code)s：%(text)s）")
            % {"provider": error.provider, "code": error.errcode, "text": error.errmsg},
            status=502,
        ) from None
    if not reached:
        raise ServiceError(
            "not_reached",
            _("未能发送给您：请确认您账号的手机号与企业微信或钉钉中登记的一致，且应用的可见范围包含您"),
            status=409,
        )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="test_staff_channel",
            object_type="channels.staffchannel",
            object_id=community_id,
            community_id=community_id,
            after={"kind": status["kind"], "reached": reached},
        )
    return reached
