"""WeChat's server API, the calls linli makes: the OAuth code exchange (official account web
authorisation), code2session (mini-program), the access token, template and subscription
messages.

Through channels.http, as WeCom's and DingTalk's calls (urllib; the shared access token retried
once when refused): the base URLs come from settings so that the tests' fake server on 127.0.0.1
answers the very code that production runs. WeChat answers HTTP 200 with `errcode` for its
errors; every one becomes a `WeChatError` with that code.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings

from linli.channels.http import ChannelError, call, call_with_token
from linli.channels.wechat_config import WeChatApp

PROVIDER = "wechat"

# The access token was refused as invalid (40001), not an access token (40014) or expired (42001):
# fetch another once and try again.
TOKEN_REFUSED = {40001, 40014, 42001}
# The API's daily quota is used up (45009): every call after it fails the same way until midnight.
QUOTA_REACHED = 45009
# WeChat's "system busy, try later" (-1), and linli's own code for a call that got no answer.
BUSY = -1
UNREACHABLE = -2


class WeChatError(Exception):
    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


@dataclass(frozen=True)
class WeChatUser:
    """Who WeChat says signed in: the openid under one AppID, the unionid if the AppID is tied
    to an open platform account."""

    openid: str
    unionid: str = ""


def authorize_url(app: WeChatApp, redirect_uri: str, state: str) -> str:
    """Where the resident's WeChat browser goes to authorise (web authorisation, 网页授权)."""
    query = urlencode(
        {
            "appid": app.app_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": settings.LINLI_WECHAT_OAUTH_SCOPE,
            "state": state,
        }
    )
    return f"{settings.LINLI_WECHAT_AUTHORIZE_URL}?{query}#wechat_redirect"


def oauth_user(app: WeChatApp, code: str) -> WeChatUser:
    """The official account's OAuth code (valid once, 5 minutes) exchanged for the openid."""
    answer = _call(
        "/sns/oauth2/access_token",
        {"appid": app.app_id, "secret": app.secret, "code": code, "grant_type": "authorization_code"},
    )
    return WeChatUser(answer["openid"], answer.get("unionid", ""))


def mini_program_user(app: WeChatApp, code: str) -> WeChatUser:
    """The mini-program's `wx.login` code exchanged for the openid (code2session); the session
    key is not kept: linli decrypts nothing the mini-program sends."""
    answer = _call(
        "/sns/jscode2session",
        {"appid": app.app_id, "secret": app.secret, "js_code": code, "grant_type": "authorization_code"},
    )
    return WeChatUser(answer["openid"], answer.get("unionid", ""))


def send_template_message(app: WeChatApp, openid: str, template_id: str, data: dict, url: str) -> None:
    """A template message (模板消息) from the official account; `data` is keyword → value."""
    _call_with_token(
        app,
        "/cgi-bin/message/template/send",
        {"touser": openid, "template_id": template_id, "url": url, "data": _values(data)},
    )


def send_subscribe_message(app: WeChatApp, openid: str, template_id: str, data: dict) -> None:
    """A subscription message (订阅消息) from the mini-program; a tap opens the mini-program (its
    pages are the front end's, not linli's H5 paths)."""
    _call_with_token(
        app,
        "/cgi-bin/message/subscribe/send",
        {"touser": openid, "template_id": template_id, "data": _values(data)},
    )


def _values(data: dict) -> dict:
    return {keyword: {"value": value} for keyword, value in data.items()}


def _call_with_token(app: WeChatApp, path: str, body: dict) -> dict:
    # The shared token, dropped and fetched once more when WeChat refuses it (another process may
    # have fetched a newer one, which invalidated ours): channels.http's one way of doing it.
    answer = call_with_token(
        app.token_key,
        lambda: _fetch_token(app),
        lambda token: _answer(path, {"access_token": token}, body),
        TOKEN_REFUSED,
    )
    return _checked(answer)


def _fetch_token(app: WeChatApp) -> tuple[str, int]:
    answer = _call(
        "/cgi-bin/token",
        {"grant_type": "client_credential", "appid": app.app_id, "secret": app.secret},
    )
    return answer["access_token"], int(answer["expires_in"])


def _call(path: str, query: dict, body: dict | None = None) -> dict:
    return _checked(_answer(path, query, body))


def _answer(path: str, query: dict, body: dict | None = None) -> dict:
    """WeChat's answer whatever its errcode; unreachable (the URL, which carries the secret or
    the token, is never in the error: channels.http.call): WeChatError(UNREACHABLE)."""
    try:
        return call(PROVIDER, settings.LINLI_WECHAT_API_URL, path.lstrip("/"), query, body)
    except ChannelError as error:
        raise WeChatError(UNREACHABLE, f"{path}: {error.errmsg}") from None


def _checked(answer: dict) -> dict:
    if answer.get("errcode"):
        raise WeChatError(int(answer["errcode"]), str(answer.get("errmsg", "")))
    return answer
