"""Data sharing (SEC-4) through the API with a city system's token: what it reads, against
hand-counted daily figures, and every refusal with its code and its logged call."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core.models import Membership
from linli.dashboards.models import DailyFigure, SharingCall, SharingToken
from linli.dashboards.services.sharing import do_issue_sharing_token, do_revoke_sharing_token
from linli.testing import factories as f
from linli.testing.client import ApiClient

pytestmark = pytest.mark.django_db

STREET = "望京街道"


@pytest.fixture
def estate(world):
    """Community A (world.a) and 晨光里 on 望京街道. A's people on the day: 60, of whom 1号楼
    40, 2号楼 17, 3号楼 3; 12 floating, all in 1号楼; 一网格 holds 1号楼 and 2号楼, 二网格
    3号楼. 晨光里: 50 in its 甲栋, 8 of them floating."""
    today = timezone.localdate()
    a, b1 = world.a, world.building
    b2, b3 = f.building(a, "2号楼"), f.building(a, "3号楼")
    chenguang = f.community("cg", "晨光里")
    c1 = f.building(chenguang, "甲栋")
    Membership.objects.create(user=world.admin, community=chenguang, role="community_admin")
    for c in (a, chenguang):
        c.street = STREET
        c.save(update_fields=["street"])
    g1 = a.grids.create(name="一网格")
    g1.buildings.set([b1, b2])
    g2 = a.grids.create(name="二网格")
    g2.buildings.set([b3])
    rows = [
        (a, "population.real", "", 60),
        (a, "population.real", f"building:{b1.id}", 40),
        (a, "population.real", f"building:{b2.id}", 17),
        (a, "population.real", f"building:{b3.id}", 3),
        (a, "population.floating", "", 12),
        (a, "population.floating", f"building:{b1.id}", 12),
        (a, "population.households", "", 25),
        (a, "housing.houses", "", 30),
        (a, "housing.vacant", f"building:{b3.id}", 2),
        (chenguang, "population.real", "", 50),
        (chenguang, "population.real", f"building:{c1.id}", 50),
        (chenguang, "population.floating", "", 8),
        (chenguang, "population.floating", f"building:{c1.id}", 8),
    ]
    ages = {
        a: (("0-5", 4), ("18-59", 40), ("60-79", 16)),
        chenguang: (("0-5", 6), ("6-17", 8), ("18-59", 20), ("60-79", 10), ("80+", 6)),
    }
    rows += [(c, "population.age", f"band:{band}", n) for c, bands in ages.items() for band, n in bands]
    DailyFigure.objects.bulk_create(
        DailyFigure(community=c, day=today, metric=m, part=p, value=v) for c, m, p, v in rows
    )
    # Two days of requests: flows add up over the days asked for.
    for day, n in ((today, 3), (today - timedelta(days=1), 2)):
        DailyFigure.objects.create(community=a, day=day, metric="requests.opened", part="", value=n)
        DailyFigure.objects.create(
            community=a, day=day, metric="requests.opened", part="category:漏水", value=n
        )
    return {"b1": b1, "b2": b2, "b3": b3, "g1": g1, "g2": g2, "cg": chenguang, "c1": c1}


def issue(world, *, communities, level="building", datasets=("population", "housing", "incidents"), rate=60):
    return do_issue_sharing_token(
        actor=world.admin,
        community_id=world.a.id,
        name="市网格化管理平台",
        datasets=list(datasets),
        community_ids=[c.id for c in communities],
        level=level,
        rate_per_minute=rate,
    )


def value(body, field, **area):
    found = [
        c["value"]
        for c in body["cells"]
        if c["field"] == field and all(c["area"].get(k) == v for k, v in area.items())
    ]
    assert len(found) == 1, found
    return found[0]


def last_call() -> SharingCall:
    return SharingCall.objects.order_by("-id").first()


def test_the_catalogue_says_what_the_token_may_read(world, estate):
    key = issue(world, communities=[world.a], level="grid").key
    r = ApiClient(token=key).get("/sharing/datasets")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [d["key"] for d in body["datasets"]] == ["housing", "incidents", "population"]
    population = next(d for d in body["datasets"] if d["key"] == "population")
    assert population["levels"] == ["street", "community", "grid"]  # no finer than granted
    real = next(fd for fd in population["fields"] if fd["name"] == "real")
    assert (real["label"], real["suppressed_under"], real["finest_level"]) == ("实有人口", 5, "building")
    assert [c["name"] for c in body["communities"]] == ["幸福里小区"]
    assert (last_call().status, last_call().refused) == (200, "")


def test_population_by_building_is_served_with_small_cells_and_their_complements_withheld(world, estate):
    key = issue(world, communities=[world.a]).key
    r = ApiClient(token=key).get("/sharing/datasets/population", {"level": "building"})
    assert r.status_code == 200, r.content
    body = r.json()
    b1, b2, b3 = estate["b1"], estate["b2"], estate["b3"]
    assert value(body, "real", building=b3.id) is None  # 3 people
    # 2号楼 goes too: A's 60 minus 1号楼's 40 and 2号楼's 17 would be 3号楼's 3.
    assert value(body, "real", building=b2.id) is None
    # 1号楼 stays: A's 60 minus its 40 leaves 20 hidden, no small count (一网格, which holds the
    # hidden 2号楼, is withheld instead: 一网格 minus 1号楼 would give 2号楼 back).
    assert value(body, "real", building=b1.id) == 40
    # Floating: 12, all in 1号楼. 2号楼 and 3号楼 have none (zero is small too), and A's 12
    # minus 1号楼's 12 would say so: 1号楼 is withheld as well.
    assert [value(body, "floating", building=b.id) for b in (b1, b2, b3)] == [None, None, None]
    assert not [c for c in body["cells"] if c["field"] == "age"]  # age bands are community-level
    assert last_call().withheld == sum(1 for c in body["cells"] if c["value"] is None)


def test_community_and_grid_levels_are_coarser_and_served_to_a_building_token(world, estate):
    client = ApiClient(token=issue(world, communities=[world.a]).key)
    body = client.get("/sharing/datasets/population", {"level": "community"}).json()
    assert value(body, "real", community=world.a.id) == 60
    assert value(body, "households", community=world.a.id) == 25
    assert value(body, "floating", community=world.a.id) == 12
    ages = {c["breakdown"]: c["value"] for c in body["cells"] if c["field"] == "age"}
    # 0-5 has 4: hidden, and with it the next smallest band; the bands add up to the 60.
    assert ages["0-5"] is None and ages["6-17"] is None and ages["80+"] is None
    assert ages["18-59"] == 40
    grids = client.get("/sharing/datasets/population", {"level": "grid"}).json()
    assert value(grids, "real", grid=estate["g2"].id) is None  # 3号楼's 3
    assert value(grids, "real", grid=estate["g1"].id) is None  # it holds the hidden 2号楼


def test_housing_is_not_about_people_and_is_served_as_counted(world, estate):
    body = (
        ApiClient(token=issue(world, communities=[world.a]).key)
        .get("/sharing/datasets/housing", {"level": "building"})
        .json()
    )
    assert value(body, "vacant", building=estate["b3"].id) == 2
    assert value(body, "houses", building=estate["b3"].id) == 0


def test_incidents_add_up_over_the_period(world, estate):
    client = ApiClient(token=issue(world, communities=[world.a]).key)
    today = timezone.localdate()
    body = client.get(
        "/sharing/datasets/incidents", {"level": "community", "since": str(today - timedelta(days=1))}
    ).json()
    assert value(body, "opened", community=world.a.id) == 5
    by_category = [c for c in body["cells"] if c["field"] == "opened_by_category"]
    assert [(c["breakdown"], c["value"]) for c in by_category] == [("漏水", 5)]
    body = client.get("/sharing/datasets/incidents", {"level": "community", "since": str(today)}).json()
    assert value(body, "opened", community=world.a.id) == 3


def test_a_street_is_served_only_to_a_token_holding_all_its_communities(world, estate):
    both = ApiClient(token=issue(world, communities=[world.a, estate["cg"]]).key)
    body = both.get("/sharing/datasets/population", {"level": "street"}).json()
    assert value(body, "real", street=STREET) == 110
    only_a = ApiClient(token=issue(world, communities=[world.a]).key)
    assert only_a.get("/sharing/datasets/population", {"level": "street"}).json()["cells"] == []
    r = only_a.get("/sharing/datasets/population", {"level": "street", "community": world.a.id})
    assert (r.status_code, r.json()["code"]) == (403, "street_not_granted")
    assert (last_call().status, last_call().refused) == (403, "street_not_granted")


def test_differencing_a_street_and_a_community_is_refused_by_both_tokens_alike(world, estate):
    """晨光里 has 3 people: the street's 63 minus 幸福里's 60 would give them away, whether one
    token reads both or one token reads the street and another the community."""
    DailyFigure.objects.filter(community=estate["cg"], metric="population.real").update(value=3)
    street = ApiClient(token=issue(world, communities=[world.a, estate["cg"]], level="street").key)
    assert value(street.get("/sharing/datasets/population").json(), "real", street=STREET) == 63
    for token in (issue(world, communities=[world.a, estate["cg"]]), issue(world, communities=[world.a])):
        body = ApiClient(token=token.key).get("/sharing/datasets/population", {"level": "community"}).json()
        assert value(body, "real", community=world.a.id) is None


def test_an_arbitrary_subset_of_the_tokens_communities_is_refused(world, estate):
    client = ApiClient(token=issue(world, communities=[world.a, estate["cg"]]).key)
    r = client.get(
        "/sharing/datasets/population", {"level": "community", "community": f"{world.a.id},{estate['cg'].id}"}
    )
    assert (r.status_code, r.json()["code"]) == (403, "subset_not_served")
    assert (last_call().status, last_call().refused) == (403, "subset_not_served")
    r = client.get("/sharing/datasets/population", {"level": "community", "community": world.a.id})
    assert r.status_code == 200
    assert [c["area"]["community"] for c in r.json()["cells"]] == [world.a.id] * len(r.json()["cells"])


@pytest.mark.parametrize(
    ("params", "dataset", "status", "code"),
    [
        ({}, "fees", 403, "dataset_not_granted"),
        ({}, "nonsense", 403, "dataset_not_granted"),
        ({"level": "building"}, "population", 403, "level_not_granted"),
        ({"level": "floor"}, "population", 400, "invalid_level"),
        ({"level": "community", "community": "OUTSIDE"}, "population", 403, "community_not_granted"),
        ({"since": "2026-01-10", "until": "2026-01-01"}, "incidents", 400, "invalid_period"),
    ],
)
def test_what_was_not_granted_is_refused_and_logged(world, estate, params, dataset, status, code):
    token = issue(world, communities=[world.a], level="grid")
    if params.get("community") == "OUTSIDE":
        params = {**params, "community": world.b.id}
    r = ApiClient(token=token.key).get(f"/sharing/datasets/{dataset}", params)
    assert (r.status_code, r.json()["code"]) == (status, code)
    call = last_call()
    assert (call.token_id, call.status, call.refused, call.dataset) == (token.token.id, status, code, dataset)


def test_a_coarser_level_than_granted_is_served(world, estate):
    client = ApiClient(token=issue(world, communities=[world.a], level="community").key)
    assert client.get("/sharing/datasets/population", {"level": "street"}).status_code == 200
    assert client.get("/sharing/datasets/population").json()["level"] == "community"


def test_a_revoked_token_is_refused_at_once(world, estate):
    issued = issue(world, communities=[world.a])
    client = ApiClient(token=issued.key)
    assert client.get("/sharing/datasets").status_code == 200
    do_revoke_sharing_token(actor=world.admin, community_id=world.a.id, token_id=issued.token.id)
    r = client.get("/sharing/datasets/population")
    assert (r.status_code, r.json()["code"]) == (401, "token_revoked")
    assert (last_call().token_id, last_call().refused) == (issued.token.id, "token_revoked")


def test_a_key_that_is_no_token_is_refused_and_only_logged(world, estate, caplog):
    for bearer in ("lns_not-a-key", "lnl_a-users-api-token"):
        r = ApiClient(token=bearer).get("/sharing/datasets")
        assert (r.status_code, r.json()["code"]) == (401, "invalid_token")
    assert not SharingCall.objects.exists()
    assert caplog.text.count("a key that is no token was refused") == 2


def test_a_token_lapses_with_its_issuers_right_to_share_any_of_its_communities(world, estate):
    issued = issue(world, communities=[world.a, estate["cg"]])
    client = ApiClient(token=issued.key)
    assert client.get("/sharing/datasets/population", {"level": "community"}).status_code == 200
    Membership.objects.filter(user=world.admin, community=estate["cg"]).delete()
    r = client.get("/sharing/datasets/population", {"level": "community"})
    assert (r.status_code, r.json()["code"]) == (401, "token_lapsed")
    assert (last_call().token_id, last_call().refused) == (issued.token.id, "token_lapsed")


def test_a_users_session_gets_nothing(world, estate):
    issue(world, communities=[world.a])
    for user in (world.admin, world.operator, world.outsider):
        r = ApiClient(user).get("/sharing/datasets/population")
        assert (r.status_code, r.json()["code"]) == (401, "not_authenticated")
        assert "幸福里" not in r.content.decode()


def test_the_rate_limit_holds_per_token_with_retry_after(world, estate):
    limited = issue(world, communities=[world.a], rate=3)
    other = issue(world, communities=[world.a], rate=3)
    client = ApiClient(token=limited.key)
    assert [client.get("/sharing/datasets").status_code for _ in range(3)] == [200, 200, 200]
    r = client.get("/sharing/datasets/population")
    assert (r.status_code, r.json()["code"]) == (429, "rate_limited")
    assert 1 <= int(r["Retry-After"]) <= 60
    assert (last_call().token_id, last_call().status) == (limited.token.id, 429)
    assert ApiClient(token=other.key).get("/sharing/datasets").status_code == 200


def test_issuing_is_for_those_who_manage_sharing_of_every_community_given(world, estate):
    with pytest.raises(Exception) as refused:
        do_issue_sharing_token(
            actor=world.admin,
            community_id=world.a.id,
            name="平台",
            datasets=["population"],
            community_ids=[world.a.id, world.b.id],
            level="community",
            rate_per_minute=60,
        )
    assert refused.value.code == "community_not_yours"
    with pytest.raises(Exception) as refused:
        do_issue_sharing_token(
            actor=world.grid_worker,
            community_id=world.a.id,
            name="平台",
            datasets=["population"],
            community_ids=[world.a.id],
            level="community",
            rate_per_minute=60,
        )
    assert refused.value.code == "forbidden"
    assert not SharingToken.objects.exists()


def test_only_the_keys_digest_is_stored(world, estate):
    issued = issue(world, communities=[world.a])
    row = SharingToken.objects.get()
    assert issued.key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64


def test_grids_that_share_buildings_give_no_hidden_building_away(world, estate):
    """一网格 holds 1号楼 and 2号楼; a third grid, 三网格, holds 2号楼 and 3号楼. Shown, either
    could be played against the community's 60 (60 − 57 = 3号楼's 3) or the other grid."""
    g3 = world.a.grids.create(name="三网格")
    g3.buildings.set([estate["b2"], estate["b3"]])
    client = ApiClient(token=issue(world, communities=[world.a]).key)
    whole = client.get("/sharing/datasets/population", {"level": "community"}).json()
    assert value(whole, "real", community=world.a.id) == 60
    body = client.get("/sharing/datasets/population", {"level": "grid"}).json()
    grids = [c for c in body["cells"] if c["field"] == "real" and c["area"].get("grid")]
    assert len(grids) == 3 and all(c["value"] is None for c in grids)
