"""What this installation's WeChat is: the official account and the mini-program from the
environment (settings.py, LINLI_WECHAT_*), the message templates per kind, and a report of what
is set and what is missing for the console's check page — never a secret in it."""

import json
from dataclasses import dataclass, field

from django.conf import settings

from linli.notify.topics import prefixes

# What a template's field may carry, from the notify message (`Message`).
MESSAGE_PARTS = ("title", "body", "time")


@dataclass(frozen=True)
class WeChatApp:
    """An AppID with its secret: the official account's (公众号) or the mini-program's."""

    app_id: str
    secret: str = field(repr=False)  # never in a log line or a traceback's locals

    @property
    def token_key(self) -> str:
        """The access token's key in `channels.access_tokens` (the AppID names it, never the secret)."""
        return f"wechat:{self.app_id}"


@dataclass(frozen=True)
class Template:
    id: str
    fields: dict[str, str]  # the template's keyword (thing1, time2, first…) → a MESSAGE_PARTS name


def official_account() -> WeChatApp | None:
    return _app(settings.LINLI_WECHAT_APPID, settings.LINLI_WECHAT_SECRET)


def mini_program() -> WeChatApp | None:
    return _app(settings.LINLI_WECHAT_MINI_APPID, settings.LINLI_WECHAT_MINI_SECRET)


def _app(app_id: str, secret: str) -> WeChatApp | None:
    return WeChatApp(app_id, secret) if app_id and secret else None


def template_messages() -> dict[str, Template]:
    """The official account's template messages by message kind (or topic: `billing`)."""
    return _templates(settings.LINLI_WECHAT_TEMPLATES)[0]


def subscribe_messages() -> dict[str, Template]:
    """The mini-program's subscription messages by message kind (or topic)."""
    return _templates(settings.LINLI_WECHAT_SUBSCRIBE_TEMPLATES)[0]


def template_for(templates: dict[str, Template], kind: str) -> Template | None:
    """The template of the most specific topic that covers `kind`, as preferences decide."""
    for prefix in reversed(prefixes(kind)):
        if prefix in templates:
            return templates[prefix]
    return None


def _templates(raw: str) -> tuple[dict[str, Template], list[str]]:
    """(the templates, what is wrong with the setting): a bad entry is left out, not guessed."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}, ["not JSON"]
    if not isinstance(data, dict):
        return {}, ["not a JSON object"]
    found: dict[str, Template] = {}
    problems: list[str] = []
    for kind, entry in data.items():
        template = _template(entry)
        if template is None:
            problems.append(f"{kind}: needs an id and fields mapping keywords to {', '.join(MESSAGE_PARTS)}")
        else:
            found[kind] = template
    return found, problems


def _template(entry) -> Template | None:
    if not isinstance(entry, dict):
        return None
    template_id, fields = entry.get("id"), entry.get("fields")
    if not isinstance(template_id, str) or not template_id or not isinstance(fields, dict) or not fields:
        return None
    if any(part not in MESSAGE_PARTS for part in fields.values()):
        return None
    return Template(template_id, {str(keyword): part for keyword, part in fields.items()})


def wechat_status() -> dict:
    """What is configured and what is missing, for the console's channel check: AppIDs (public
    identifiers) are shown, secrets only as set or not."""
    templates, template_problems = _templates(settings.LINLI_WECHAT_TEMPLATES)
    subscribe, subscribe_problems = _templates(settings.LINLI_WECHAT_SUBSCRIBE_TEMPLATES)
    missing: list[str] = []
    for app_id, secret in (
        ("LINLI_WECHAT_APPID", "LINLI_WECHAT_SECRET"),
        ("LINLI_WECHAT_MINI_APPID", "LINLI_WECHAT_MINI_SECRET"),
    ):
        has_id, has_secret = bool(getattr(settings, app_id)), bool(getattr(settings, secret))
        if has_id != has_secret:  # one without the other is a mistake; neither is a choice
            missing.append(secret if has_id else app_id)
    account, mini = official_account(), mini_program()
    if account and not templates:
        missing.append("LINLI_WECHAT_TEMPLATES")
    return {
        "configured": bool(account or mini),
        "official_account": {
            "app_id": settings.LINLI_WECHAT_APPID,
            "secret_set": bool(settings.LINLI_WECHAT_SECRET),
            "oauth_scope": settings.LINLI_WECHAT_OAUTH_SCOPE,
            "template_kinds": sorted(templates),
        },
        "mini_program": {
            "app_id": settings.LINLI_WECHAT_MINI_APPID,
            "secret_set": bool(settings.LINLI_WECHAT_MINI_SECRET),
            "subscribe_kinds": sorted(subscribe),
        },
        "jsapi_pay": {
            "pay_app_id": settings.LINLI_WECHATPAY_APPID,
            "matches_official_account": bool(account) and settings.LINLI_WECHATPAY_APPID == account.app_id,
        },
        "missing": missing,
        "problems": [f"LINLI_WECHAT_TEMPLATES {p}" for p in template_problems]
        + [f"LINLI_WECHAT_SUBSCRIBE_TEMPLATES {p}" for p in subscribe_problems],
    }
