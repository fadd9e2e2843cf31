"""The console home per role (issue 14 item 6): the numbers each role acts on, registered by the
apps with the shell and computed in the user's scope, and the part the page polls."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from linli.access.services.passes import do_create_pass
from linli.core.models import OutboxEvent
from linli.notify.audience import ADDRESS_COLUMNS, address
from linli.testing import billing_money, iot, workorders
from linli.testing import factories as f
from linli.testing.personas import build_narrowed
from linli.testing.walk import text_of
from linli.workorders.models import Request

pytestmark = pytest.mark.django_db


def numbers(client, cid: int, part: bool = False) -> dict[str, str]:
    page = text_of(client.get(f"/staff/c/{cid}/", {"part": "figures"} if part else {}))
    return dict(
        re.findall(
            r'data-figure="(\w+)"><div class="stat-label">(?:<a [^>]*>)?[^<]+(?:</a>)?</div><div class="stat-value">([^<]*)<',
            page,
        )
    )


@pytest.fixture
def busy(world):
    """Two visitors today (one more tomorrow), two open bills and a paid one this month, two
    requests in the technician's queue (one overdue), and a CO alarm."""
    now = timezone.now()
    for name, start in (
        ("访客甲", now),
        ("访客乙", now - timedelta(hours=1)),
        ("明天的", now + timedelta(days=2)),
    ):
        do_create_pass(
            actor=world.owner,
            house=world.house,
            visitor_name=name,
            valid_from=start,
            valid_until=start + timedelta(hours=6),
        )
    first = timezone.localdate().replace(day=1)
    property_fee = billing_money.fee_item(world.a)
    billing_money.bill(world.house, property_fee, 10000, period_start=first)
    billing_money.bill(world.house, billing_money.fee_item(world.a, kind="water"), 20000, period_start=first)
    paid = billing_money.bill(world.neighbour_house, property_fee, 10000, period_start=first)
    billing_money.pay(paid, 10000)
    crew = workorders.crew(world)
    first_request = workorders.report(world, crew)
    workorders.report(world, crew, "卫生间水管漏水")
    Request.objects.filter(pk=first_request.pk).update(resolution_overdue=True)
    iot.raise_co(iot.site(world).co)
    return crew


def test_each_role_sees_the_numbers_it_acts_on(world, browser, busy):
    assert Request.objects.filter(assignee=world.technician).count() == 2  # the crew dispatches at once
    desk = numbers(browser(world.front_desk), world.a.id)
    assert desk == {"access_visitors_today": "2", "billing_unpaid": "2", "workorders_overdue": "1"}
    tech = numbers(browser(world.technician), world.a.id)
    assert tech == {"workorders_my_queue": "2", "iot_open_alarms": "1"}
    manager = numbers(browser(world.staff), world.a.id)
    assert manager["workorders_overdue"] == "1"
    assert manager["billing_collection"] == "25.0%"  # 10,000 of 40,000 fen
    assert manager["iot_open_alarms"] == "1"
    # In weight order: the counter's first, the manager's last.
    assert list(manager) == [
        "access_visitors_today",
        "billing_unpaid",
        "workorders_my_queue",
        "workorders_overdue",
        "billing_collection",
        "iot_open_alarms",
    ]
    # The government viewer acts on none of them.
    assert numbers(browser(f.staff(world.a, "gov_viewer", "gov")), world.a.id) == {}


def live_topics(client, cid: int) -> set[str]:
    page = text_of(client.get(f"/staff/c/{cid}/"))
    found = re.search(r'id="home-figures"[^>]*data-live-topics="([^"]*)"', page)
    return set(found.group(1).split()) if found else set()


def heard(topics: set[str], cid: int, after: int) -> set[str]:
    """The events since `after` that a staff stream of the community delivers and the page listens to."""
    rows = OutboxEvent.objects.filter(pk__gt=after, topic__in=topics).values(*ADDRESS_COLUMNS, "topic")
    return {row["topic"] for row in rows if address(row) == ("staff", cid)}


def test_the_numbers_are_read_again_at_once_on_the_events_that_change_them(world, browser, busy):
    cid = world.a.id
    desk, tech = live_topics(browser(world.front_desk), cid), live_topics(browser(world.technician), cid)
    mark = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    bill = billing_money.bill(world.house, billing_money.fee_item(world.a, name="停车费"), 3000)
    billing_money.pay(bill, 3000)  # at the counter: the desk's unpaid bills change
    assert heard(desk, cid, mark) >= {"billing.collected"}
    mark = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    workorders.report(world, busy, "楼道灯不亮")  # the technician's queue grows
    iot.raise_co(iot.site_in(world, world.building, "b2").co, "一氧化碳超标 · 二号车库")
    assert heard(tech, cid, mark) >= {"workorders.changed", "iot.alarm"}
    # A role shown no number listens to nothing.
    assert live_topics(browser(f.staff(world.a, "gov_viewer", "gov")), cid) == set()


def test_the_page_polls_its_numbers_and_they_follow_what_happens(world, browser, busy):
    client = browser(world.technician)
    page = text_of(client.get(f"/staff/c/{world.a.id}/"))
    assert f'hx-get="/staff/c/{world.a.id}/?part=figures"' in page and "every 15s" in page
    iot.raise_co(iot.site_in(world, world.building, "b2").co, "一氧化碳超标 · 二号车库")
    polled = client.get(f"/staff/c/{world.a.id}/", {"part": "figures"})
    assert "<main" not in text_of(polled)  # only the numbers
    assert numbers(client, world.a.id, part=True)["iot_open_alarms"] == "2"


def test_numbers_are_counted_in_the_users_scope(world, browser, busy):
    narrowed = build_narrowed(world)
    billing_money.bill(narrowed.other_house, billing_money.fee_item(world.a, name="水费"), 5000)
    assert numbers(browser(world.front_desk), world.a.id)["billing_unpaid"] == "3"
    # The counter of 1号楼 collects 1号楼's two, not 2号楼's.
    assert numbers(browser(narrowed.front_desk), world.a.id)["billing_unpaid"] == "2"
    # The outsider's community has nothing of A's.
    theirs = numbers(browser(world.outsider), world.b.id)
    assert theirs["billing_unpaid"] == "0" and theirs["access_visitors_today"] == "0"
