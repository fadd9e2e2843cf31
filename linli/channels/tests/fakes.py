"""WeCom's and DingTalk's servers, as far as linli speaks to them, on 127.0.0.1: the same paths,
parameters and answers (errcodes included) as the real ones, so that the code under test is the
code production runs. Each keeps what it was sent for the test to read."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeServer:
    """A JSON API on a free port of 127.0.0.1: `route(method, path, query, body) -> answer`."""

    def __init__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                with fake.lock:
                    fake.calls.append((method, parts.path, query))
                    answer = fake.route(method, parts.path.lstrip("/"), query, body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def log_message(self, *args):
                pass

        self.lock = threading.Lock()
        self.calls: list[tuple[str, str, dict]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def route(self, method: str, path: str, query: dict, body) -> dict:
        raise NotImplementedError

    def called(self, path: str) -> int:
        return sum(1 for _method, p, _query in self.calls if p == f"/{path}")


class FakeWeCom(FakeServer):
    """A corp with one self-built app (corp id, agent id, secret) and its members by mobile."""

    def __init__(self, corp_id: str, agent_id: int, secret: str, members: dict[str, str]):
        self.corp_id, self.agent_id, self.secret = corp_id, agent_id, secret
        self.members = dict(members)  # mobile -> userid
        self.valid_tokens: set[str] = set()
        self.issued = 0
        self.refuse_tokens = False  # every token refused (40014), as after a secret was reset
        self.sent: list[dict] = []
        super().__init__()

    def expire_all(self) -> None:
        """The tokens handed out so far lapse (another system fetched with the same secret...)."""
        self.valid_tokens.clear()

    def route(self, method, path, query, body):
        if path == "cgi-bin/gettoken":
            if query.get("corpid") != self.corp_id:
                return {"errcode": 40013, "errmsg": "invalid corpid"}
            if query.get("corpsecret") != self.secret:
                return {"errcode": 40001, "errmsg": "invalid credential"}
            self.issued += 1
            token = f"wecom-token-{self.issued}"
            self.valid_tokens.add(token)
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if self.refuse_tokens or query.get("access_token") not in self.valid_tokens:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if path == "cgi-bin/user/getuserid" and method == "POST":
            userid = self.members.get(body.get("mobile", ""))
            if userid is None:
                return {"errcode": 46004, "errmsg": "mobile not exists"}
            return {"errcode": 0, "errmsg": "ok", "userid": userid}
        if path == "cgi-bin/message/send" and method == "POST":
            return self._send(body)
        return {"errcode": 404, "errmsg": "no such api"}

    def _send(self, body: dict) -> dict:
        if body.get("agentid") != self.agent_id or body.get("msgtype") != "textcard":
            return {"errcode": 40056, "errmsg": "invalid agentid"}
        card = body.get("textcard") or {}
        if not card.get("title") or not card.get("description") or not card.get("url"):
            return {"errcode": 44004, "errmsg": "empty content"}
        known = set(self.members.values())
        touser = [u for u in str(body.get("touser", "")).split("|") if u]
        invalid = [u for u in touser if u not in known]
        if touser and len(invalid) == len(touser):
            return {
                "errcode": 81013,
                "errmsg": "user & party & tag all invalid",
                "invaliduser": "|".join(invalid),
            }
        self.sent.append(body)
        return {
            "errcode": 0,
            "errmsg": "ok",
            "invaliduser": "|".join(invalid),
            "msgid": f"msg{len(self.sent)}",
        }


class FakeDingTalk(FakeServer):
    """One custom robot of a staff group, with 加签: it checks the timestamp and the signature as
    DingTalk does (computed here from the secret, not by linli's code); and one internal app of
    the corp (AppKey, AppSecret, AgentId) with its members by mobile, for work notifications."""

    def __init__(self, token: str, secret: str, app: tuple[str, str, int], members: dict[str, str]):
        self.token, self.secret = token, secret
        self.app_key, self.app_secret, self.agent_id = app
        self.members = dict(members)  # mobile -> userid
        self.valid_tokens: set[str] = set()
        self.issued = 0
        self.sent: list[dict] = []  # robot cards
        self.notices: list[dict] = []  # work notifications
        super().__init__()

    def route(self, method, path, query, body):
        if path == "robot/send" and method == "POST":
            return self._robot(query, body)
        if path == "gettoken":
            if (query.get("appkey"), query.get("appsecret")) != (self.app_key, self.app_secret):
                return {"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"}
            self.issued += 1
            token = f"dingtalk-token-{self.issued}"
            self.valid_tokens.add(token)
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if query.get("access_token") not in self.valid_tokens:
            return {"errcode": 88, "sub_code": "40014", "errmsg": "不合法的access_token"}
        if path == "topapi/v2/user/getbymobile" and method == "POST":
            userid = self.members.get(body.get("mobile", ""))
            if userid is None:
                return {"errcode": 60121, "errmsg": "找不到该用户"}
            return {"errcode": 0, "errmsg": "ok", "result": {"userid": userid}, "request_id": "r1"}
        if path == "topapi/message/corpconversation/asyncsend_v2" and method == "POST":
            card = body.get("msg", {}).get("action_card", {})
            if (
                body.get("agent_id") != self.agent_id
                or not card.get("single_url")
                or not body.get("userid_list")
            ):
                return {"errcode": 40035, "errmsg": "缺少参数"}
            self.notices.append(body)
            return {"errcode": 0, "errmsg": "ok", "task_id": len(self.notices), "request_id": "r2"}
        return {"errcode": 404, "errmsg": "no such api"}

    def _robot(self, query, body):
        if query.get("access_token") != self.token:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        timestamp = query.get("timestamp", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
            return {"errcode": 310000, "errmsg": "invalid timestamp"}
        digest = hmac.new(
            self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256
        ).digest()
        if query.get("sign") != base64.b64encode(digest).decode():
            return {"errcode": 310000, "errmsg": "sign not match"}
        if body.get("msgtype") != "markdown" or not body.get("markdown", {}).get("text"):
            return {"errcode": 40035, "errmsg": "缺少参数 json"}
        self.sent.append(body)
        return {"errcode": 0, "errmsg": "ok"}
