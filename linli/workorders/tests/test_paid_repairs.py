"""Paid repairs (WO-2): materials from the price list, the reporter's agreement to the quote, and
the bill issued through billing once the work is done; a warranty repair is never charged. Also
the reporter's reopen window and a category's own questions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.billing.choices import FeeKind
from linli.billing.models import Bill
from linli.testing import billing_money
from linli.testing import workorders as wo
from linli.workorders.models import Request


def _act(client, order_id: int, action: str, **body):
    return client.post(f"/workorders/requests/{order_id}/actions/{action}", body)


@pytest.mark.django_db
def test_a_quoted_repair_is_approved_done_and_billed_once(world, api):
    c = wo.crew(world)
    fee = billing_money.fee_item(world.a, kind=FeeKind.ONE_OFF, name="维修费", price="1")
    order = wo.report(world, c)
    tech, owner, staff = api(world.technician), api(world.owner), api(world.staff)
    assert _act(tech, order.pk, "start").status_code == 200
    r = _act(tech, order.pk, "ask_payment")
    assert r.status_code == 400 and r.json()["code"] == "no_charges"
    assert (
        tech.post(
            f"/workorders/requests/{order.pk}/charges", {"price_item_id": c.price.id, "quantity": 2}
        ).status_code
        == 201
    )
    assert _act(tech, order.pk, "ask_payment").json()["status"] == "needs_payment"
    assert _act(owner, order.pk, "approve_payment").json()["status"] == "in_progress"
    # Billing before the work is done is refused; then done, billed once, with billing's rights.
    r = staff.post(f"/workorders/requests/{order.pk}/bill", {"fee_item_id": fee.id})
    assert r.status_code == 409 and r.json()["code"] == "nothing_to_bill"
    assert _act(tech, order.pk, "complete").json()["charge_fen"] == 16000
    assert tech.post(f"/workorders/requests/{order.pk}/bill", {"fee_item_id": fee.id}).status_code == 404
    billed = staff.post(f"/workorders/requests/{order.pk}/bill", {"fee_item_id": fee.id})
    assert billed.status_code == 200, billed.content
    bill = Bill.objects.get(pk=billed.json()["bill_id"])
    assert (bill.house_id, bill.amount_fen, bill.fee_item_id) == (world.house.id, 16000, fee.id)
    again = staff.post(f"/workorders/requests/{order.pk}/bill", {"fee_item_id": fee.id})
    assert again.status_code == 409 and again.json()["code"] == "already_billed"
    assert Bill.objects.filter(fee_item=fee).count() == 1


@pytest.mark.django_db
def test_a_warranty_repair_is_never_charged(world, api):
    c = wo.crew(world)
    order = wo.report(world, c)
    Request.objects.filter(pk=order.pk).update(under_warranty=True)
    tech = api(world.technician)
    _act(tech, order.pk, "start")
    r = tech.post(f"/workorders/requests/{order.pk}/charges", {"price_item_id": c.price.id})
    assert r.status_code == 400 and r.json()["code"] == "under_warranty"
    assert Request.objects.get(pk=order.pk).charge_fen == 0


@pytest.mark.django_db
def test_the_reporter_reopens_within_the_window_only(world, api):
    c = wo.crew(world)
    owner, tech = api(world.owner), api(world.technician)
    order = wo.report(world, c)
    for action in ("start", "complete"):
        _act(tech, order.pk, action)
    assert owner.post(f"/workorders/requests/{order.pk}/rating", {"rating": 2}).json()["status"] == "closed"
    reopened = _act(owner, order.pk, "reopen", reason="还在漏水")
    assert reopened.status_code == 200 and reopened.json()["reopen_count"] == 1
    assert reopened.json()["rating"] is None and reopened.json()["resolve_due"]

    late = wo.report(world, c, "另一处漏水")
    for action in ("start", "complete"):
        _act(tech, late.pk, action)
    owner.post(f"/workorders/requests/{late.pk}/rating", {"rating": 3})
    Request.objects.filter(pk=late.pk).update(closed_at=timezone.now() - timedelta(days=8))
    r = _act(owner, late.pk, "reopen", reason="又漏了")
    assert r.status_code == 400 and r.json()["code"] == "reopen_window_passed"
    assert Request.objects.get(pk=late.pk).status == "closed"


@pytest.mark.django_db
def test_a_categorys_own_questions_are_checked(world, api):
    c = wo.crew(world)
    owner = api(world.owner)
    body = {
        "community_id": world.a.id,
        "category_id": c.repair.id,
        "description": "漏水",
        "house_id": world.house.id,
    }
    for answers, field in (({"room": "阳台"}, "room"), ({"colour": "红"}, "colour")):
        r = owner.post("/workorders/requests", {**body, "answers": answers})
        assert r.status_code == 400 and r.json()["code"] == "invalid_answers" and field in r.json()["fields"]
    assert not Request.objects.exists()
    assert owner.post("/workorders/requests", {**body, "answers": {"room": "卫生间"}}).status_code == 201
