"""The convention (ENG-6): versions, violations with evidence, the household told, the appeal
within the window decided by appeal.decide, and points deducted only once the outcome is final,
once."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from linli.core.errors import Conflict
from linli.engage.models import PointsAccount, PointsEntry, Violation
from linli.engage.services import convention, points
from linli.notify.models import Notification
from linli.testing import engage_points as ep
from linli.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(world):
    return f.staff(world.a, "committee_member", "committee")


def balance(house) -> int:
    return PointsAccount.objects.filter(house=house).values_list("balance", flat=True).first() or 0


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "JPEG")
    return out.getvalue()


def test_residents_read_the_convention_in_force_and_its_history(world, api):
    r = api(world.staff).post(
        f"/engage/communities/{world.a.id}/convention",
        {"title": "幸福里社区公约", "body": "第一条 爱护环境。"},
    )
    assert r.status_code == 201 and r.json()["number"] == 1
    api(world.staff).post(
        f"/engage/communities/{world.a.id}/convention",
        {"title": "幸福里社区公约", "body": "第一条 爱护环境。\n第二条 文明养犬。", "changes": "增加第二条"},
    )
    found = api(world.tenant).get(f"/engage/communities/{world.a.id}/convention").json()
    assert found["current"]["number"] == 2 and [v["number"] for v in found["history"]] == [2, 1]
    assert api(world.outsider).get(f"/engage/communities/{world.a.id}/convention").status_code == 404
    assert (
        api(world.owner)
        .post(f"/engage/communities/{world.a.id}/convention", {"title": "x", "body": "y"})
        .status_code
        == 404
    )
    old = found["history"][1]["id"]
    assert api(world.owner).get(f"/engage/convention/versions/{old}").json()["body"] == "第一条 爱护环境。"


def test_a_violation_is_recorded_with_evidence_and_the_household_told(world, api):
    ep.publish(world)
    staff = api(world.staff)
    r = staff.post(
        f"/engage/communities/{world.a.id}/violations",
        {"house_id": world.house.pk, "article": "第二条", "note": "厨余垃圾混投", "points": 10},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["version_number"], body["deducted"]) == ("recorded", 1, 0)
    deadline = timezone.now() + timedelta(days=7)
    assert abs((Violation.objects.get().appeal_deadline - deadline).total_seconds()) < 60
    told = Notification.objects.filter(kind=convention.NOTICE_KIND)
    assert {n.recipient_id for n in told} == {world.owner.pk, world.tenant.pk}
    assert "第二条" in told.first().title
    photo = staff.client.post(f"/api/v1/engage/violations/{body['id']}/photo", {"file": io.BytesIO(jpeg())})
    assert photo.status_code == 200 and photo.json()["has_photo"] is True
    got = api(world.owner).get(f"/engage/violations/{body['id']}/photo")
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    mine = api(world.tenant).get("/engage/convention/my/violations").json()
    assert [v["id"] for v in mine] == [body["id"]]
    assert api(world.neighbour).get(f"/engage/violations/{body['id']}").status_code == 404


def test_no_deduction_inside_the_window_then_once_after_it(world):
    ep.give(world, world.house, 30, "a")
    v = ep.violation(world, world.house, 10)
    assert convention.deduct_due(v.appeal_deadline - timedelta(seconds=1)) == 0
    assert balance(world.house) == 30
    assert convention.deduct_due(v.appeal_deadline + timedelta(seconds=1)) == 1
    assert convention.deduct_due(v.appeal_deadline + timedelta(days=1)) == 0
    assert balance(world.house) == 20
    entry = PointsEntry.objects.get(kind="deduct")
    assert (entry.amount, entry.source_ref) == (-10, f"violation:{v.pk}")
    v.refresh_from_db()
    assert (v.status, v.deducted) == ("deducted", 10)


def test_an_appeal_holds_the_deduction_until_it_is_decided(world, api, committee):
    ep.give(world, world.house, 30, "a")
    v = ep.violation(world, world.house, 10)
    r = api(world.tenant).post(f"/engage/violations/{v.pk}/appeal", {"reason": "当天家中无人"})
    assert r.status_code == 200 and r.json()["status"] == "appealed"
    again = api(world.owner).post(f"/engage/violations/{v.pk}/appeal", {"reason": "再次申诉"})
    assert (again.status_code, again.json()["code"]) == (409, "already_appealed")
    assert convention.deduct_due(v.appeal_deadline + timedelta(days=30)) == 0
    decision = {"decision": "upheld", "note": "监控显示确为本户投放"}
    assert (
        api(world.staff).post(f"/engage/violations/{v.pk}/decision", decision).status_code == 404
    )  # no appeal.decide
    r = api(committee).post(f"/engage/violations/{v.pk}/decision", decision)
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["deducted"]) == ("deducted", 10)
    assert balance(world.house) == 20
    assert convention.deduct_due(v.appeal_deadline + timedelta(days=31)) == 0
    assert PointsEntry.objects.filter(kind="deduct").count() == 1
    assert Notification.objects.filter(kind=convention.NOTICE_KIND, title__contains="维持").exists()


def test_an_overturned_violation_is_never_deducted(world, committee):
    ep.give(world, world.house, 30, "a")
    v = ep.violation(world, world.house, 10)
    convention.do_appeal(actor=world.owner, violation=v, reason="不是我家")
    convention.do_decide_appeal(actor=committee, violation=v, decision="overturned", note="核实非本户")
    assert convention.deduct_due(v.appeal_deadline + timedelta(days=30)) == 0
    assert balance(world.house) == 30 and Violation.objects.get().status == "overturned"


def test_no_appeal_after_the_window(world, api):
    v = ep.violation(world, world.house, 10)
    with pytest.raises(Conflict) as refused:
        convention.do_appeal(
            actor=world.owner, violation=v, reason="晚了", now=v.appeal_deadline + timedelta(seconds=1)
        )
    assert refused.value.code == "appeal_window_closed"
    assert api(world.neighbour).post(f"/engage/violations/{v.pk}/appeal", {"reason": "x"}).status_code == 404


def test_the_deduction_stops_at_the_balance(world):
    ep.give(world, world.house, 3, "a")
    v = ep.violation(world, world.house, 10)
    convention.deduct_due(v.appeal_deadline + timedelta(seconds=1))
    v.refresh_from_db()
    assert (v.deducted, balance(world.house)) == (3, 0)


def test_the_appeal_window_is_the_communitys(world):
    points.do_set_policy(actor=world.staff, community_id=world.a.id, expiry="never", appeal_days=3)
    v = ep.violation(world, world.house, 5)
    assert abs((v.appeal_deadline - timezone.now() - timedelta(days=3)).total_seconds()) < 60


def test_a_violation_needs_a_published_convention(world, api):
    r = api(world.staff).post(
        f"/engage/communities/{world.a.id}/violations",
        {"house_id": world.house.pk, "article": "第二条", "note": "x", "points": 1},
    )
    assert (r.status_code, r.json()["code"]) == (400, "no_convention")


def _appeals_in_inbox(api, user) -> list[dict]:
    return [n for n in api(user).get("/inbox").json()["items"] if n["kind"] == convention.APPEAL_KIND]


def test_an_appeal_is_told_to_the_deciders_of_its_community_only(world, api, committee):
    narrowed_committee = f.staff(world.a, "committee_member", "committee_1", building=world.building)
    committee_of_b = f.staff(world.b, "committee_member", "committee_b")
    v = ep.violation(world, world.house, 10)
    assert _appeals_in_inbox(api, committee) == []
    r = api(world.tenant).post(f"/engage/violations/{v.pk}/appeal", {"reason": "当天家中无人"})
    assert r.status_code == 200, r.content
    for decider in (committee, world.admin):  # appeal.decide over community A
        [told] = _appeals_in_inbox(api, decider)
        assert told["link"] == f"/engage/staff/{world.a.id}/convention/appeals/"
        assert "当天家中无人" in told["body"] and told["community_id"] == world.a.id
        page = api(decider).client.get(told["link"])
        assert page.status_code == 200 and "当天家中无人" in page.content.decode()
    # Not who cannot decide it: staff without appeal.decide, a role narrowed to a building,
    # community B's deciders (world.outsider is B's admin), the household itself.
    for other in (world.staff, narrowed_committee, committee_of_b, world.outsider, world.tenant, world.owner):
        assert _appeals_in_inbox(api, other) == []
