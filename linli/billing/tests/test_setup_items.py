"""Fee items and versioned standards through the API, as a property manager sets them up."""

from datetime import date

import pytest

from linli.billing.models import FeeStandard
from linli.notify.models import Notification

pytestmark = pytest.mark.django_db


def fee_item(client, world, **extra):
    r = client.post(
        f"/billing/communities/{world.a.id}/fee-items", {"name": "物业费", "kind": "property", **extra}
    )
    assert r.status_code == 201, r.json()
    return r.json()


def standard(client, item_id, **values):
    return client.post(f"/billing/fee-items/{item_id}/standards", {"unit_price_fen": 250, **values})


def test_a_manager_creates_a_fee_item_and_a_name_is_taken_once(world, api):
    client = api(world.staff)
    item = fee_item(client, world, cycle="quarterly", payer_rule="occupant", due_days=15)
    assert (item["cycle"], item["payer_rule"], item["due_days"]) == ("quarterly", "occupant", 15)
    again = client.post(f"/billing/communities/{world.a.id}/fee-items", {"name": "物业费", "kind": "water"})
    assert (again.status_code, again.json()["code"]) == (409, "fee_item_name_taken")
    r = client.patch(f"/billing/fee-items/{item['id']}", {"name": "物业服务费", "due_days": 20})
    assert (r.json()["name"], r.json()["due_days"]) == ("物业服务费", 20)
    assert [i["name"] for i in client.get(f"/billing/communities/{world.a.id}/fee-items").json()] == [
        "物业服务费"
    ]


def test_the_front_desk_may_not_set_up_fees(world, api):
    r = api(world.front_desk).post(
        f"/billing/communities/{world.a.id}/fee-items", {"name": "物业费", "kind": "property"}
    )
    assert r.status_code == 403


def test_a_new_version_closes_the_open_one_and_an_overlap_is_refused(world, api):
    client = api(world.staff)
    item = fee_item(client, world)
    v1 = standard(client, item["id"], effective_from="2026-01-01", house_type="residential").json()
    v2 = standard(
        client, item["id"], effective_from="2027-01-01", house_type="residential", unit_price_fen=280
    )
    assert v2.status_code == 201 and v2.json()["version"] == 2
    assert FeeStandard.objects.get(pk=v1["id"]).effective_to == date(2026, 12, 31)
    overlap = standard(
        client, item["id"], effective_from="2026-06-01", effective_to="2026-08-31", house_type="residential"
    )
    assert (overlap.status_code, overlap.json()["code"]) == (409, "standard_overlap")
    assert "第1版" in overlap.json()["message"]
    shop = standard(client, item["id"], effective_from="2026-06-01", house_type="shop", unit_price_fen=500)
    assert shop.status_code == 201  # another house type is another line of versions


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"unit_price_fen": -1}, "invalid_price"),
        ({"unit_price_fen": "2.50001"}, "invalid_price"),  # finer than 4 places of a fen
        ({"effective_to": "2025-12-31"}, "invalid_dates"),
        ({"tiers": [[180, 500], [None, 700]]}, "invalid_tiers"),  # a property fee has no tiers
        ({"daily_cap_fen": "100.5"}, "invalid_amount"),  # a fraction of a fen
        ({"daily_cap_fen": -1}, "invalid_amount"),
    ],
)
def test_bad_standards_are_refused_with_a_stable_code(world, api, values, code):
    client = api(world.staff)
    item = fee_item(client, world)
    r = standard(client, item["id"], effective_from="2026-01-01", **values)
    assert (r.status_code, r.json()["code"]) == (400, code), r.json()
    assert not FeeStandard.objects.exists()


@pytest.mark.parametrize(
    "tiers",
    [[[180, 500], [100, 700], [None, 900]], [[180, 500]], [[None, 500], [180, 700]], [[180, -5], [None, 1]]],
)
def test_tiers_must_rise_and_end_open(world, api, tiers):
    client = api(world.staff)
    water = fee_item(client, world, name="水费", kind="water")
    r = standard(client, water["id"], effective_from="2026-01-01", tiers=tiers)
    assert r.json()["code"] == "invalid_tiers"


def test_publishing_tells_the_owners_with_the_cost_basis_and_freezes_the_version(world, api):
    client = api(world.staff)
    item = fee_item(client, world)
    v1 = standard(client, item["id"], effective_from="2027-01-01", basis="人工成本上涨 8%，见公示附件").json()
    r = client.post(f"/billing/standards/{v1['id']}/publish")
    assert r.status_code == 200 and r.json()["published_at"]
    told = Notification.objects.filter(kind="billing.standard")
    assert set(told.values_list("recipient_id", flat=True)) == {world.owner.id, world.neighbour.id}
    body = told.get(recipient=world.owner).body
    assert "2027-01-01" in body and "2.5 元/㎡·月" in body and "人工成本上涨 8%" in body
    again = client.post(f"/billing/standards/{v1['id']}/publish")
    assert (again.status_code, again.json()["code"]) == (409, "standard_already_published")
    edit = client.patch(f"/billing/standards/{v1['id']}", {"unit_price_fen": 300})
    assert (edit.status_code, edit.json()["code"]) == (409, "standard_in_use")


def test_a_draft_can_be_edited(world, api):
    client = api(world.staff)
    item = fee_item(client, world)
    v1 = standard(client, item["id"], effective_from="2027-01-01").json()
    r = client.patch(f"/billing/standards/{v1['id']}", {"unit_price_fen": "265.5", "basis": "调整"})
    assert r.status_code == 200 and r.json()["unit_price_fen"] == "265.5000"


def test_residents_see_published_prices_only(world, api):
    client = api(world.staff)
    item = fee_item(client, world)
    standard(client, item["id"], effective_from="2026-01-01", house_type="residential")
    draft = standard(client, item["id"], effective_from="2026-01-01", house_type="shop").json()
    published = FeeStandard.objects.exclude(pk=draft["id"]).get()
    client.post(f"/billing/standards/{published.pk}/publish")
    seen = api(world.owner).get(f"/billing/fee-items/{item['id']}/standards").json()
    assert [s["id"] for s in seen] == [published.pk]
    assert api(world.outsider).get(f"/billing/fee-items/{item['id']}/standards").status_code == 404
