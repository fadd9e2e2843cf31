"""DingTalk (钉钉): a custom group robot, or a corp app's work notifications (工作通知).

A robot posts to one staff group through its webhook, signed with its 加签 secret: HMAC-SHA256
over "<timestamp>\\n<secret>" keyed by the secret, base64 and then URL-encoded, sent with the
timestamp in milliseconds; DingTalk refuses it (310000) when it does not match or the timestamp
is more than an hour off.

A corp app (an internal app's AppKey, AppSecret and AgentId) sends a work notification to each
staff member by their DingTalk user id, found once from their phone (`topapi/v2/user/getbymobile`)
and remembered by the caller. Its access token (`gettoken`) is shared by all processes through
`access_tokens` under "dingtalk:<appkey>".
"""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field

from django.conf import settings

from linli.channels.access_tokens import secret_digest
from linli.channels.http import call, call_with_token, checked

PROVIDER = "dingtalk"
ROBOT_PATH = "robot/send"
# The token was refused as invalid (40014, 88) or expired (42001): fetch another, try once more.
TOKEN_REFUSED = {40014, 42001, 88}
# No member of the corp has this mobile.
MOBILE_NOT_FOUND = 60121
# `userid_list` takes at most 100 ids joined by ",".
MAX_RECIPIENTS = 100


@dataclass(frozen=True)
class DingTalkApp:
    app_key: str
    app_secret: str = field(repr=False)
    agent_id: str

    @property
    def token_key(self) -> str:
        return f"dingtalk:{self.app_key}:{secret_digest(self.app_secret)}"  # as WeComApp's

    @property
    def corp(self) -> str:
        """The namespace of user ids (the app's corp; an app belongs to one)."""
        return f"dingtalk:{self.app_key}"


def _base_url() -> str:
    return settings.LINLI_DINGTALK_BASE_URL


def sign(timestamp_ms: int, secret: str) -> str:
    """The robot's `sign` parameter (before URL-encoding, which the query string does)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send_robot_card(
    robot_token: str,
    sign_secret: str,
    *,
    title: str,
    text: str,
    url: str,
    button: str,
    mobiles: list[str] = (),
) -> None:
    """Posts a message to the robot's group with a link that opens `url` (the order or alarm),
    @-mentioning the members with these phones so that DingTalk alerts them, not only the group.
    Markdown, not an action card: only text and markdown messages can mention anyone."""
    timestamp = int(time.time() * 1000)
    query = {"access_token": robot_token, "timestamp": timestamp, "sign": sign(timestamp, sign_secret)}
    mentions = " ".join(f"@{mobile}" for mobile in mobiles)  # DingTalk wants them in the text too
    body = {
        "msgtype": "markdown",
        "markdown": {
            "title": title,
            "text": f"### {title}\n\n{text}\n\n[{button}]({url})\n\n{mentions}".rstrip(),
        },
        "at": {"atMobiles": list(mobiles), "isAtAll": False},
    }
    checked(PROVIDER, ROBOT_PATH, call(PROVIDER, _base_url(), ROBOT_PATH, query, body))


def _fetch_token(app: DingTalkApp) -> tuple[str, int]:
    path = "gettoken"
    query = {"appkey": app.app_key, "appsecret": app.app_secret}
    answer = checked(PROVIDER, path, call(PROVIDER, _base_url(), path, query))
    return str(answer["access_token"]), int(answer.get("expires_in", 7200))


def _with_token(app: DingTalkApp, path: str, body: dict) -> dict:
    def send(token: str) -> dict:
        return call(PROVIDER, _base_url(), path, {"access_token": token}, body)

    return call_with_token(app.token_key, lambda: _fetch_token(app), send, TOKEN_REFUSED)


def userid_by_mobile(app: DingTalkApp, mobile: str) -> str | None:
    """The corp's user id of the member with this mobile, None if the corp has none."""
    path = "topapi/v2/user/getbymobile"
    answer = _with_token(app, path, {"mobile": mobile})
    if answer.get("errcode") == MOBILE_NOT_FOUND:
        return None
    return str(checked(PROVIDER, path, answer)["result"]["userid"])


def send_work_notice(
    app: DingTalkApp, userids: list[str], *, title: str, text: str, url: str, button: str
) -> None:
    """Sends a work notification card to the members (100 a call). DingTalk accepts it as a task
    and delivers it on its own; what it could not deliver is not reported back here."""
    path = "topapi/message/corpconversation/asyncsend_v2"
    for start in range(0, len(userids), MAX_RECIPIENTS):
        body = {
            "agent_id": int(app.agent_id),
            "userid_list": ",".join(userids[start : start + MAX_RECIPIENTS]),
            "msg": {
                "msgtype": "action_card",
                "action_card": {
                    "title": title,
                    "markdown": f"### {title}\n\n{text}",
                    "single_title": button,
                    "single_url": url,
                },
            },
        }
        checked(PROVIDER, path, _with_token(app, path, body))
