"""Access events are listed by when they happened, not by when they were stored: an offline
terminal uploads its morning's events in the afternoon, after newer online ones."""

import uuid
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from linli.access import services
from linli.access.models import AccessEvent
from linli.access.services.terminals import UploadedEvent


def _events_stored_out_of_order(site) -> list[int]:
    """Three online events now, then an offline batch from 3 to 1 hours ago (two at the same
    instant) stored last: by id the newest, by time the oldest. Returns the ids by time."""
    for _ in range(3):
        services.do_decide(terminal=site.terminal("door"), method="card", card="DEAD0001")
    now = timezone.now()
    batch = [
        UploadedEvent(
            id=uuid.uuid4(),
            at=now - timedelta(hours=h),
            method="card",
            allowed=False,
            reason="unknown_credential",
        )
        for h in (3, 1, 2, 2)
    ]
    services.do_upload_events(terminal=site.terminal("door"), events=batch)
    ids_by_time = list(AccessEvent.objects.order_by("-at", "-id").values_list("id", flat=True))
    assert ids_by_time != sorted(ids_by_time, reverse=True)  # the case at hand
    return ids_by_time


def test_it_lists_events_in_the_api_by_time_newest_first_across_pages(world, site, api):
    expected = _events_stored_out_of_order(site)
    client = api(world.staff)
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get(f"/communities/{world.a.id}/access/events", params).json()
        seen += [e["id"] for e in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == expected  # every event once, by time, ties by id


def test_it_lists_events_in_the_console_and_on_the_gate_screen_by_time(world, site):
    expected = _events_stored_out_of_order(site)
    times = [timezone.localtime(AccessEvent.objects.get(pk=pk).at).strftime("%H:%M") for pk in expected]
    client = Client()
    client.force_login(world.admin)
    for path in (f"/access/c/{world.a.id}/events/", f"/access/c/{world.a.id}/gate/{site.door.id}/"):
        html = client.get(path).content.decode()
        positions = [html.index(t) for t in dict.fromkeys(times)]
        assert positions == sorted(positions), path
