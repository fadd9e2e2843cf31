"""WeCom (企业微信) application messages: a self-built app (自建应用) of the property company's
corp sends a text card to staff members by their WeCom user id.

The access token is the corp app's (`gettoken` with corp id and the app's secret), shared by all
processes through `access_tokens` under "wecom:<corpid>:<agentid>". A staff member's user id is
found once from the phone on their account (`user/getuserid`) and remembered by the caller.
"""

from dataclasses import dataclass, field

from django.conf import settings

from linli.channels.access_tokens import secret_digest
from linli.channels.http import call, call_with_token, checked

PROVIDER = "wecom"
# The token was refused as invalid (40014) or expired (42001): fetch another and try once more.
TOKEN_REFUSED = {40014, 42001}
# No member of the corp (that the app may see) has this mobile.
MOBILE_NOT_FOUND = 46004
# None of `touser` is a member the app may reach; the answer's `invaliduser` names them.
USER_NOT_FOUND = 81013
# `touser` takes at most 1000 ids joined by "|".
MAX_RECIPIENTS = 1000


@dataclass(frozen=True)
class WeComApp:
    corp_id: str
    agent_id: str
    secret: str = field(repr=False)

    @property
    def token_key(self) -> str:
        # The secret's digest too: a community naming another's corp and agent with a wrong
        # secret must not be handed that corp's token.
        return f"wecom:{self.corp_id}:{self.agent_id}:{secret_digest(self.secret)}"

    @property
    def corp(self) -> str:
        """The namespace of user ids: one per corp, whichever of its apps sends."""
        return f"wecom:{self.corp_id}"


def _base_url() -> str:
    return settings.LINLI_WECOM_BASE_URL


def _fetch_token(app: WeComApp) -> tuple[str, int]:
    path = "cgi-bin/gettoken"
    answer = checked(
        PROVIDER, path, call(PROVIDER, _base_url(), path, {"corpid": app.corp_id, "corpsecret": app.secret})
    )
    return str(answer["access_token"]), int(answer.get("expires_in", 7200))


def _with_token(app: WeComApp, path: str, body: dict) -> dict:
    def send(token: str) -> dict:
        return call(PROVIDER, _base_url(), path, {"access_token": token}, body)

    return call_with_token(app.token_key, lambda: _fetch_token(app), send, TOKEN_REFUSED)


def userid_by_mobile(app: WeComApp, mobile: str) -> str | None:
    """The corp's user id of the member with this mobile, None if the corp has none."""
    path = "cgi-bin/user/getuserid"
    answer = _with_token(app, path, {"mobile": mobile})
    if answer.get("errcode") == MOBILE_NOT_FOUND:
        return None
    return str(checked(PROVIDER, path, answer)["userid"])


def send_textcard(
    app: WeComApp, userids: list[str], *, title: str, description: str, url: str, button: str
) -> list[str]:
    """Sends one text card to the members (1000 a call); returns the ids WeCom did not deliver
    to (its `invaliduser`: not in the corp, or outside the app's visible range). When none of a
    call's could be reached WeCom answers 81013 with the same list, which is no error of the call."""
    path = "cgi-bin/message/send"
    invalid: list[str] = []
    for start in range(0, len(userids), MAX_RECIPIENTS):
        body = {
            "touser": "|".join(userids[start : start + MAX_RECIPIENTS]),
            "msgtype": "textcard",
            "agentid": int(app.agent_id),
            "textcard": {"title": title, "description": description, "url": url, "btntxt": button},
        }
        answer = _with_token(app, path, body)
        if answer.get("errcode") != USER_NOT_FOUND:
            checked(PROVIDER, path, answer)
        invalid += [userid for userid in str(answer.get("invaliduser") or "").split("|") if userid]
    return invalid
