"""A fake of WeChat's API server on 127.0.0.1, speaking its published shapes: HTTP 200 with JSON,
`errcode`/`errmsg` on errors. linli's own client (wechat_api.py) talks to it over HTTP exactly as
it talks to api.weixin.qq.com; only the base URL differs."""

import itertools
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

OFFICIAL_APPID, OFFICIAL_SECRET = "wx5e1c0a7f3b2d4e6f", "official-secret-for-tests"
MINI_APPID, MINI_SECRET = "wx9a8b7c6d5e4f3a2b", "mini-secret-for-tests"
SECRETS = {OFFICIAL_APPID: OFFICIAL_SECRET, MINI_APPID: MINI_SECRET}
AUTHORIZE = "/connect/oauth2/authorize"  # open.weixin.qq.com's page, served here too


@dataclass
class FakeWeChat:
    codes: dict = field(default_factory=dict)  # code -> (appid, openid, unionid); a code works once
    tokens: dict = field(default_factory=dict)  # live access token -> appid
    tokens_issued: int = 0
    sent: list = field(default_factory=list)  # (path, body) of every message WeChat accepted
    refusals: list = field(default_factory=list)  # errcodes the next message sends answer, in turn
    calls: list = field(default_factory=list)  # every path asked, in order
    url: str = ""
    resident: str = ""  # the openid of whoever authorises on the authorisation page
    msgids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def code_for(self, openid: str, appid: str = OFFICIAL_APPID, unionid: str = "") -> str:
        """What WeChat hands the resident's browser (or wx.login) for `openid`: a fresh code."""
        code = "0" + secrets.token_hex(15)
        self.codes[code] = (appid, openid, unionid)
        return code

    def authorize(self, query: dict) -> str:
        """The authorisation page (open.weixin.qq.com/connect/oauth2/authorize) as WeChat shows it
        to `resident`, who agrees: where it sends the browser back, with a code and the state."""
        code = self.code_for(self.resident, query.get("appid", ""))
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def revoke_tokens(self) -> None:
        """As when another fetch of the token (from elsewhere) invalidated linli's."""
        self.tokens.clear()

    # --- the endpoints ---------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict, body: dict) -> dict:
        with self._lock:
            self.calls.append(path)
            if path in ("/sns/oauth2/access_token", "/sns/jscode2session"):
                return self._exchange(path, query)
            if path == "/cgi-bin/token":
                return self._token(query)
            if path in ("/cgi-bin/message/template/send", "/cgi-bin/message/subscribe/send"):
                return self._send(path, query, body)
            return {"errcode": 40066, "errmsg": "invalid url"}

    def _exchange(self, path: str, query: dict) -> dict:
        appid = query.get("appid", "")
        if SECRETS.get(appid) != query.get("secret") or query.get("grant_type") != "authorization_code":
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        code = query.get("code") if path == "/sns/oauth2/access_token" else query.get("js_code")
        found = self.codes.pop(code or "", None)  # used once
        if found is None or found[0] != appid:
            return {"errcode": 40029, "errmsg": "invalid code"}
        _appid, openid, unionid = found
        if path == "/sns/jscode2session":
            return {"openid": openid, "session_key": secrets.token_hex(12)} | (
                {"unionid": unionid} if unionid else {}
            )
        return {
            "access_token": secrets.token_hex(16),
            "expires_in": 7200,
            "refresh_token": secrets.token_hex(16),
            "openid": openid,
            "scope": "snsapi_base",
        } | ({"unionid": unionid} if unionid else {})

    def _token(self, query: dict) -> dict:
        appid = query.get("appid", "")
        if SECRETS.get(appid) != query.get("secret") or query.get("grant_type") != "client_credential":
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = f"ACCESS_TOKEN_{secrets.token_hex(8)}"
        self.tokens[token] = appid
        self.tokens_issued += 1
        return {"access_token": token, "expires_in": 7200}

    def _send(self, path: str, query: dict, body: dict) -> dict:
        if query.get("access_token") not in self.tokens:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if not body.get("touser") or not body.get("template_id"):
            return {"errcode": 47001, "errmsg": "data format error"}
        if self.refusals:
            errcode = self.refusals.pop(0)
            return {"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error")}
        self.sent.append((path, body))
        return {"errcode": 0, "errmsg": "ok", "msgid": next(self.msgids)}


ERRMSG = {
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeWeChat

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == AUTHORIZE:
            self.send_response(302)
            self.send_header("Location", self.fake.authorize(query))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        payload = json.dumps(self.fake.answer(method, url.path, query, body), ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def log_message(self, format, *args):  # quiet: the test's own output is what matters
        pass


def serve() -> tuple[FakeWeChat, ThreadingHTTPServer]:
    fake = FakeWeChat()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
