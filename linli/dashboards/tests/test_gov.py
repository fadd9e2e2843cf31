"""The government view (GRID-3) through its pages and API: figures against hand-counted
fixtures, who sees which communities, the period selector, and how each figure is computed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.dashboards import gov
from linli.dashboards.models import DailyFigure
from linli.dashboards.services import daily_figures
from linli.testing import factories as f
from linli.testing.personas import build_narrowed
from linli.testing.walk import text_of

pytestmark = pytest.mark.django_db


def figures_of(row: dict) -> dict:
    return {x["key"]: (x["value"], x["note"]) for x in row["figures"]}


def put(c, day, metric: str, value: int, part: str = ""):
    DailyFigure.objects.update_or_create(
        community=c, day=day, metric=metric, part=part, defaults={"value": value}
    )


@pytest.fixture
def residents(world):
    """1号楼: the world's three (one of them from elsewhere) and four more; 2号楼: 钱二楼 and
    five more; a grid each. Counted by hand: 13 people, 7 and 6, one floating."""
    narrowed = build_narrowed(world)
    for i in range(4):
        f.occupy(f.house(world.house.unit, f"5{i:02d}", floor=5), f.person(world.a, f"甲{i}"), "owner")
    for i in range(5):
        f.occupy(narrowed.other_house, f.person(world.a, f"乙{i}"), "family")
    daily_figures.do_compute_daily_figures(world.a.id, timezone.localdate())
    return narrowed


def test_it_counts_a_community_from_its_residents_through_the_api(world, api, residents):
    r = api(world.staff).get(f"/dashboards/communities/{world.a.id}/figures")
    assert r.status_code == 200, r.json()
    got = r.json()
    assert got["day"] == str(timezone.localdate())
    community = figures_of(got)
    assert community["population.real"] == (13, "")
    assert community["population.floating"] == (None, "<5")  # 李小梅 alone
    assert community["housing.occupied"] == (7, "")  # 301, 302, 500–503 and 201
    buildings = {b["name"]: figures_of(b) for b in got["buildings"]}
    assert buildings["1号楼"]["population.real"] == (7, "")
    assert buildings["2号楼"]["population.real"] == (6, "")
    assert buildings["1号楼"]["population.floating"] == (None, "<5")
    grids = {g["name"]: figures_of(g) for g in got["grids"]}
    assert grids["一网格"]["population.real"] == (7, "")
    assert grids["二网格"]["population.real"] == (6, "")
    ages = next(b for b in got["breakdowns"] if b["metric"] == "population.age")
    labels = [row["label"] for row in ages["rows"]]
    assert labels == ["0-5岁", "6-17岁", "18-59岁", "60-79岁", "80+岁", "出生日期未登记"]  # the bands' order
    ages = {row["label"]: row["figures"][0] for row in ages["rows"]}
    # Nobody here has a birth date on record: shown, the 13 would say every band is empty.
    assert ages["出生日期未登记"] == {"key": "n", "value": None, "note": "*"}
    assert ages["80+岁"] == {"key": "n", "value": None, "note": "<5"}


def test_it_shows_the_same_figures_on_the_pages(world, browser, residents):
    client = browser(world.staff)
    page = text_of(client.get(f"/staff/{world.a.id}/dashboards/gov/"))
    assert "一网格" in page and "1号楼" in page and 'data-suppressed="small"' in page
    assert "王建国" not in page and "13800000001" not in page  # aggregates only
    grid = client.get(f"/staff/{world.a.id}/dashboards/gov/grids/{residents.grid.id}/")
    assert grid.status_code == 200
    assert f'data-row="{world.building.id}"' in text_of(grid)
    building = client.get(f"/staff/{world.a.id}/dashboards/gov/buildings/{residents.other_building.id}/")
    assert building.status_code == 200 and "2号楼" in text_of(building)


@pytest.fixture
def street(world):
    """望京街道 of 朝阳区: three communities of 100, 3 and 40 people; 和平苑 (world.b) in another
    street; a street-office viewer of all four."""
    day = timezone.localdate()
    big, tiny, mid = world.a, f.community(name="小院"), f.community(name="中院")
    for c in (big, tiny, mid):
        c.street = "望京街道"
        c.save(update_fields=["street"])
    world.b.street = "酒仙桥街道"
    world.b.save(update_fields=["street"])
    for c, people in ((big, 100), (tiny, 3), (mid, 40), (world.b, 50)):
        put(c, day, "population.real", people)
        put(c, day, "population.floating", people // 2)
        put(c, day, "housing.occupied", people // 3)
    viewer = f.staff(big, "gov_viewer", "street_office")
    for c in (tiny, mid, world.b):
        f.Membership.objects.create(user=viewer, community=c, role="gov_viewer")
    return viewer, big, tiny, mid


def test_it_hides_a_small_community_and_the_one_that_would_give_it_away(world, api, street):
    viewer, _big, _tiny, mid = street
    got = api(viewer).get("/dashboards/streets").json()
    by_name = {s["street"]: s for s in got["streets"]}
    assert set(by_name) == {"望京街道", "酒仙桥街道"}
    assert figures_of(by_name["望京街道"]["total"])["population.real"] == (143, "")
    one = api(viewer).get("/dashboards/streets/one", {"district": "朝阳区", "street": "望京街道"})
    wangjing = one.json()["street"]
    rows = {c["name"]: figures_of(c) for c in wangjing["communities"]}
    assert rows["幸福里小区"]["population.real"] == (100, "")
    assert rows["小院"]["population.real"] == (None, "<5")
    # 143 − 100 would be 43, not 3: 中院 is hidden too, so the street total gives no one away.
    assert rows["中院"]["population.real"] == (None, "*")
    assert figures_of(wangjing["total"])["population.real"] == (143, "")
    assert rows["中院"]["housing.occupied"] == (13, "")  # houses are not people
    # 中院's own page uses the cell its street gives it: no subtraction between pages either.
    own = api(viewer).get(f"/dashboards/communities/{mid.id}/figures").json()
    assert figures_of(own)["population.real"] == (None, "*")
    assert figures_of(by_name["酒仙桥街道"]["total"])["population.real"] == (50, "")


def test_it_shows_one_street_on_its_page(world, browser, street):
    viewer, *_ = street
    page = text_of(browser(viewer).get("/staff/gov/", {"district": "朝阳区", "street": "望京街道"}))
    page = page[page.index('<main class="content">') :]  # the community switcher lists them all
    assert "小院" in page and "中院" in page and "和平苑" not in page
    assert ">143<" in page
    listing = text_of(browser(viewer).get("/staff/gov/"))
    assert "朝阳区望京街道" in listing and "朝阳区酒仙桥街道" in listing


def test_each_sees_the_communities_their_stats_view_covers(world, api, browser, street):
    _viewer, big, _tiny, mid = street
    narrowed = build_narrowed(world)
    # The property manager of A reads A alone: 望京街道 is A alone for them, and A's 100 shows.
    got = api(world.staff).get("/dashboards/streets").json()
    assert [c["name"] for s in got["streets"] for c in s["communities"]] == ["幸福里小区"]
    assert api(world.staff).get(f"/dashboards/communities/{mid.id}/figures").status_code == 404
    # The outsider (admin of B) reads B and nothing of A.
    got = api(world.outsider).get("/dashboards/streets").json()
    assert [c["name"] for s in got["streets"] for c in s["communities"]] == ["和平苑"]
    assert api(world.outsider).get(f"/dashboards/communities/{big.id}/figures").status_code == 404
    # Staff narrowed to a grid hold stats.view in part of A only: no whole-community figures.
    client = api(narrowed.grid_worker)
    assert client.get("/dashboards/streets").json()["streets"] == []
    assert client.get(f"/dashboards/communities/{big.id}/figures").status_code == 404
    assert client.get(f"/dashboards/communities/{big.id}/grids/{narrowed.grid.id}").status_code == 404
    page = browser(narrowed.grid_worker).get(f"/staff/{big.id}/dashboards/gov/")
    assert page.status_code == 200 and "只负责部分楼栋" in text_of(page)
    assert browser(narrowed.grid_worker).get("/staff/gov/").status_code == 404
    # The technician holds no stats.view: the page is not theirs.
    assert browser(world.technician).get(f"/staff/{big.id}/dashboards/gov/").status_code == 404
    # The operator reads every community.
    got = api(world.operator).get("/dashboards/streets").json()
    assert sum(len(s["communities"]) for s in got["streets"]) == 4


def test_flows_add_up_over_the_chosen_period(world, api, street):
    viewer, big, *_ = street
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month_day = first - timedelta(days=1)
    # Within the last 30 days, except on the 30th and 31st of a month.
    in_30_days = 7 if last_month_day >= today - timedelta(days=29) else 0
    put(big, today, "requests.opened", 4)
    put(big, today, "requests.resolved", 2)
    put(big, today, "requests.resolve_minutes", 90)
    put(big, last_month_day, "requests.opened", 7)
    put(big, today - timedelta(days=40), "requests.opened", 100)  # outside every period asked
    put(big, today, "alarms.raised", 3)
    put(big, today, "alarms.raised", 2, "severity:major")
    put(big, today, "alarms.raised", 1, "severity:critical")
    put(big, today, "alarms.raised", 3, "type:smoke")  # the same three by type

    def row(period: str) -> dict:
        got = api(viewer).get(f"/dashboards/communities/{big.id}/figures", {"period": period}).json()
        return figures_of(got)

    got = api(viewer).get(f"/dashboards/communities/{big.id}/figures", {"period": "30d"}).json()
    severities = next(b for b in got["breakdowns"] if b["title"] == "告警（按级别）")["rows"]
    assert {r["label"]: r["figures"][0]["value"] for r in severities} == {"重要": 2, "紧急": 1}
    this_month = row("month")
    assert this_month["requests.opened"][0] == 4
    assert this_month["requests.avg_minutes"] == (45, "")
    assert this_month["alarms.raised"] == (3, "")
    assert row("30d")["requests.opened"] == (4 + in_30_days, "")
    assert row(f"{last_month_day:%Y-%m}")["requests.opened"][0] == 7
    bad = api(viewer).get(f"/dashboards/communities/{big.id}/figures", {"period": "2026-13"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_period"
    assert api(viewer).get("/dashboards/streets", {"period": "yesterday"}).status_code == 422


def test_every_figure_links_to_how_it_is_computed(world, browser, street):
    viewer, big, *_ = street
    client = browser(viewer)
    page = text_of(client.get(f"/staff/{big.id}/dashboards/gov/"))
    assert "/staff/gov/how/population.real/" in page and "/staff/gov/how/requests.resolve_minutes/" in page
    how = text_of(client.get("/staff/gov/how/population.real/"))
    assert "当日在本社区居住" in how and "不足 5 人" in how
    assert "这不是人数" in text_of(client.get("/staff/gov/how/housing.vacant/"))
    assert client.get("/staff/gov/how/nothing.here/").status_code == 404
    metrics = {m["key"]: m for m in (browser(viewer).get("/api/v1/dashboards/metrics").json()["metrics"])}
    assert metrics["population.real"]["people"] and not metrics["housing.vacant"]["people"]


def test_the_street_list_keeps_its_queries_constant(world, api, street, django_assert_max_num_queries):
    viewer, *_ = street
    client = api(viewer)
    client.get("/dashboards/streets")  # warm the session
    with django_assert_max_num_queries(STREETS_BUDGET) as few:
        client.get("/dashboards/streets")
    for i in range(20):
        c = f.community(name=f"新社区{i}")
        c.street = f"街道{i % 3}"
        c.save(update_fields=["street"])
        f.Membership.objects.create(user=viewer, community=c, role="gov_viewer")
        put(c, timezone.localdate(), "population.real", 10 + i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        got = client.get("/dashboards/streets").json()
    assert sum(len(s["communities"]) for s in got["streets"]) == 24


# session + user + memberships/scope + the communities + the stocks' rows + the flows, and the
# stocks' latest day: one read per stock metric (queries.latest_day)
STREETS_BUDGET = 7 + len(gov.STOCKS) + 1
