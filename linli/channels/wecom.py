"""WeCom (企业微信) application messages: a self-built app (自建应用) of the property company's
corp sends a text card to staff members by their WeCom user id.

The access token is the corp app's (`gettoken` with corp id and the app's secret), shared by all
processes through `access_tokens` under "wecom:<corpid>:<agentid>". A staff member's user id is
found once from the phone on their account (`user/getuserid`) and remembered by the caller.
"""

from dataclasses import dataclass

from django.conf import settings

from linli.channels import access_tokens
from linli.channels.http import ChannelError, call

PROVIDER = "wecom"
# The token was refused as invalid (40014) or expired (42001): fetch another and try once more.
TOKEN_REFUSED = {40014, 42001}
# None of `touser` is a member the app may reach; the answer's `invaliduser` names them.
USER_NOT_FOUND = 81013
# `touser` takes at most 1000 ids joined by "|".
MAX_RECIPIENTS = 1000


@dataclass(frozen=True)
class WeComApp:
    corp_id: str
    agent_id: str
    secret: str

    @property
    def token_key(self) -> str:
        return f"wecom:{self.corp_id}:{self.agent_id}"

    @property
    def corp(self) -> str:
        """The namespace of user ids: one per corp, whichever of its apps sends."""
        return f"wecom:{self.corp_id}"


def _base_url() -> str:
    return settings.LINLI_WECOM_BASE_URL


def _checked(path: str, answer: dict) -> dict:
    if answer.get("errcode", 0) != 0:
        raise ChannelError(PROVIDER, path, int(answer["errcode"]), str(answer.get("errmsg", "")))
    return answer


def _fetch_token(app: WeComApp) -> tuple[str, int]:
    path = "cgi-bin/gettoken"
    answer = _checked(
        path, call(PROVIDER, _base_url(), path, {"corpid": app.corp_id, "corpsecret": app.secret})
    )
    return str(answer["access_token"]), int(answer.get("expires_in", 7200))


def _with_token(app: WeComApp, path: str, body: dict) -> dict:
    """POSTs `body` to `path` with the shared token; a refused token is dropped and the call
    made once more with a fresh one. The answer is returned whatever its errcode."""

    def attempt() -> tuple[str, dict]:
        token = access_tokens.current(app.token_key, lambda: _fetch_token(app))
        return token, call(PROVIDER, _base_url(), path, {"access_token": token}, body)

    token, answer = attempt()
    if answer.get("errcode") in TOKEN_REFUSED:
        access_tokens.invalidate(app.token_key, token)
        _token, answer = attempt()
    return answer


def userid_by_mobile(app: WeComApp, mobile: str) -> str:
    """The corp's user id of the member with this mobile (ChannelError 46004 if there is none)."""
    path = "cgi-bin/user/getuserid"
    return str(_checked(path, _with_token(app, path, {"mobile": mobile}))["userid"])


def send_textcard(
    app: WeComApp, userids: list[str], *, title: str, description: str, url: str, button: str
) -> list[str]:
    """Sends one text card to the members; returns the ids WeCom did not deliver to (its
    `invaliduser`: not in the corp, or outside the app's visible range). When none of them
    could be reached WeCom answers 81013 with the same list, which is no error of the call."""
    path = "cgi-bin/message/send"
    body = {
        "touser": "|".join(userids[:MAX_RECIPIENTS]),
        "msgtype": "textcard",
        "agentid": int(app.agent_id),
        "textcard": {"title": title, "description": description, "url": url, "btntxt": button},
    }
    answer = _with_token(app, path, body)
    if answer.get("errcode") != USER_NOT_FOUND:
        _checked(path, answer)
    return [userid for userid in str(answer.get("invaliduser") or "").split("|") if userid]
