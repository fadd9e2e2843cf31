"""The console's patrol page (routes, the week's runs, missed checkpoints named) and grid page
(counts per grid and category, no names), and who may open them."""

from datetime import timedelta

import pytest

from linli.testing import workorders as wo
from linli.testing import workorders_patrols as wp
from linli.testing.walk import text_of
from linli.workorders.services import flow
from linli.workorders.services import patrols as patrol_services


@pytest.mark.django_db
def test_the_patrol_page_names_the_missed_checkpoints(world, browser):
    p = wp.patrols(world)
    run = wp.open_run(world.admin, p.route)
    patrol_services.do_check_in(actor=p.guard, run=run, tag_id=wp.TAGS[0])
    assert patrol_services.close_missed(run.window_end + timedelta(minutes=1)) == 1
    page = text_of(browser(world.staff).get(f"/workorders/staff/{world.a.id}/patrols/"))
    assert "夜间巡逻" in page and "1/3" in page
    assert "地下泵房、1号楼天台" in page and "漏检" in page
    assert browser(world.owner).get(f"/workorders/staff/{world.a.id}/patrols/").status_code in (302, 403, 404)


@pytest.mark.django_db
def test_the_grid_page_counts_without_names(world, browser):
    c = wo.crew(world)
    grid = world.a.grids.create(name="一网格")
    grid.buildings.add(world.building)
    order = wo.report(world, c)
    for action in ("start", "complete"):
        order = flow.do_transition(actor=world.technician, request=order, action=action)
    wo.report(world, c, "又漏了")
    page = text_of(browser(world.grid_worker).get(f"/workorders/staff/{world.a.id}/grids/?days=7"))
    assert "一网格" in page and "水管漏水" in page
    assert "王建国" not in page and "13800000001" not in page
    # A technician reads no statistics; the counter neither.
    for user in (world.technician, world.front_desk):
        assert browser(user).get(f"/workorders/staff/{world.a.id}/grids/").status_code in (403, 404)
    assert browser(world.staff).get(f"/workorders/staff/{world.a.id}/grids/?days=x").status_code == 200


@pytest.mark.django_db
def test_the_grid_map_colours_buildings_by_grid_and_shows_open_requests(world, browser):
    from linli.testing.personas import build_narrowed

    c = wo.crew(world)
    narrowed = build_narrowed(world)  # 一网格: 1号楼, 二网格: 2号楼
    wo.report(world, c)
    page = text_of(browser(world.staff).get(f"/workorders/staff/{world.a.id}/map/"))
    assert "1号楼" in page and "2号楼" in page and "一网格" in page and "二网格" in page
    assert "1号楼 · 一网格 · 未办结 1" in page and "2号楼 · 二网格 · 未办结 0" in page
    # The grid worker of 一网格 sees their building only.
    page = text_of(browser(narrowed.grid_worker).get(f"/workorders/staff/{world.a.id}/map/"))
    assert "1号楼" in page and "2号楼" not in page
    assert browser(world.owner).get(f"/workorders/staff/{world.a.id}/map/").status_code in (302, 403, 404)
