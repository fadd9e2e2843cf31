"""Points (ENG-6): the ledger's invariants, idempotent awards, earning rules, expiry first in
first out, the catalogue and redemptions through the API as the personas."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from linli.core.errors import Conflict, ServiceError
from linli.core.models import AuditEntry
from linli.engage.models import CatalogueItem, PointsAccount, PointsEntry, Redemption
from linli.engage.services import points
from linli.testing import engage_points as ep

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def balance(house) -> int:
    return PointsAccount.objects.filter(house=house).values_list("balance", flat=True).first() or 0


def award(world, ref, *, house=None, person=None, rule="activity", actor=None, **kw):
    return points.do_award(
        actor=actor,
        community_id=world.a.id,
        rule_code=rule,
        source_ref=ref,
        house_id=house.pk if house else None,
        person_id=person.pk if person else None,
        **kw,
    )


# --- the ledger ----------------------------------------------------------------------------------


def test_an_award_is_credited_once_per_source(world):
    ep.rules(world)
    first = award(world, "activity-attendance:1", house=world.house)
    again = award(world, "activity-attendance:1", house=world.house)
    assert again.pk == first.pk and balance(world.house) == 5
    assert (first.kind, first.reason, first.balance_after, first.amount) == ("earn", "activity", 5, 5)
    with pytest.raises(Conflict) as refused:
        award(world, "activity-attendance:1", house=world.neighbour_house)
    assert refused.value.code == "source_ref_used"
    assert PointsEntry.objects.count() == 1


def test_a_person_earns_for_the_house_they_live_in(world):
    ep.rules(world)
    entry = award(world, "activity-attendance:2", person=world.owner_person, units=2)
    assert entry.house_id == world.house.pk and balance(world.house) == 10


def test_who_may_award(world):
    ep.rules(world)
    with pytest.raises(ServiceError) as refused:
        award(world, "x:1", house=world.house, actor=world.front_desk)
    assert refused.value.code == "forbidden"
    assert award(world, "x:1", house=world.house, actor=world.staff).actor == world.staff
    with pytest.raises(ServiceError) as unknown:
        award(world, "x:2", house=world.house, rule="nope")
    assert unknown.value.code == "unknown_rule"


def test_entries_are_append_only(world):
    entry = ep.give(world, world.house, 10, "a")
    entry.text = "改写"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        PointsEntry.objects.filter(pk=entry.pk).update(amount=99)
    with pytest.raises(TypeError):
        PointsEntry.objects.filter(pk=entry.pk).delete()
    assert PointsEntry.objects.get(pk=entry.pk).text == "测试a"


def test_the_balance_can_never_be_negative(world):
    ep.give(world, world.house, 10, "a")
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(house=world.house).update(balance=-1)
    account = PointsAccount.objects.get(house=world.house)
    with pytest.raises(Conflict) as refused:
        points.do_adjust_points(actor=world.staff, account=account, amount=-11, text="扣多了")
    assert refused.value.code == "insufficient_points"
    assert balance(world.house) == 10 and PointsEntry.objects.count() == 1


def test_a_correction_is_a_new_entry(world, api):
    ep.give(world, world.house, 10, "a")
    r = api(world.staff).post(
        f"/engage/points/houses/{world.house.pk}/adjust", {"amount": -3, "text": "更正重复记分"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["balance_after"] == 7 and PointsEntry.objects.count() == 2
    assert (
        api(world.front_desk)
        .post(f"/engage/points/houses/{world.house.pk}/adjust", {"amount": 1, "text": "x"})
        .status_code
        == 404
    )


def test_the_household_reads_its_balance_and_history(world, api):
    ep.give(world, world.house, 10, "a")
    r = api(world.owner).get("/engage/points/my/accounts")
    assert r.json() == [{"house_id": world.house.pk, "house": world.house.label, "balance": 10}]
    r = api(world.tenant).get(f"/engage/points/houses/{world.house.pk}/entries")
    assert r.status_code == 200 and r.json()["balance"] == 10 and r.json()["items"][0]["amount"] == 10
    assert api(world.neighbour).get(f"/engage/points/houses/{world.house.pk}/entries").status_code == 404
    assert api(world.outsider).get(f"/engage/points/houses/{world.house.pk}/entries").status_code == 404


# --- earning rules -------------------------------------------------------------------------------


def test_garbage_check_ins_stop_at_the_daily_limit(world, api):
    ep.rules(world)
    staff = api(world.staff)
    url = f"/engage/points/houses/{world.house.pk}/garbage-checkins"
    assert staff.post(url).status_code == 201
    r = staff.post(url)
    assert (r.status_code, r.json()["code"]) == (400, "daily_limit_reached")
    assert "今日" in r.json()["message"] and balance(world.house) == 2
    tomorrow = datetime.now(TZ) + timedelta(days=1)
    points.do_record_garbage_checkin(
        actor=None, community_id=world.a.id, house_id=world.house.pk, now=tomorrow
    )
    assert balance(world.house) == 4
    assert api(world.owner).post(url).status_code == 403


def test_volunteer_hours_earn_once_staff_confirm_them(world, api):
    ep.rules(world)
    day = datetime.now(TZ).date().isoformat()
    r = api(world.owner).post(
        "/engage/points/volunteer-hours",
        {"house_id": world.house.pk, "day": day, "hours": 2.5, "description": "清扫楼道"},
    )
    assert r.status_code == 201, r.content
    log_id = r.json()["id"]
    assert balance(world.house) == 0
    queue = api(world.staff).get(
        f"/engage/communities/{world.a.id}/points/volunteer-hours", {"status": "pending"}
    )
    assert [i["id"] for i in queue.json()["items"]] == [log_id]
    r = api(world.staff).post(f"/engage/points/volunteer-hours/{log_id}/confirm")
    assert r.status_code == 200 and r.json()["points"] == 25 and balance(world.house) == 25
    again = api(world.staff).post(f"/engage/points/volunteer-hours/{log_id}/confirm")
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")
    assert balance(world.house) == 25


def test_volunteer_hours_are_checked(world, api):
    ep.rules(world)
    owner = api(world.owner)
    future = (datetime.now(TZ).date() + timedelta(days=2)).isoformat()
    body = {"house_id": world.house.pk, "day": future, "hours": 1, "description": "x"}
    assert owner.post("/engage/points/volunteer-hours", body).json()["code"] == "future_day"
    body["day"] = datetime.now(TZ).date().isoformat()
    assert (
        owner.post("/engage/points/volunteer-hours", {**body, "hours": 0.3}).json()["code"] == "invalid_hours"
    )
    assert (
        owner.post(
            "/engage/points/volunteer-hours", {**body, "house_id": world.neighbour_house.pk}
        ).status_code
        == 404
    )
    log_id = owner.post("/engage/points/volunteer-hours", body).json()["id"]
    r = api(world.staff).post(f"/engage/points/volunteer-hours/{log_id}/reject", {"note": "当天无此活动"})
    assert r.json()["status"] == "rejected" and balance(world.house) == 0


def test_staff_edit_the_rules(world, api):
    ep.rules(world)
    staff = api(world.staff)
    rules = staff.get(f"/engage/communities/{world.a.id}/points/rules").json()
    garbage = next(r for r in rules if r["code"] == "garbage")
    r = staff.patch(f"/engage/points/rules/{garbage['id']}", {"points": 3, "daily_limit": 2})
    assert r.status_code == 200 and (r.json()["points"], r.json()["daily_limit"]) == (3, 2)
    r = staff.post(
        f"/engage/communities/{world.a.id}/points/rules",
        {"code": "garbage", "kind": "garbage", "name": "重复", "points": 1},
    )
    assert (r.status_code, r.json()["code"]) == (409, "rule_code_exists")
    assert api(world.owner).get(f"/engage/communities/{world.a.id}/points/rules").status_code == 200
    assert api(world.owner).patch(f"/engage/points/rules/{garbage['id']}", {"points": 99}).status_code == 404
    assert api(world.outsider).get(f"/engage/communities/{world.a.id}/points/rules").status_code == 404


# --- expiry ---------------------------------------------------------------------------------------


def test_points_expire_at_the_end_of_the_next_year_oldest_first(world):
    ep.rules(world)
    account = points.account_for(world.a.id, world.house.pk)
    award(world, "a:2025", house=world.house, units=20, now=datetime(2025, 3, 1, 10, tzinfo=TZ))  # 100
    award(world, "a:2026", house=world.house, units=10, now=datetime(2026, 2, 1, 10, tzinfo=TZ))  # 50
    points.post_entry(
        account=account,
        amount=-30,
        kind="redeem",
        reason="redemption",
        text="兑换",
        actor=None,
        now=datetime(2026, 6, 1, tzinfo=TZ),
    )
    assert points.expire_due(datetime(2026, 12, 31, 23, 59, tzinfo=TZ)) == 0
    assert points.expire_due(datetime(2027, 1, 1, 0, 1, tzinfo=TZ)) == 1
    assert balance(world.house) == 50  # the 30 spent came out of 2025's 100: 70 expired
    expiry = PointsEntry.objects.filter(kind="expire").get()
    assert (expiry.amount, expiry.balance_after) == (-70, 50)
    assert points.expire_due(datetime(2027, 1, 2, tzinfo=TZ)) == 0  # never twice
    assert points.expire_due(datetime(2028, 1, 1, 0, 1, tzinfo=TZ)) == 1
    assert balance(world.house) == 0


def test_nothing_expires_under_the_never_policy(world):
    ep.rules(world)
    points.do_set_policy(actor=world.staff, community_id=world.a.id, expiry="never", appeal_days=7)
    award(world, "a:1", house=world.house, now=datetime(2020, 1, 1, tzinfo=TZ))
    assert points.expire_due(datetime(2030, 1, 1, tzinfo=TZ)) == 0 and balance(world.house) == 5


# --- catalogue and redemptions ---------------------------------------------------------------------


def redeem(api, user, item, house):
    return api(user).post(f"/engage/points/catalogue/{item.pk}/redeem", {"house_id": house.pk})


def test_a_resident_redeems_an_item(world, api):
    ep.give(world, world.house, 30, "a")
    item = ep.item(world, price=20, stock=1)
    r = redeem(api, world.owner, item, world.house)
    assert r.status_code == 201, r.content
    assert (r.json()["status"], r.json()["points"], r.json()["on_behalf"]) == ("requested", 20, False)
    assert balance(world.house) == 10 and CatalogueItem.objects.get(pk=item.pk).stock == 0
    entry = PointsEntry.objects.filter(kind="redeem").get()
    assert entry.source_ref == f"redemption:{r.json()['id']}" and entry.actor == world.owner
    mine = api(world.tenant).get("/engage/points/my/redemptions").json()
    assert [m["id"] for m in mine] == [r.json()["id"]]


def test_a_redemption_past_stock_or_balance_is_refused_whole(world, api):
    ep.give(world, world.house, 30, "a")
    gone = ep.item(world, name="免费洗车一次", price=5, stock=0)
    dear = ep.item(world, name="物业费抵扣券", price=50, stock=3)
    before = (Redemption.objects.count(), PointsEntry.objects.count(), AuditEntry.objects.count())
    r = redeem(api, world.owner, gone, world.house)
    assert (r.status_code, r.json()["code"]) == (409, "out_of_stock")
    assert "库存不足" in r.json()["message"]
    r = redeem(api, world.owner, dear, world.house)
    assert (r.status_code, r.json()["code"]) == (409, "insufficient_points")
    assert r.json()["message"] == "积分不足：需要50积分，当前余额30积分"
    assert CatalogueItem.objects.get(pk=dear.pk).stock == 3 and balance(world.house) == 30
    assert (Redemption.objects.count(), PointsEntry.objects.count(), AuditEntry.objects.count()) == before


def test_staff_redeem_at_the_counter_on_a_residents_behalf(world, api):
    ep.give(world, world.house, 30, "a")
    item = ep.item(world, price=20)
    assert redeem(api, world.front_desk, item, world.house).status_code == 404  # no points.manage
    assert redeem(api, world.neighbour, item, world.house).status_code == 404
    r = redeem(api, world.staff, item, world.house)
    assert r.status_code == 201 and r.json()["on_behalf"] is True
    assert PointsEntry.objects.get(kind="redeem").on_behalf is True
    assert AuditEntry.objects.filter(action="engage.points_redeemed").count() == 1


def test_a_cancelled_redemption_refunds_and_restocks(world, api):
    ep.give(world, world.house, 30, "a")
    item = ep.item(world, price=20, stock=1)
    rid = redeem(api, world.owner, item, world.house).json()["id"]
    r = api(world.owner).post(f"/engage/points/redemptions/{rid}/cancel", {"reason": "不需要了"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert balance(world.house) == 30 and CatalogueItem.objects.get(pk=item.pk).stock == 1
    assert PointsEntry.objects.filter(kind="refund").get().amount == 20
    again = api(world.owner).post(f"/engage/points/redemptions/{rid}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "redemption_closed")


def test_staff_hand_over_a_redemption_once(world, api):
    ep.give(world, world.house, 30, "a")
    rid = redeem(api, world.owner, ep.item(world), world.house).json()["id"]
    assert api(world.owner).post(f"/engage/points/redemptions/{rid}/fulfil").status_code == 404
    todo = api(world.staff).get(
        f"/engage/communities/{world.a.id}/points/redemptions", {"status": "requested"}
    )
    assert [i["id"] for i in todo.json()["items"]] == [rid]
    assert api(world.staff).post(f"/engage/points/redemptions/{rid}/fulfil").json()["status"] == "fulfilled"
    assert api(world.staff).post(f"/engage/points/redemptions/{rid}/fulfil").status_code == 409
    assert api(world.owner).post(f"/engage/points/redemptions/{rid}/cancel").status_code == 409
    assert balance(world.house) == 10


def test_the_catalogue_is_the_communitys(world, api):
    item = ep.item(world)
    hidden = ep.item(world, name="下架商品")
    api(world.staff).patch(f"/engage/points/catalogue/{hidden.pk}", {"active": False})
    listed = api(world.owner).get(f"/engage/communities/{world.a.id}/points/catalogue").json()
    assert [i["id"] for i in listed] == [item.pk]
    assert len(api(world.staff).get(f"/engage/communities/{world.a.id}/points/catalogue").json()) == 2
    assert api(world.outsider).get(f"/engage/communities/{world.a.id}/points/catalogue").status_code == 404
    r = api(world.staff).post(f"/engage/points/catalogue/{item.pk}/stock", {"change": -6})
    assert (r.status_code, r.json()["code"]) == (409, "invalid_stock_change")
    assert (
        api(world.staff).post(f"/engage/points/catalogue/{item.pk}/stock", {"change": 3}).json()["stock"] == 8
    )
    r = redeem(api, world.owner, hidden, world.house)
    assert r.status_code == 409 and r.json()["code"] == "item_unavailable"
