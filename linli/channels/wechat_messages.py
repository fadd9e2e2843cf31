"""WeChat as a notify channel: the official account's template messages (模板消息), or the
mini-program's subscription messages (订阅消息) for a resident who bound only the mini-program,
for the kinds the operator mapped to a template (LINLI_WECHAT_TEMPLATES,
LINLI_WECHAT_SUBSCRIBE_TEMPLATES).

A message WeChat does not deliver — the resident unfollowed the account (43004) or refused the
subscription (43101), the daily quota is used up (45009), WeChat is unreachable — falls back to
SMS, unless the message went by SMS already or the resident muted SMS for it; the inbox, always
written, is the last fall-back.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from linli.channels import wechat_api
from linli.channels.queries import openids_of
from linli.channels.wechat_config import (
    Template,
    WeChatApp,
    mini_program,
    official_account,
    subscribe_messages,
    template_for,
    template_messages,
)
from linli.core.events import enqueue_after_commit
from linli.core.masking import mask_openid
from linli.notify.queries import muted
from linli.notify.services.channels import Message
from linli.notify.tasks import send_sms_to_users
from linli.notify.topics import is_unmutable

log = logging.getLogger(__name__)

# A template's `thing` keyword holds at most 20 characters; WeChat refuses a longer value (47003).
THING_MAX = 20


@dataclass(frozen=True)
class Route:
    """How a kind reaches a resident through one app: its template and the call that sends it."""

    app: WeChatApp
    template: Template
    send: Callable[[WeChatApp, Template, str, Message], None]


def routes(kind: str) -> list[Route]:
    """The official account's template message first, then the mini-program's subscription
    message, for those of the two configured with a template for `kind`."""
    found = []
    account, mini = official_account(), mini_program()
    template = template_for(template_messages(), kind) if account else None
    if account and template:
        found.append(Route(account, template, _send_template_message))
    subscribe = template_for(subscribe_messages(), kind) if mini else None
    if mini and subscribe:
        found.append(Route(mini, subscribe, _send_subscribe_message))
    return found


def send(message: Message, user_ids: list[int]) -> tuple[int, list[int]]:
    """Sends `message` to each user's WeChat, through the first route they are bound on:
    (how many WeChat took, the users it refused, logged)."""
    targets: list[tuple[int, Route, str]] = []
    left = list(user_ids)
    for route in routes(message.kind):
        openids = openids_of(left, route.app.app_id)
        targets += [(user_id, route, openid) for user_id, openid in openids.items()]
        left = [user_id for user_id in left if user_id not in openids]
    unreached: list[int] = []
    for i, (user_id, route, openid) in enumerate(targets):
        try:
            route.send(route.app, route.template, openid, message)
        except wechat_api.WeChatError as error:
            log.warning(
                "wechat %s to user %s (%s) failed: %s %s",
                message.kind,
                user_id,
                mask_openid(openid),
                error.errcode,
                error.errmsg,
            )
            if error.errcode in (wechat_api.QUOTA_REACHED, wechat_api.UNREACHABLE):
                # The rest would fail the same way (and an unreachable WeChat costs a timeout each).
                unreached += [target[0] for target in targets[i:]]
                break
            unreached.append(user_id)
    return len(targets) - len(unreached), unreached


def _send_template_message(app: WeChatApp, template: Template, openid: str, message: Message) -> None:
    link = message.link
    url = f"{settings.LINLI_PUBLIC_URL}{link}" if link.startswith("/") else link
    wechat_api.send_template_message(app, openid, template.id, _data(template, message), url)


def _send_subscribe_message(app: WeChatApp, template: Template, openid: str, message: Message) -> None:
    wechat_api.send_subscribe_message(app, openid, template.id, _data(template, message))


def _data(template: Template, message: Message) -> dict[str, str]:
    return {keyword: _value(keyword, _part(part, message)) for keyword, part in template.fields.items()}


def _part(part: str, message: Message) -> str:
    if part == "time":
        return timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return getattr(message, part)


def _value(keyword: str, value: str) -> str:
    if keyword.startswith("thing") and len(value) > THING_MAX:
        return value[: THING_MAX - 1] + "…"
    return value


def fall_back(message: Message, user_ids: list[int]) -> None:
    """Those WeChat did not reach get an SMS, unless they had one for this message or muted SMS
    for its kind; the rest have the inbox."""
    if not user_ids or "sms" in message.channels:
        return
    held_back = set() if is_unmutable(message.kind) else muted(user_ids, kind=message.kind, channel="sms")
    texted = [user_id for user_id in user_ids if user_id not in held_back]
    if texted:
        enqueue_after_commit(
            send_sms_to_users, texted, "notification", {"title": message.title, "body": message.body}
        )
