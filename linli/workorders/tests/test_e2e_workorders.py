"""In a real browser (Debian's chromium via Playwright) against a live server: the leaking pipe.
王建国 reports a leak with a photo from his phone, it is dispatched by itself to the plumber on
duty, who acknowledges, sets off, starts and finishes it from his phone; 王建国 sees it done,
rates it five stars, and the desk's boards show it closed.

    .venv/bin/python -m pytest linli/workorders/tests/test_e2e_workorders.py -m e2e
"""

import io
import os

import pytest
from PIL import Image

from linli.access.tests.test_e2e_access import browser, chromium, signed_in
from linli.testing import workorders as wo
from linli.workorders.choices import Status
from linli.workorders.models import Request

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The access app's browser set-up (Debian's chromium, one context per test, the event stream
# cut so pages poll): the same fixtures, not a copy.
__all__ = ["browser", "chromium"]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "steelblue").save(buffer, "JPEG")
    return buffer.getvalue()


def _watched(page, refused: list):
    """The page, reporting what the Content-Security-Policy refused and any failed request."""
    page.on("console", lambda msg: "Content Security Policy" in msg.text and refused.append(msg.text))
    page.on("response", lambda r: r.status >= 400 and refused.append(f"{r.status} {r.url}"))
    return page


def test_the_leaking_pipe_from_report_to_five_stars(transactional_db, live_server, world, chromium):
    wo.crew(world)  # the plumber on duty, auto-dispatch
    base, refused = live_server.url, []

    owner = _watched(signed_in(chromium, live_server, world.owner), refused)
    owner.goto(f"{base}/services/")
    owner.locator('[data-tile="report"]').click()
    owner.get_by_role("link", name="水管漏水").click()
    owner.get_by_label("问题描述").fill("厨房水管漏水，地面积水")
    owner.get_by_label("厨房").check()
    owner.locator("#id_photo").set_input_files(
        files=[{"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    owner.get_by_role("button", name="提交").click()
    owner.get_by_text("已提交，物业会尽快处理").wait_for()
    order = Request.objects.get()
    assert owner.url == f"{base}/workorders/my/{order.id}"
    assert order.assignee_id == world.technician.id and order.attachments.count() == 1
    assert (
        "已派单" in owner.locator("#progress").inner_text()
        and "位置" in owner.locator("#progress").inner_text()
    )
    # The photo is a separate request: wait until the browser has decoded it.
    owner.wait_for_function("() => document.querySelector('#photos img')?.naturalWidth > 0")

    tech = _watched(signed_in(chromium, live_server, world.technician), refused)
    tech.goto(f"{base}/workorders/staff/{world.a.id}/")
    tech.locator("#queue").get_by_role("link").first.click()
    assert "138****0001" in tech.locator("#order").inner_text()
    for label in ("接单", "出发", "开始处理"):
        tech.get_by_role("button", name=label, exact=True).click()
        tech.get_by_text(f"已{label}").wait_for()
    tech.get_by_placeholder("说明（选填）").fill("已更换水管接头")
    tech.get_by_role("button", name="完成", exact=True).click()
    tech.get_by_text("已完成").first.wait_for()

    owner.reload()
    assert "已完成" in owner.locator("#progress").inner_text()
    assert "已更换水管接头" in owner.locator("#timeline").inner_text()
    owner.get_by_label("★★★★★").check()
    owner.get_by_label("准时").check()
    owner.get_by_role("button", name="提交评价").click()
    owner.get_by_text("感谢您的评价").wait_for()
    order.refresh_from_db()
    assert (order.status, order.rating, order.rating_tags) == (Status.CLOSED, 5, ["准时"])

    desk = _watched(signed_in(chromium, live_server, world.staff, phone=False), refused)
    desk.goto(f"{base}/workorders/staff/{world.a.id}/dispatch/")
    desk.locator("#f-status").select_option("closed")
    desk.get_by_role("button", name="筛选").click()
    desk.locator("#board").get_by_role("link", name="水管漏水").wait_for()
    assert "已关闭" in desk.locator("#board").inner_text()
    desk.goto(f"{base}/workorders/staff/{world.a.id}/sla/")
    assert "100%" in desk.locator("#stats").inner_text()  # resolved on time
    assert refused == []
