"""In a real browser (Debian's chromium via Playwright) against a live server: 王建国 scans the
code on the bike shed's charger, which opens the charging page with the charger and port 2
chosen; he starts an hour, the charger reports the port charging, and the page counts the hour
down; he stops it from the phone, and the property's console shows the session ended by him.

    .venv/bin/python -m pytest linli/iot/tests/test_e2e_charging.py -m e2e
"""

import os
import time

import pytest
from django.test import Client

from linli.access.tests.test_e2e_access import browser, chromium, signed_in
from linli.iot.models import ChargingSession, Command
from linli.testing import iot

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The access app's browser set-up: the same fixtures, not a copy.
__all__ = ["browser", "chromium"]

INGEST = "/api/v1/iot/ingest/a/ev-b1/status"


def _report(token: str, *states: str) -> None:
    ports = [
        {"port": n, "state": s, "power": 180.0 if s == "charging" else 0} for n, s in enumerate(states, 1)
    ]
    r = Client().post(INGEST, iot.body(token, ts=time.time(), ports=ports), content_type="application/json")
    assert r.status_code == 202, r.content


def test_a_resident_charges_an_hour_from_the_phone_and_stops_it(
    transactional_db, live_server, world, chromium
):
    ev = iot.chargers(world)
    token = ev.tokens["ev-b1"]
    _report(token, "free", "free", "free", "charging")
    base = live_server.url

    owner = signed_in(chromium, live_server, world.owner)
    owner.goto(f"{base}/services/")
    assert owner.locator('[data-tile="charging"]').count() == 1
    owner.goto(f"{base}/iot/charging/?device={ev.ebike.pk}&port=2")  # what the charger's QR code opens
    assert "空闲端口 1、2、3" in owner.locator("#chargers").inner_text()
    assert owner.get_by_label("端口").input_value() == "2"
    owner.get_by_label("时长").select_option("60")
    owner.get_by_role("button", name="开始充电").click()
    owner.get_by_text("已发送开始充电指令").wait_for()
    session = ChargingSession.objects.get()
    assert Command.objects.get(device=ev.ebike).params == {"port": 2, "minutes": 60}

    _report(token, "free", "charging", "free", "charging")
    owner.reload()
    counting = owner.locator(f'#open-sessions [data-session="{session.pk}"]').inner_text()
    assert "充电中" in counting and ("还剩 59 分钟" in counting or "还剩 60 分钟" in counting)

    owner.get_by_role("button", name="结束充电").click()
    owner.get_by_text("已结束充电").first.wait_for()
    assert owner.locator("#open-sessions").count() == 0
    assert "住户结束" in owner.locator("#recent-sessions").inner_text()

    desk = signed_in(chromium, live_server, world.staff, phone=False)
    desk.goto(f"{base}/iot/staff/{world.a.id}/chargers/")
    row = desk.locator(f'#sessions [data-session="{session.pk}"]').inner_text()
    assert "已结束" in row and "住户结束" in row
    assert desk.locator('[data-port="4"][data-state="charging"]').count() == 1
