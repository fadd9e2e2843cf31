"""The one way this app calls WeChat, WeCom and DingTalk: JSON over HTTPS with urllib, as billing's
providers do (a few small synchronous calls need no HTTP library of their own).

Their URLs carry the access token (`?access_token=…`), so an error raised here names the
provider and the path only, never the URL: what is logged from it can hold no secret.
"""

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlencode

from linli.channels import access_tokens

TIMEOUT_SECONDS = 10.0


class ChannelError(Exception):
    """A provider could not be reached or refused a call: `errcode` is its own code (0 when the
    call did not get an answer at all), `errmsg` its words."""

    def __init__(self, provider: str, path: str, errcode: int = 0, errmsg: str = ""):
        self.provider, self.path, self.errcode, self.errmsg = provider, path, errcode, errmsg
        super().__init__(f"{provider} {path}: errcode {errcode} {errmsg}".strip())


def checked(provider: str, path: str, answer: dict) -> dict:
    """The answer, if its errcode is 0 (or absent); else ChannelError."""
    if answer.get("errcode", 0) != 0:
        raise ChannelError(provider, path, int(answer["errcode"]), str(answer.get("errmsg", "")))
    return answer


def call(provider: str, base_url: str, path: str, query: dict, body: dict | None = None) -> dict:
    """GET (or POST `body` as JSON to) `base_url/path?query` and return the JSON answer, whatever
    its errcode: the caller decides what an errcode means."""
    url = f"{base_url.rstrip('/')}/{path}?{urlencode(query)}"
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    headers = {"Content-Type": "application/json; charset=utf-8"} if data else {}
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            found = json.loads(answer.read())
    except urllib.error.HTTPError as error:
        raise ChannelError(provider, path, errmsg=f"HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        # `from None`: the chained urllib error would print the URL and its token.
        raise ChannelError(provider, path, errmsg=type(error).__name__) from None
    if not isinstance(found, dict):
        raise ChannelError(provider, path, errmsg="not a JSON object")
    return found


def call_with_token(
    token_key: str, fetch: access_tokens.Fetch, send: Callable[[str], dict], refused: set[int]
) -> dict:
    """`send(token)` with the shared access token of `token_key`; a token the provider refuses
    (an errcode in `refused`: invalid or expired) is dropped and the call made once more with a
    fresh one. The answer is returned whatever its errcode."""
    token = access_tokens.current(token_key, fetch)
    answer = send(token)
    if answer.get("errcode") in refused:
        access_tokens.invalidate(token_key, token)
        answer = send(access_tokens.current(token_key, fetch))
    return answer
