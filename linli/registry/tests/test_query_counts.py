"""Convention 11: list endpoints keep a constant number of queries however many rows they show."""

import pytest

from linli.testing import factories as f


def _grow(world, n):
    unit = world.house.unit
    for i in range(n):
        h = f.house(unit, f"9{i:02d}", floor=9)
        f.occupy(h, f.person(world.a, f"测{i}"), "owner")


# session + user + memberships/scope + the page itself
LIST_BUDGET = {"/houses": 8, "/people": 8}


@pytest.mark.parametrize("path", sorted(LIST_BUDGET))
def test_it_keeps_list_queries_constant(world, api, django_assert_max_num_queries, path):
    _grow(world, 30)
    client = api(world.staff)
    client.get(path, {"community": world.a.id})  # warm the session
    with django_assert_max_num_queries(LIST_BUDGET[path]):
        r = client.get(path, {"community": world.a.id, "limit": 50})
    assert len(r.json()["items"]) >= 30


def test_it_shows_a_house_detail_in_constant_queries(world, api, django_assert_max_num_queries):
    for i in range(20):
        f.occupy(world.house, f.person(world.a, f"家{i}"), "family")
    client = api(world.staff)
    with django_assert_max_num_queries(8):
        r = client.get(f"/houses/{world.house.id}")
    assert len(r.json()["household"]) == 22
