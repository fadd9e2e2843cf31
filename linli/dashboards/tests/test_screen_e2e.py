"""The big screen in a real browser (Debian's chromium via Playwright, 1920×1080) against the
platform's own server (granian running linli.asgi, as `linli serve` does, on the test database):
a kiosk opens its token URL, every chart draws, an alarm raised through the IoT services reaches
the ticker and the counters, nothing in the DOM looks like a name, phone, ID number or plate,
and after the server is stopped and started again the screen reconnects by itself and shows
what happened meanwhile.

    .venv/bin/python -m pytest linli/dashboards/tests/test_screen_e2e.py -m e2e

With LINLI_SCREENSHOTS=docs/screenshots it also saves the screen there (screen-community.png).
"""

import os
import re
import socket
import subprocess
import sys
import time as clock
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from linli.access.models import AccessEvent, AccessPoint
from linli.dashboards.services import daily_figures
from linli.dashboards.services.screens import do_issue_screen_token
from linli.registry.models import Person
from linli.testing import billing_money
from linli.testing import iot as iot_testing
from linli.testing import workorders as wo_testing
from linli.testing.servers import database_url, free_port

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[3]
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
PLATE = re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][A-Z0-9]{5,6}")
# Every chart has drawn something on its canvas (ECharts draws axes and labels even for no data).
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-chart]')].map(el => {
  const canvas = el.querySelector('canvas');
  if (!canvas || !canvas.width || !canvas.height) return false;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return true;
  return false;
})"""


class Server:
    """granian serving linli.asgi on one port, stopped and started again like a restart."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "LINLI_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LINLI_TASKS_BACKEND": "immediate",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        command = [sys.executable, "-m", "granian", "--interface", "asginl", "linli.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--workers", "1", "--no-ws"]
        command += ["--workers-kill-timeout", "2", "--log-level", "warning"]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env)
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            assert self.proc.poll() is None, "the server did not start"
            clock.sleep(0.2)
        raise AssertionError("the server did not listen within a minute")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture
def server(transactional_db):
    served = Server(free_port())
    served.start()
    yield served
    served.stop()


def personal_data_in(page, world) -> list[str]:
    text = page.inner_text("body") + page.content()
    people = Person.objects.filter(community=world.a)
    secrets = [p.name for p in people] + [p.phone for p in people] + [p.id_number for p in people]
    found = [s for s in secrets if s and s in text]
    return found + [m.group(0) for pattern in (PHONE, ID_NUMBER, PLATE) for m in pattern.finditer(text)]


def a_day_so_far(world, crew) -> None:
    """Something for every chart: passages through the gates since midnight, last month's and this
    month's bills, and the daily job's figures."""
    gate = AccessPoint.objects.create(community=world.a, name="南门", kind="community_gate")
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    elapsed = (timezone.now() - midnight).total_seconds()
    AccessEvent.objects.bulk_create(
        AccessEvent(
            community=world.a,
            point=gate,
            at=midnight + timedelta(seconds=elapsed * ((n * 7919) % 400) / 400),
            method="plate" if n % 5 == 0 else "card",
            allowed=True,
            reason="granted",
            direction="in" if n % 2 else "out",
        )
        for n in range(400)
    )
    item = billing_money.fee_item(world.a)
    month = timezone.localdate().replace(day=1)
    last = (month - timedelta(days=1)).replace(day=1)
    for start, paid in ((last, True), (month, True), (month, False)):
        bill = billing_money.bill(
            world.house if paid else world.neighbour_house, item, 22375, period_start=start, due_on=start
        )
        if paid:
            billing_money.pay(bill, 22375)
    wo_testing.report(world, crew)
    daily_figures.do_compute_daily_figures(world.a.id, timezone.localdate())


def test_the_kiosk_screen_draws_goes_live_and_survives_a_server_restart(world, server, chromium):
    site = iot_testing.site(world)
    crew = wo_testing.crew(world)
    a_day_so_far(world, crew)
    _token, raw = do_issue_screen_token(actor=world.admin, community=world.a, label="大厅")
    context = chromium.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    ticker = page.locator("#ticker li")
    try:
        page.goto(f"{server.url}/screen/{world.a.id}/?token={raw}")
        page.wait_for_selector("#screen[data-rendered-at]")
        page.wait_for_selector('#status[data-state="live"]')
        page.wait_for_function(f"() => ({CHARTS_DRAWN})().every(Boolean)")
        assert len(page.evaluate(CHARTS_DRAWN)) == 5
        assert page.locator('[data-key="requests.open"]').inner_text() == "1"
        assert page.locator('[data-key="alarms.critical"]').inner_text() == "0"

        iot_testing.raise_co(site.co)  # as the rule engine raises it
        ticker.filter(has_text="一氧化碳超标").wait_for()
        assert "1号楼" in ticker.first.inner_text() and "紧急" in ticker.first.inner_text()
        page.wait_for_function(
            """() => document.querySelector('[data-key="alarms.critical"]').textContent === '1'"""
        )
        if os.environ.get("LINLI_SCREENSHOTS"):
            page.screenshot(path=str(ROOT / os.environ["LINLI_SCREENSHOTS"] / "screen-community.png"))

        server.stop()
        page.wait_for_selector('#status[data-state="reconnecting"]')
        iot_testing.raise_co(site.smoke, "烟雾报警 · 重启期间")  # while the server is down
        server.start()
        ticker.filter(has_text="重启期间").wait_for(timeout=30_000)  # resumed from Last-Event-ID
        page.wait_for_selector('#status[data-state="live"]')
        page.wait_for_function(
            """() => document.querySelector('[data-key="alarms.critical"]').textContent === '2'"""
        )
        assert ticker.count() == 2

        assert personal_data_in(page, world) == []
        assert violations == []
    finally:
        context.close()
