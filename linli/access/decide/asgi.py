"""An ASGI fast path for POST /api/v1/access/decide, in front of the Django application.

Why: the door decision's budget is 1,000 decisions/s on 2 cores, and through the ordinary
route (Django's middleware and Ninja, on the WSGI thread pool of linli.core.edge) it reached
773/s; this path reached 1,418/s on the same server in the same run (docs/benchmarks.md,
docs/decisions/0003-decision-fast-path.md). Terminals need none of the browser layers (session,
cookie, CSRF, static files). This wrapper serves that one path with the same code as the Ninja
route (terminal_auth.authenticate, edge.decide, the same schemas and error shape) on a small
pool of long-lived threads that keep their database connection; every other request goes to
the edge untouched. The Ninja route stays the documented contract and fallback.
"""

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, connection
from django.utils import translation
from django.utils.translation import gettext as _

from linli.core.edge import close_pool, language_of, send_json

log = logging.getLogger(__name__)

PATH = "/api/v1/access/decide"
MAX_BODY = 8 * 1024 * 1024  # a camera frame in base64


def _json(status: int, payload: dict, extra: list | None = None) -> tuple[int, bytes, list]:
    return status, json.dumps(payload, ensure_ascii=False).encode(), extra or []


def _error(status: int, code: str, message: str, fields: dict | None = None):
    return _json(status, {"code": code, "message": message, "fields": fields or {}})


class TerminalFastPath:
    def __init__(self, app, threads: int = 4):
        # Imported here, once Django's apps are loaded (this module is imported before that).
        from pydantic import ValidationError

        from linli.access.decide import edge
        from linli.access.schemas import DecideIn
        from linli.access.terminal_auth import authenticate
        from linli.core.context import new_request_id, request_id_var
        from linli.core.errors import ServiceError, field_errors

        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="linli-decide")
        self._decide, self._schema, self._authenticate = edge.decide, DecideIn, authenticate
        self._invalid, self._service_error = ValidationError, ServiceError
        self._field_errors = field_errors  # messages in the terminal's language, as the API's
        self._request_id, self._new_request_id = request_id_var, new_request_id

    def close(self) -> None:
        """Closes the pool threads' database connections and stops them (tests, shutdown)."""
        close_pool(self.pool)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                status, payload, extra = _error(413, "too_large", "request body too large")
                break
            if not message.get("more_body"):
                headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
                query = scope.get("query_string", b"").decode("latin-1")
                full_path = PATH + (f"?{query}" if query else "")
                loop = asyncio.get_running_loop()
                status, payload, extra = await loop.run_in_executor(
                    self.pool, self.handle, headers, full_path, bytes(body)
                )
                break
        await send_json(send, status, payload, extra)

    def handle(self, headers: dict, full_path: str, body: bytes) -> tuple[int, bytes, list]:
        incoming = headers.get("x-request-id", "")[:40]
        request_id = incoming if incoming.isalnum() else self._new_request_id()
        token = self._request_id.set(request_id)
        extra = [(b"x-request-id", request_id.encode())]
        try:
            with translation.override(language_of(headers.get("accept-language", ""))):
                status, payload, more = self._answer(headers, full_path, body)
                return status, payload, more + extra
        except DatabaseError:
            log.exception("decision fast path: database error")
            connection.close()  # this thread reconnects on its next request
            return _error(500, "server_error", "database error")
        finally:
            self._request_id.reset(token)

    def _answer(self, headers: dict, full_path: str, body: bytes):
        try:
            terminal = self._authenticate(lambda name: headers.get(name.lower(), ""), "POST", full_path, body)
            if terminal is None:
                return _error(401, "not_authenticated", _("请先登录"))
            data = self._schema.model_validate_json(body)
            answer, took_ms = self._decide(terminal, data)
        except self._service_error as exc:
            return _json(exc.status, exc.as_dict())
        except self._invalid as exc:
            fields = self._field_errors(exc.errors())
            return _error(422, "invalid_input", _("提交的数据有误，请检查后重试"), fields)
        timing = [(b"server-timing", f"decide;dur={took_ms:.2f}".encode())]
        return 200, answer.model_dump_json().encode(), timing
