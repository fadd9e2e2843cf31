"""The big screen's ticker stream, read through Django's ASGI test client as the screen's
EventSource reads it: new alarms and requests of the screen's communities, rebuilt from what a
screen may show; resumed from Last-Event-ID; closed once its token is revoked."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction
from django.test import AsyncClient

from linli.core.events import publish
from linli.core.models import OutboxEvent
from linli.dashboards import screen_stream
from linli.dashboards.services.screens import do_issue_screen_token, do_revoke_screen_token
from linli.notify import streams
from linli.notify.services import notify
from linli.testing import iot as iot_testing
from linli.testing import workorders as wo_testing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick(settings, monkeypatch):
    settings.LINLI_SSE_POLL_SECONDS = 0.02
    settings.LINLI_SSE_HEARTBEAT_SECONDS = 0.05
    settings.LINLI_SSE_MAX_SECONDS = 30
    monkeypatch.setattr(streams, "RECHECK_SECONDS", 0.05)


def parse(chunk: str) -> dict:
    fields = {}
    for line in chunk.strip("\n").split("\n"):
        name, _, value = line.partition(": ")
        fields[name] = value
    return fields


def events(frames, name):
    return [f for f in frames if f.get("event") == name]


async def read(path: str, *, headers=None, until, during=None, user=None, limit=200):
    """Opens the stream, runs `during` (in a thread) once it is live, reads until `until(frames)`."""
    client = AsyncClient()
    if user is not None:
        await client.aforce_login(user)
    response = await client.get(path, headers=headers or {})
    if response.status_code != 200:
        return response, []
    frames: list[dict] = []
    chunks = aiter(response.streaming_content)
    try:
        while not events(frames, "ready"):
            frames.append(parse((await anext(chunks)).decode()))
        if during is not None:
            await asyncio.get_running_loop().run_in_executor(None, during)
        while not until(frames) and len(frames) < limit:
            try:
                frames.append(parse((await asyncio.wait_for(anext(chunks), timeout=5)).decode()))
            except StopAsyncIteration:
                break
    finally:
        await response.streaming_content.aclose()
    return response, frames


def kiosk(world, **kw):
    token, raw = do_issue_screen_token(actor=world.admin, community=world.a, label="大厅", **kw)
    return token, f"/screen/{world.a.id}/stream?token={raw}"


def tickers(frames) -> list[dict]:
    return [json.loads(f["data"]) for f in events(frames, "ticker")]


def test_a_new_alarm_reaches_the_screen_as_title_severity_and_building(world):
    site = iot_testing.site(world)
    _token, path = kiosk(world)

    def happen():
        with transaction.atomic():
            notify(users=[world.staff], kind="test", title="王建国的私信", body="", community_id=world.a.id)
        iot_testing.raise_co(site.co)

    _r, frames = async_to_sync(read)(path, during=happen, until=lambda fs: events(fs, "ticker"))
    [item] = tickers(frames)
    assert item == {
        "kind": "alarm",
        "title": "一氧化碳超标 · 车库",
        "severity": "critical",
        "label": "紧急",
        "building": "1号楼",
        "at": item["at"],
    }
    assert "王建国" not in json.dumps([f.get("data", "") for f in frames], ensure_ascii=False)


def test_a_new_request_shows_its_kind_category_and_building_only(world):
    crew = wo_testing.crew(world)
    _token, path = kiosk(world)
    _r, frames = async_to_sync(read)(
        path,
        during=lambda: wo_testing.report(world, crew, "王建国家厨房漏水"),
        until=lambda fs: events(fs, "ticker"),
    )
    [item] = tickers(frames)
    assert {k: item[k] for k in ("kind", "title", "label", "building")} == {
        "kind": "request",
        "title": "水管漏水",
        "label": "报修",
        "building": "1号楼",
    }
    assert "王建国" not in json.dumps(frames, ensure_ascii=False)


def test_another_communitys_alarm_never_reaches_the_screen(world):
    _token, path = kiosk(world)
    OutboxEvent.objects.all().delete()

    def happen():
        publish(
            screen_stream.ALARM_TOPIC, {"change": "raised", "title": "和平苑火警"}, community_id=world.b.id
        )
        publish(screen_stream.ALARM_TOPIC, {"change": "cleared", "title": "x"}, community_id=world.a.id)

    _r, frames = async_to_sync(read)(path, during=happen, until=lambda fs: events(fs, "changed"))
    assert tickers(frames) == []
    assert "和平苑火警" not in json.dumps(frames, ensure_ascii=False)


def test_a_reconnecting_screen_resumes_from_its_last_event_id(world):
    site = iot_testing.site(world)
    _token, path = kiosk(world)
    last = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    iot_testing.raise_co(site.co, "一氧化碳超标 · 重连期间")  # while the screen was away
    _r, frames = async_to_sync(read)(
        path, headers={"Last-Event-ID": str(last)}, until=lambda fs: events(fs, "ticker")
    )
    assert [t["title"] for t in tickers(frames)] == ["一氧化碳超标 · 重连期间"]


def test_revoking_the_token_closes_an_open_stream(world):
    token, path = kiosk(world)
    _r, frames = async_to_sync(read)(
        path,
        during=lambda: do_revoke_screen_token(actor=world.admin, token=token),
        until=lambda fs: events(fs, "closed"),
    )
    [closed] = events(frames, "closed")
    assert json.loads(closed["data"])["message"] == "此大屏已停止授权"
    again, _frames = async_to_sync(read)(path, until=lambda fs: True)
    assert again.status_code == 403 and json.loads(again.content)["code"] == "screen_token_revoked"


def test_staff_stream_their_screen_and_others_are_refused(world):
    _r, frames = async_to_sync(read)(f"/screen/{world.a.id}/stream", user=world.staff, until=lambda fs: True)
    assert events(frames, "ready")
    refused, _frames = async_to_sync(read)(
        f"/screen/{world.a.id}/stream", user=world.front_desk, until=lambda fs: True
    )
    assert refused.status_code == 404
    anonymous, _frames = async_to_sync(read)(f"/screen/{world.a.id}/stream", until=lambda fs: True)
    assert anonymous.status_code == 401
