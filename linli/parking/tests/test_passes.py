"""PARK-1 passes through the API: issued at the counter, paid at the counter, renewed in the
app, honoured by the barrier, reminded before they end."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from linli.notify.models import Notification
from linli.parking.models import ParkingPass
from linli.parking.services.passes import period_end, remind_expiring
from linli.testing.access import install


def issue(api, world, user=None, **extra):
    body = {
        "house_id": world.house.id,
        "person_id": world.owner_person.id,
        "plate": "京A12345",
        "period": "monthly",
        "valid_from": timezone.localdate().isoformat(),
        "fee_fen": 30000,
        **extra,
    }
    return api(user or world.staff).post(f"/parking/communities/{world.a.id}/passes", body)


@pytest.mark.parametrize(
    "start, period, end",
    [
        (date(2027, 1, 31), "monthly", date(2027, 2, 27)),  # to the day before 28 February
        (date(2028, 1, 31), "monthly", date(2028, 2, 28)),  # a leap year
        (date(2027, 3, 1), "monthly", date(2027, 3, 31)),
        (date(2026, 12, 15), "monthly", date(2027, 1, 14)),  # across the year end
        (date(2028, 2, 29), "yearly", date(2029, 2, 27)),
    ],
)
def test_period_end(start, period, end):
    assert period_end(start, period) == end


def test_a_pass_is_issued_paid_and_opens_the_barrier(world, api):
    site = install(world)
    site.barrier.allow_temporary_parking = False
    site.barrier.save()
    r = issue(api, world)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["plate"]) == ("unpaid", "京A***45")

    def at_barrier():
        event = api(token=site.token("barrier")).post("/access/plate-events", {"plate": "京A12345"}).json()
        return event["reason"]

    assert at_barrier() == "no_temporary_parking"  # unpaid: not yet
    assert api(world.front_desk).post(f"/parking/passes/{body['id']}/pay").status_code == 403
    paid = api(world.staff).post(f"/parking/passes/{body['id']}/pay")
    assert paid.json()["status"] == "active"
    again = api(world.staff).post(f"/parking/passes/{body['id']}/pay")
    assert (again.status_code, again.json()["code"]) == (409, "pass_not_unpaid")
    assert at_barrier() == "parking_pass"
    mine = api(world.owner).get("/parking/my/passes").json()
    assert [(p["id"], p["plate"]) for p in mine] == [(body["id"], "京A12345")]


def test_bad_passes_are_refused(world, api):
    assert issue(api, world).status_code == 201
    r = issue(api, world)
    assert (r.status_code, r.json()["code"]) == (409, "pass_overlaps")
    r = issue(api, world, person_id=world.neighbour.people.get().id, plate="京B99999")
    assert (r.status_code, r.json()["code"]) == (400, "not_living_here")
    assert issue(api, world, world.front_desk, plate="京C88888").status_code == 403
    assert issue(api, world, world.outsider).status_code == 404
    assert ParkingPass.objects.count() == 1


def test_the_household_renews_in_the_app_and_is_reminded_once(world, api):
    first = issue(api, world, valid_from=(timezone.localdate() - timedelta(days=25)).isoformat()).json()
    api(world.staff).post(f"/parking/passes/{first['id']}/pay")
    now = timezone.now()
    assert remind_expiring(now) == 1
    assert remind_expiring(now) == 0  # once
    note = Notification.objects.get(recipient=world.owner, kind="parking.pass_expiring")
    assert "京A***45" in note.body
    renewed = api(world.tenant).post(f"/parking/passes/{first['id']}/renew")
    assert renewed.status_code == 201, renewed.content
    assert (
        renewed.json()["valid_from"]
        == (date.fromisoformat(first["valid_to"]) + timedelta(days=1)).isoformat()
    )
    assert renewed.json()["fee_fen"] == 30000 and renewed.json()["status"] == "unpaid"
    assert api(world.neighbour).post(f"/parking/passes/{first['id']}/renew").status_code == 404
    cancelled = api(world.staff).post(f"/parking/passes/{renewed.json()['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
