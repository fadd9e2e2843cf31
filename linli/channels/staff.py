"""A community's staff channel (WeCom app, DingTalk robot or DingTalk work notice): its fields,
where each value comes from (the console or the environment), what is configured and what is
missing."""

from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from linli.channels.models import StaffChannel, StaffChannelKind


@dataclass(frozen=True)
class Field:
    name: str  # StaffChannel's field
    label: str | Promise
    secret: bool
    env: str = ""  # the setting a blank value falls back to


FIELDS: dict[str, tuple[Field, ...]] = {
    StaffChannelKind.WECOM: (
        Field("wecom_corp_id", _("企业ID（CorpID）"), False, "LINLI_WECOM_CORP_ID"),
        Field("wecom_agent_id", _("应用AgentId"), False, "LINLI_WECOM_AGENT_ID"),
        Field("wecom_secret", _("应用Secret"), True, "LINLI_WECOM_SECRET"),
    ),
    StaffChannelKind.DINGTALK_ROBOT: (
        Field("dingtalk_robot_token", _("机器人Webhook中的access_token"), True),
        Field("dingtalk_sign_secret", _("加签密钥（SEC开头）"), True),
    ),
    StaffChannelKind.DINGTALK_NOTICE: (
        Field("dingtalk_app_key", _("钉钉应用AppKey"), False),
        Field("dingtalk_app_secret", _("钉钉应用AppSecret"), True),
        Field("dingtalk_agent_id", _("钉钉应用AgentId"), False),
    ),
}


@dataclass(frozen=True)
class StaffMessage:
    """What a staff member is told, as the background task carries it (JSON)."""

    kind: str
    title: str
    body: str
    link: str  # a path of the console, made absolute with LINLI_PUBLIC_URL

    def as_json(self) -> dict:
        return asdict(self)


def channel_of(community_id: int) -> StaffChannel:
    """The community's setting, unsaved with kind "none" if it never chose one."""
    found = StaffChannel.objects.filter(community_id=community_id).first()
    return found or StaffChannel(community_id=community_id)


def value_of(channel: StaffChannel, field: Field) -> tuple[str, str]:
    """(the value, where it comes from: "console", "env" or "")."""
    own = getattr(channel, field.name) or ""
    if own:
        return own, "console"
    default = getattr(settings, field.env, "") if field.env else ""
    return (default, "env") if default else ("", "")


def staff_channel_status(community_id: int) -> dict:
    """What the community's staff channel is and what it still lacks, for the console's checks:
    secrets only as set or not, never their value."""
    channel = channel_of(community_id)
    fields = []
    for field in FIELDS.get(channel.kind, ()):
        value, source = value_of(channel, field)
        fields.append(
            {
                "name": field.name,
                "label": str(field.label),
                "secret": field.secret,
                "set": bool(value),
                "source": source,
                "value": "" if field.secret else value,
            }
        )
    missing = [f["label"] for f in fields if not f["set"]]
    return {
        "kind": channel.kind,
        "kind_label": str(StaffChannelKind(channel.kind).label),
        "ready": channel.kind != StaffChannelKind.NONE and not missing,
        "fields": fields,
        "missing": missing,
    }


def uses_staff_channel(community_id: int) -> bool:
    return StaffChannel.objects.filter(community_id=community_id).exclude(kind=StaffChannelKind.NONE).exists()
