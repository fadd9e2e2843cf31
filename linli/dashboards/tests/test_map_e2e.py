"""In a real browser (Debian's chromium via Playwright) against a live server: the manager drags
1号楼 from the list of unplaced objects onto the site plan, drags it across the plan, nudges it
with the arrow keys, and each position is stored; a click opens its panel of houses. No request
fails and no Content-Security-Policy violation happens on the way.

    .venv/bin/python -m pytest linli/dashboards/tests/test_map_e2e.py -m e2e
"""

import os

import pytest
from django.test import Client

from linli.dashboards.models import MapPin

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def desk_of(chromium, live_server, user):
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    context.route("**/events/stream", lambda route: route.abort())
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def on_screen(page, x: float, y: float) -> tuple[float, float]:
    """The window coordinates of a point of the plan given as fractions."""
    return page.evaluate(
        """([x, y]) => {
            const svg = document.querySelector('#site-map svg');
            const box = svg.viewBox.baseVal, m = svg.getScreenCTM();
            const p = svg.createSVGPoint();
            p.x = x * box.width; p.y = y * box.height;
            const at = p.matrixTransform(m);
            return [at.x, at.y];
        }""",
        [x, y],
    )


def drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=12)
    with page.expect_response(lambda r: r.request.method == "PUT" and "/map/pins" in r.url) as saved:
        page.mouse.up()
    assert saved.value.status == 200


def stored(world):
    return MapPin.objects.get(community=world.a, kind="building", object_id=world.building.id)


def test_the_manager_drags_a_building_onto_the_plan_and_its_position_is_stored(
    transactional_db, live_server, world, chromium
):
    page = desk_of(chromium, live_server, world.staff)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"{r.url} {r.failure}"))
    try:
        page.goto(f"{live_server.url}/staff/{world.a.id}/dashboards/map/")
        item = page.locator(f"[data-unplaced-pin='building:{world.building.id}']")
        item.wait_for()
        box = item.bounding_box()
        drag(page, (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2), on_screen(page, 0.3, 0.4))
        pin = stored(world)
        assert abs(pin.x - 0.3) < 0.01 and abs(pin.y - 0.4) < 0.01
        assert page.locator(f"[data-unplaced-pin='building:{world.building.id}']").count() == 0

        placed = page.locator(f"[data-pin='building:{world.building.id}']")
        drag(page, on_screen(page, 0.3, 0.4), on_screen(page, 0.75, 0.6))
        pin = stored(world)
        assert abs(pin.x - 0.75) < 0.01 and abs(pin.y - 0.6) < 0.01

        # The keyboard alternative: selected, three steps right and one up, saved once.
        placed.focus()
        with page.expect_response(lambda r: r.request.method == "PUT" and "/map/pins" in r.url):
            for key in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowUp"):
                page.keyboard.press(key)
        pin = stored(world)
        assert abs(pin.x - 0.78) < 0.011 and abs(pin.y - 0.59) < 0.011

        # A click opens the building's panel: its houses by state.
        x, y = on_screen(page, pin.x, pin.y)
        page.mouse.click(x, y)
        page.locator("#map-panel #house-counts").wait_for()
        assert "出租 1" in page.locator("#map-panel").inner_text()
        assert "1号楼" in page.locator("#map-panel").inner_text()
    finally:
        page.context.close()
    assert problems == []
