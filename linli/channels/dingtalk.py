"""DingTalk (钉钉) custom group robots: a message posted to a staff group through the robot's
webhook, signed with its 加签 secret.

The signature is HMAC-SHA256 over "<timestamp>\\n<secret>" keyed by the secret, base64 and then
URL-encoded, sent with the timestamp in milliseconds; DingTalk refuses it (310000) when it does
not match or the timestamp is more than an hour off.
"""

import base64
import hashlib
import hmac
import time

from django.conf import settings

from linli.channels.http import ChannelError, call

PROVIDER = "dingtalk"
PATH = "robot/send"


def sign(timestamp_ms: int, secret: str) -> str:
    """The `sign` parameter (before URL-encoding, which the query string does)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send_action_card(
    robot_token: str, sign_secret: str, *, title: str, text: str, url: str, button: str
) -> None:
    """Posts a card with a button that opens `url` (the console page of the order or alarm)."""
    timestamp = int(time.time() * 1000)
    query = {"access_token": robot_token, "timestamp": timestamp, "sign": sign(timestamp, sign_secret)}
    body = {
        "msgtype": "actionCard",
        "actionCard": {
            "title": title,
            "text": f"### {title}\n\n{text}",
            "singleTitle": button,
            "singleURL": url,
        },
    }
    answer = call(PROVIDER, settings.LINLI_DINGTALK_BASE_URL, PATH, query, body)
    if answer.get("errcode", 0) != 0:
        raise ChannelError(PROVIDER, PATH, int(answer["errcode"]), str(answer.get("errmsg", "")))
