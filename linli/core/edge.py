"""The edge of every request `linli serve` answers: which Django handler serves it, and what is
refused before Django sees it (docs/decisions/0005-serving.md, docs/api.md "Errors").

- Request/response views run on Django's WSGI handler in a pool of threads (a2wsgi). The threads
  live as long as the process and keep their database connection (CONN_MAX_AGE).
- Async views (the event stream) run on Django's ASGI handler, on the event loop: an open stream
  costs a socket and a coroutine, not a thread.
- A body larger than LINLI_MAX_REQUEST_BYTES is refused with 413 from its Content-Length, before
  a byte of it is read; a body without a length (chunked) is refused with 411, so no body is ever
  read or spooled to learn its size.
- A body is read whole on the event loop before a thread takes the request; one that does not
  arrive within LINLI_BODY_TIMEOUT_SECONDS is refused with 408 (a slow sender holds a socket,
  never a thread). Headers have their own deadline in the server (serve.py).
- When LINLI_WEB_QUEUE requests already wait for or hold a thread in this process, a new one is
  refused with 503 and Retry-After: the client learns at once instead of timing out in a queue
  that only grows. Terminals' door decisions have a reserve above that limit, so that a burst of
  page loads never keeps a gate shut.
"""

import asyncio
import functools
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.db import connections
from django.urls import Resolver404, get_resolver
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Paths whose requests may use the reserve above LINLI_WEB_QUEUE (terminals and health checks).
RESERVED_PATHS = {"/api/v1/access/decide", "/api/v1/health"}
RESERVE_FACTOR = 2
RETRY_AFTER_SECONDS = 1
MESSAGES = {
    "length_required": _("请求必须带有 Content-Length"),
    "request_too_large": _("请求内容过大，上限为 %(mb)s MB"),
    "server_busy": _("服务器繁忙，请稍后重试"),
    "request_timeout": _("请求内容发送超时"),
}


def _replay(body: bytes, receive):
    """A receive() that hands the already-read body over, then waits for the disconnect."""
    sent = False

    async def replayed():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


@functools.lru_cache(maxsize=4096)
def is_async_view(path: str) -> bool:
    """Whether Django's URLconf sends this path to a coroutine view. Cached: the answer only
    depends on the path, and a bounded cache keeps hostile paths from growing it."""
    try:
        match = get_resolver().resolve(path)
    except Resolver404:
        return False
    return asyncio.iscoroutinefunction(match.func)


def language_of(accept_language: str) -> str:
    """The supported language an Accept-Language header asks for first, else the default."""
    for code, _quality in parse_accept_lang_header(accept_language):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


async def send_json(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    """One whole JSON answer over ASGI."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def close_pool(pool: ThreadPoolExecutor) -> None:
    """Closes the database connection each thread of the pool keeps, and stops the pool: tests
    end with no connection left open (PostgreSQL drops the test database only then)."""
    threads = pool._max_workers
    barrier = threading.Barrier(threads)

    def close_mine():
        connections.close_all()
        barrier.wait(timeout=10)  # keeps this thread busy so that every thread gets one

    for future in [pool.submit(close_mine) for _thread in range(threads)]:
        future.result()
    pool.shutdown(wait=True)


class Edge:
    def __init__(self, *, wsgi: Callable, asgi: Callable):
        self.threads = settings.LINLI_WEB_THREADS
        self.wsgi = WSGIMiddleware(wsgi, workers=self.threads)
        self.asgi = asgi
        self.limit = settings.LINLI_WEB_QUEUE
        self.in_flight = 0  # requests of this process waiting for or holding a thread

    def close(self) -> None:
        close_pool(self.wsgi.executor)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or is_async_view(scope["path"]):
            await self.asgi(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if refusal := self._refusal(scope, headers):
            await self._refuse(send, headers, *refusal)
            return
        body = await self._body(receive)
        if body is None:
            await self._refuse(send, headers, 408, "request_timeout")
            return
        # Counted from here only: clients still sending their bodies hold no thread, and slow
        # senders must not fill the queue that keeps the others' requests moving.
        self.in_flight += 1
        try:
            await self.wsgi(scope, _replay(body, receive), send)
        finally:
            self.in_flight -= 1

    async def _body(self, receive) -> bytes | None:
        """The whole body, read here on the event loop so that a client sending it slowly holds
        a socket, not one of the few threads; None when it does not arrive in time. Its size is
        already known to be within the limit."""
        chunks = []
        try:
            async with asyncio.timeout(settings.LINLI_BODY_TIMEOUT_SECONDS):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return b""  # the client left: Django answers no one, cheaply
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body"):
                        return b"".join(chunks)
        except TimeoutError:
            return None

    def _refusal(self, scope, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
        length = headers.get(b"content-length")
        if length is None and b"transfer-encoding" in headers and scope["method"] in BODY_METHODS:
            return 411, "length_required"
        if length is not None and (not length.isdigit() or int(length) > settings.LINLI_MAX_REQUEST_BYTES):
            return 413, "request_too_large"
        limit = self.limit * RESERVE_FACTOR if scope["path"] in RESERVED_PATHS else self.limit
        if self.in_flight >= limit:
            return 503, "server_busy"
        return None

    async def _refuse(self, send, headers: dict[bytes, bytes], status: int, code: str):
        with translation.override(language_of(headers.get(b"accept-language", b"").decode("latin-1"))):
            message = str(MESSAGES[code]) % {"mb": settings.LINLI_MAX_REQUEST_BYTES // (1024 * 1024)}
            body = json.dumps({"code": code, "message": message, "fields": {}}, ensure_ascii=False).encode()
        extra = [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())] if status == 503 else []
        # Connection: close, as an unread body must not be taken for the next request.
        await send_json(send, status, body, [(b"connection", b"close"), *extra])
