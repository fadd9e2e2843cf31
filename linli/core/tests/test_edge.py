"""What the edge in front of Django refuses, and where it sends the rest (linli.core.edge)."""

import asyncio
import json

import pytest

from linli.testing.asgi import call, call_async, served_edge

pytestmark = pytest.mark.django_db(transaction=True)


def never_read():
    async def receive():
        raise AssertionError("the body was read")

    return receive


def test_it_refuses_an_oversized_body_from_its_length_before_reading_it(settings):
    settings.LINLI_MAX_REQUEST_BYTES = 1024 * 1024
    heads = [("content-type", "application/json"), ("content-length", str(1024 * 1024 + 1))]
    with served_edge() as edge:
        status, head, body = asyncio.run(
            call_async(edge, "/api/v1/access/houses/1/passes", headers=heads, receive=never_read())
        )
        assert status == 413 and head["connection"] == "close"
        assert json.loads(body) == {
            "code": "request_too_large",
            "message": "请求内容过大，上限为 1 MB",
            "fields": {},
        }
        english = [*heads, ("accept-language", "en")]
        _status, _head, body = asyncio.run(
            call_async(edge, "/api/v1/access/houses/1/passes", headers=english, receive=never_read())
        )
        assert json.loads(body)["message"] == "The request is too large: at most 1 MB"


def test_it_refuses_a_body_without_a_length():
    heads = [("content-type", "application/json"), ("transfer-encoding", "chunked")]
    with served_edge() as edge:
        status, _head, body = asyncio.run(call_async(edge, "/api/v1/me", headers=heads, receive=never_read()))
    assert (status, json.loads(body)["code"]) == (411, "length_required")


def slow_body(first: bytes, pause: float):
    """Sends the first bytes, then nothing for `pause` seconds (a slow or stalled sender)."""
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": first, "more_body": True}
        await asyncio.sleep(pause)
        return {"type": "http.request", "body": b"}", "more_body": False}

    return receive


def test_a_slow_sender_times_out_without_holding_a_thread(settings):
    settings.LINLI_BODY_TIMEOUT_SECONDS = 0.2
    settings.LINLI_WEB_THREADS = 1
    heads = [("content-type", "application/json"), ("content-length", "2")]
    with served_edge() as edge:

        async def both():
            slow = call_async(edge, "/api/v1/me", headers=heads, receive=slow_body(b"{", 5))
            health = call_async(edge, "/api/v1/health", method="GET")
            return await asyncio.gather(slow, health)

        (slow_status, _h, slow_body_), (health_status, _h2, _b) = asyncio.run(both())
    assert (slow_status, json.loads(slow_body_)["code"]) == (408, "request_timeout")
    assert health_status == 200  # the one thread was free for it meanwhile


def test_it_refuses_new_requests_when_saturated_but_keeps_a_reserve_for_the_doors(settings):
    settings.LINLI_WEB_QUEUE = 1
    with served_edge() as edge:

        async def scene():
            # Started together: the first holds the one place while its view runs on a thread.
            return await asyncio.gather(
                call_async(edge, "/api/v1/me", method="GET"),
                call_async(edge, "/api/v1/health", method="GET"),
                call_async(edge, "/api/v1/me", method="GET"),
            )

        first, health, third = asyncio.run(scene())
        after = call(edge, "/api/v1/me", method="GET")
    assert first[0] == 401  # served: Django answers (not signed in)
    assert health[0] == 200  # health checks and door decisions have a reserve above the limit
    assert (third[0], json.loads(third[2])["code"], third[1]["retry-after"]) == (503, "server_busy", "1")
    assert after[0] == 401  # served again once the queue drained


def test_slow_senders_do_not_fill_the_queue(settings):
    settings.LINLI_WEB_QUEUE = 1
    heads = [("content-type", "application/json"), ("content-length", "2")]
    with served_edge() as edge:

        async def scene():
            slow = asyncio.create_task(
                call_async(edge, "/api/v1/me", headers=heads, receive=slow_body(b"{", 0.5))
            )
            await asyncio.sleep(0.1)  # it is still sending its body
            served = await call_async(edge, "/api/v1/me", method="GET")
            return served, await slow

        served, slow = asyncio.run(scene())
    assert served[0] == 401  # served while the slow one was still sending
    assert slow[0] == 405  # then it was answered by Django too (/me takes no POST), not refused


def test_it_sends_async_views_to_django_asgi_and_the_rest_to_wsgi():
    with served_edge() as edge:
        status, _head, body = call(edge, "/events/stream", method="GET")
        assert (status, json.loads(body)["code"]) == (401, "not_authenticated")
        status, _head, body = call(edge, "/api/v1/health", method="GET")
        assert (status, json.loads(body)["status"]) == (200, "ok")
        status, _head, _body = call(edge, "/no/such/page", method="GET")
        assert status == 404
