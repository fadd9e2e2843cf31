"""Sending a message to staff members through their community's staff channel.

A staff member is found in WeCom or DingTalk by the phone on their linli account, once: the
user id is remembered (`StaffChatId`, encrypted with a blind index like every identifier), so
this module writes, and lives with the services.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from linli.channels import dingtalk, wecom
from linli.channels.models import StaffChannelKind, StaffChatId
from linli.channels.staff import FIELDS, StaffMessage, channel_of, staff_channel_status, value_of
from linli.core.crypto import blind_index

log = logging.getLogger(__name__)


def send_to_staff(community_id: int, user_ids: list[int], message: StaffMessage) -> int:
    """Sends `message` through the community's staff channel; returns how many of `user_ids` it
    reached (a robot posts to its group: all of them). Raises ChannelError when the provider
    refuses; a member the provider does not know is logged and skipped."""
    channel = channel_of(community_id)
    status = staff_channel_status(community_id)
    if not status["ready"]:
        if channel.kind != StaffChannelKind.NONE:
            log.warning(
                "staffchat: community %s lacks %s; %s not sent", community_id, status["missing"], message.kind
            )
        return 0
    card = {
        "title": message.title,
        "url": settings.LINLI_PUBLIC_URL + message.link,
        "button": _("查看详情"),
    }
    text = message.body or message.title
    values = {field.name: value_of(channel, field)[0] for field in FIELDS[channel.kind]}
    if channel.kind == StaffChannelKind.DINGTALK_ROBOT:
        dingtalk.send_robot_card(
            values["dingtalk_robot_token"],
            values["dingtalk_sign_secret"],
            text=text,
            mobiles=_phones_of(user_ids),
            **card,
        )
        return len(user_ids)
    if channel.kind == StaffChannelKind.DINGTALK_NOTICE:
        app = dingtalk.DingTalkApp(
            values["dingtalk_app_key"], values["dingtalk_app_secret"], values["dingtalk_agent_id"]
        )
        found = _userids(app.corp, lambda mobile: dingtalk.userid_by_mobile(app, mobile), user_ids)
        if found:
            dingtalk.send_work_notice(app, list(found), text=text, **card)
        return len(found)
    return _send_wecom(values, user_ids, message, text, card)


def _send_wecom(values: dict, user_ids: list[int], message: StaffMessage, text: str, card: dict) -> int:
    app = wecom.WeComApp(values["wecom_corp_id"], values["wecom_agent_id"], values["wecom_secret"])
    found = _userids(app.corp, lambda mobile: wecom.userid_by_mobile(app, mobile), user_ids)
    if not found:
        return 0
    invalid = wecom.send_textcard(app, list(found), description=text, **card)
    if invalid:
        missed = [found[userid] for userid in invalid if userid in found]
        log.warning("staffchat: WeCom did not deliver %s to users %s (invaliduser)", message.kind, missed)
    return len(found) - len(invalid)


def _reachable(user_ids: list[int]) -> list:
    """The active accounts among `user_ids` with a phone: what a staff channel finds people by."""
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True, phone_bidx__isnull=False)
    return list(users.only("id", "phone"))


def _phones_of(user_ids: list[int]) -> list[str]:
    return sorted(user.phone for user in _reachable(user_ids))


def _userids(corp: str, by_mobile: Callable[[str], str | None], user_ids: list[int]) -> dict[str, int]:
    """Each reachable staff member's user id in `corp` → their linli user id: remembered ones,
    and the others looked up by their phone (`by_mobile`) and remembered."""
    known = dict(
        StaffChatId.objects.filter(corp=corp, user_id__in=user_ids).values_list("user_id", "external_id")
    )
    found = {userid: user_id for user_id, userid in known.items()}
    unknown = [user_id for user_id in user_ids if user_id not in known]
    users = _reachable(unknown)
    for user in users:
        userid = by_mobile(user.phone)
        if userid is None:
            log.info("staffchat: no member of %s has the phone of user %s", corp, user.pk)
            continue
        bidx = blind_index("chat_userid", userid)
        with transaction.atomic():
            # The corp's id now answers this phone: an account that held it before (its phone
            # since changed, or a new account for the same person) gives it up.
            StaffChatId.objects.filter(corp=corp, external_id_bidx=bidx).exclude(user_id=user.pk).delete()
            StaffChatId.objects.update_or_create(
                user_id=user.pk, corp=corp, defaults={"external_id": userid, "external_id_bidx": bidx}
            )
        found[userid] = user.pk
    without_phone = set(unknown) - {user.pk for user in users}
    if without_phone:
        log.info("staffchat: users %s have no phone to find them in %s", sorted(without_phone), corp)
    return found


def erase_staff_chat_ids_of(user_id: int) -> None:
    """A person erased (registry's right to erasure): the WeCom and DingTalk ids remembered for
    their account go with them (often their name in pinyin)."""
    StaffChatId.objects.filter(user_id=user_id).delete()
