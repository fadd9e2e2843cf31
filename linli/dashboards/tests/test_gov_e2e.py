"""In a real browser (Debian's chromium via Playwright) against a live server: a street office
drills down the government view from its streets to a community and a grid, switches the period,
opens how a figure is computed, and downloads a report as .xlsx and as PDF. No request fails, no
Content-Security-Policy violation happens, and no name or phone number reaches a page.

    .venv/bin/python -m pytest linli/dashboards/tests/test_gov_e2e.py -m e2e

With LINLI_SCREENSHOTS=docs/screenshots it also saves the community's page there (gov-community.png).
"""

import io
import os
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from linli.dashboards.services import daily_figures
from linli.testing import factories as f
from linli.testing.personas import build_narrowed

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ROOT = Path(__file__).resolve().parents[3]
STREET = "望京街道"


@pytest.fixture
def office(world):
    """A street office over 幸福里 (world.a: 1号楼 and 2号楼 in a grid each, 13 people) and a
    neighbour of 10 on the same street."""
    narrowed = build_narrowed(world)
    for i in range(4):
        f.occupy(f.house(world.house.unit, f"5{i:02d}", floor=5), f.person(world.a, f"甲{i}"), "owner")
    for i in range(5):
        f.occupy(narrowed.other_house, f.person(world.a, f"乙{i}"), "family")
    neighbour = f.community(name="中院")
    flat = f.house(f.unit(f.building(neighbour, "甲栋")), "101")
    for i in range(10):
        f.occupy(flat, f.person(neighbour, f"丙{i}"), "family")
    for c in (world.a, neighbour):
        c.district, c.street = "朝阳区", STREET
        c.save(update_fields=["district", "street"])
    for c in (world.a, neighbour):
        daily_figures.do_compute_daily_figures(c.id, timezone.localdate())
    viewer = f.staff(world.a, "gov_viewer", "street_office")
    f.Membership.objects.create(user=viewer, community=neighbour, role="gov_viewer")
    return viewer, narrowed


def signed_in(chromium, live_server, user):
    context = chromium.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    context.set_default_timeout(30_000)  # the server renders in the test's own process
    context.route("**/events/stream", lambda route: route.abort())
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def test_a_street_office_drills_down_and_downloads_a_report(
    transactional_db, live_server, world, chromium, office
):
    viewer, narrowed = office
    page = signed_in(chromium, live_server, viewer)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    # A download ends its navigation as "aborted": that is the browser saving the file, not a
    # failure; nor is the favicon fetch the browser drops when the page moves on.
    page.on(
        "requestfailed",
        lambda r: (
            None if r.url.split("?")[0].endswith((".xlsx", ".pdf", "favicon.svg")) else problems.append(r.url)
        ),
    )
    page.on("response", lambda r: problems.append(f"{r.url} {r.status}") if r.status >= 400 else None)
    try:
        page.goto(f"{live_server.url}/staff/gov/")
        assert STREET in page.locator("h1").inner_text()  # its one street, straight away
        page.get_by_role("link", name=world.a.name).click()
        page.wait_for_url(f"**/staff/{world.a.id}/dashboards/gov/*")
        real = page.locator("table.gov-table").first.locator("tbody tr td.num").first
        assert real.inner_text() == "13"  # counted by hand: the world's three and ten more
        assert page.get_by_role("link", name=narrowed.grid.name).count() == 1
        if os.environ.get("LINLI_SCREENSHOTS"):
            page.screenshot(
                path=str(ROOT / os.environ["LINLI_SCREENSHOTS"] / "gov-community.png"), full_page=True
            )
        for text in ("王建国", "李小梅", "13800000001"):
            assert text not in page.content()

        page.select_option("#gov-period", "30d")  # submits itself
        page.wait_for_url("**period=30d*")
        assert page.locator("#gov-period").input_value() == "30d"

        page.get_by_role("link", name=narrowed.grid.name).click()
        page.wait_for_url(f"**/dashboards/gov/grids/{narrowed.grid.id}/*")
        page.get_by_role("link", name="实有人口").first.click()
        page.wait_for_url("**/staff/gov/how/population.real/")
        assert "计算方法" in page.content() or "如何计算" in page.content()

        page.goto(f"{live_server.url}/staff/{world.a.id}/dashboards/reports/")
        page.select_option("#month", f"{timezone.localdate():%Y-%m}")  # this month so far
        page.locator("#choose-month button").click()
        page.wait_for_url("**month=*")
        with page.expect_download() as xlsx:
            page.click("#population-xlsx")
        book = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
        cells = {
            str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None
        }
        assert "人口报表" in " ".join(cells) and "13" in cells
        with page.expect_download() as pdf:
            page.click("#population-pdf")
        assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF-")
    finally:
        page.context.close()
    assert problems == []
