"""Reads of the channels app: a community's staff channel for those who may set it up (on
`restrict()`), a user's WeChat bindings (their own, masked) and the openid other apps need to reach
them — billing's JSAPI pay, the WeChat notify channel."""

from linli.channels.models import StaffChannel, WeChatIdentity
from linli.core.masking import mask_openid
from linli.core.restrict import scope_of
from linli.core.roles import Action


def staff_channel(user, community_id: int) -> StaffChannel | None:
    """The community's staff channel setting (unsaved with kind "none" if never chosen) for one
    who may set it up for the whole community; None for anyone else."""
    if not scope_of(user).covers_community(Action.CHANNELS_SETUP, community_id):
        return None
    found = (
        StaffChannel.objects.restrict(user, Action.CHANNELS_SETUP).filter(community_id=community_id).first()
    )
    return found or StaffChannel(community_id=community_id)


def my_wechat_bindings(user) -> list[dict]:
    """The user's own bindings as a screen shows them: the openid masked."""
    rows = WeChatIdentity.objects.restrict(user).order_by("bound_at")
    return [
        {"id": row.pk, "app_id": row.app_id, "openid": mask_openid(row.openid), "bound_at": row.bound_at}
        for row in rows
    ]


def openid_for(user, app_id: str) -> str:
    """The openid `user` bound under `app_id`, or "" (no binding, no app)."""
    if not app_id or not getattr(user, "is_authenticated", False):
        return ""
    row = WeChatIdentity.objects.filter(user_id=user.pk, app_id=app_id).only("openid").first()
    return row.openid if row is not None else ""


def users_with_wechat(user_ids: list[int]) -> list[int]:
    """Those of `user_ids` who bound a WeChat of any app, sorted (one query)."""
    rows = WeChatIdentity.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    return sorted(set(rows))


def openids_of(user_ids: list[int], app_id: str) -> dict[int, str]:
    """user id → openid under `app_id`, for those of `user_ids` who bound one (one query)."""
    rows = WeChatIdentity.objects.filter(user_id__in=user_ids, app_id=app_id, user__is_active=True)
    return dict(rows.values_list("user_id", "openid"))
