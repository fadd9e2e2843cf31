"""The points and convention pages as the personas: the resident's H5 and the console."""

import io

import pytest
from django.test import Client
from PIL import Image

from linli.engage.models import CatalogueItem, PointsAccount, Redemption, Violation, VolunteerLog
from linli.testing import engage_points as ep
from linli.testing import factories as f

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_resident_pages_open(world):
    ep.give(world, world.house, 30, "a")
    ep.item(world)
    v = ep.violation(world, world.house)
    owner = signed_in(world.owner)
    for url in (
        "/engage/points/",
        "/engage/points/earn/",
        "/engage/points/catalogue/",
        "/engage/points/redemptions/",
        "/engage/convention/",
        f"/engage/convention/versions/{v.version_id}/",
        "/engage/convention/violations/",
        f"/engage/convention/violations/{v.pk}/",
    ):
        r = owner.get(url)
        assert r.status_code == 200, url
    page = owner.get("/engage/points/").content.decode()
    assert "30" in page and "测试a" in page
    assert signed_in(world.neighbour).get(f"/engage/convention/violations/{v.pk}/").status_code == 404
    assert Client().get("/engage/points/").status_code == 302


def test_a_resident_redeems_and_cancels_on_the_page(world):
    ep.give(world, world.house, 30, "a")
    item = ep.item(world, price=20, stock=1)
    owner = signed_in(world.owner)
    r = owner.post("/engage/points/catalogue/", {"item": item.pk}, follow=True)
    assert "兑换成功" in r.content.decode()
    assert PointsAccount.objects.get(house=world.house).balance == 10
    r = owner.post("/engage/points/catalogue/", {"item": item.pk}, follow=True)
    assert "库存不足" in r.content.decode()
    redemption = Redemption.objects.get()
    owner.post("/engage/points/redemptions/", {"redemption": redemption.pk})
    assert Redemption.objects.get().status == "cancelled" and CatalogueItem.objects.get().stock == 1


def test_a_resident_logs_hours_and_staff_confirm_them(world):
    ep.rules(world)
    owner = signed_in(world.owner)
    owner.post("/engage/points/earn/", {"day": "2026-01-05", "hours": "2", "description": "帮邻居取快递"})
    log = VolunteerLog.objects.get()
    staff = signed_in(world.staff)
    url = f"/engage/staff/{world.a.id}/points/volunteer/"
    assert "帮邻居取快递" in staff.get(url).content.decode()
    staff.post(url, {"log": log.pk, "do": "confirm"})
    assert PointsAccount.objects.get(house=world.house).balance == 20


def test_the_console_pages_open_by_role(world):
    ep.give(world, world.house, 30, "a")
    ep.violation(world, world.house)
    committee = f.staff(world.a, "committee_member", "committee")
    staff = signed_in(world.staff)
    base = f"/engage/staff/{world.a.id}"
    for url in (
        "points/",
        "points/volunteer/",
        "points/garbage/",
        "points/catalogue/",
        "points/redemptions/",
        "convention/",
        "convention/violations/",
    ):
        assert staff.get(f"{base}/{url}").status_code == 200, url
    assert staff.get(f"{base}/convention/appeals/").status_code == 404  # no appeal.decide
    assert signed_in(committee).get(f"{base}/convention/appeals/").status_code == 200
    assert signed_in(world.front_desk).get(f"{base}/points/catalogue/").status_code == 404
    assert signed_in(world.outsider).get(f"{base}/points/").status_code == 404


def test_staff_record_a_violation_with_a_photo_and_the_committee_decides(world):
    ep.give(world, world.house, 30, "a")
    ep.publish(world)
    staff = signed_in(world.staff)
    photo = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(photo, "JPEG")
    photo.name = "x.jpg"
    photo.seek(0)
    staff.post(
        f"/engage/staff/{world.a.id}/convention/violations/",
        {
            "house": world.house.label,
            "article": "第二条",
            "note": "楼道堆放杂物",
            "points": "10",
            "photo": photo,
        },
    )
    v = Violation.objects.get()
    assert v.photo and v.status == "recorded"
    signed_in(world.owner).post(f"/engage/convention/violations/{v.pk}/", {"reason": "已清理"})
    committee = signed_in(f.staff(world.a, "committee_member", "committee"))
    url = f"/engage/staff/{world.a.id}/convention/appeals/"
    assert "已清理" in committee.get(url).content.decode()
    committee.post(url, {"violation": v.pk, "decision": "overturned", "note": "已整改，撤销"})
    assert Violation.objects.get().status == "overturned"


def test_the_counter_redeems_and_hands_over(world):
    ep.give(world, world.house, 30, "a")
    item = ep.item(world, price=20)
    staff = signed_in(world.staff)
    url = f"/engage/staff/{world.a.id}/points/redemptions/"
    staff.post(url, {"do": "redeem", "house": world.house.label, "item": item.pk})
    r = Redemption.objects.get()
    assert r.on_behalf
    staff.post(url, {"redemption": r.pk, "do": "fulfil"})
    assert Redemption.objects.get().status == "fulfilled"
    staff.post(f"/engage/staff/{world.a.id}/points/garbage/", {"house": world.house.label})
    assert PointsAccount.objects.get(house=world.house).balance == 12
