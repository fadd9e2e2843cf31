"""The floor of bench/api.py: a bare hello app, no Django, served by the same web server with
the same processes and flags as `linli serve`'s web part. Whatever an endpoint costs above this
is linli's (framework, middleware, auth, queries); below it nothing can go on this machine.

bench/api.py swaps `linli.asgi:application` in serve's own web command for `_floor:asgi_app`;
a WSGI server (gunicorn) would name `linli.wsgi:application`, which becomes `_floor:wsgi_app`.
"""

BODY = b'{"status": "ok"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def asgi_app(scope, receive, send):
    if scope["type"] == "lifespan":  # servers that insist on the lifespan protocol get it
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):  # drain a request body (the POST cases)
        pass
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def wsgi_app(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [(k.decode(), v.decode()) for k, v in HEADERS])
    return [BODY]
