"""Calling an ASGI application in-process, as a server would: one request, its answer."""

import asyncio
from contextlib import contextmanager


def body_once(body: bytes):
    """A receive() that sends the body in one message, then waits as an open connection does."""
    done = False

    async def receive():
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(30)
        return {"type": "http.disconnect"}

    return receive


async def call_async(app, path, *, method="POST", headers=(), receive=None, body=b""):
    """(status, headers, body) of one request; `receive` replaces the one-message body."""
    sent = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *[(k.encode(), v.encode()) for k, v in headers]],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await app(scope, receive or body_once(body), send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, content


def call(app, path, body=b"", headers=(), method="POST"):
    return asyncio.run(call_async(app, path, method=method, headers=headers, body=body))


@contextmanager
def served_edge():
    """A fresh edge around Django's two handlers, as linli.asgi builds it; its threads' database
    connections are closed when the test ends."""
    from django.core.asgi import get_asgi_application
    from django.core.wsgi import get_wsgi_application

    from linli.core.edge import Edge

    edge = Edge(wsgi=get_wsgi_application(), asgi=get_asgi_application())
    try:
        yield edge
    finally:
        edge.close()
