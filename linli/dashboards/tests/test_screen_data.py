"""The big screen's figures against a hand-counted community: who lives there, today's passages
by hour, devices and open alarms, work orders, this month's fees, an open vote; and the page's
data as a kiosk reads it holds no name, phone, ID number or plate."""

import json
import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.access.models import AccessEvent, AccessPoint
from linli.dashboards import screen_counters, screen_data
from linli.dashboards.models import DailyFigure
from linli.dashboards.services import daily_figures
from linli.dashboards.services.screens import do_issue_screen_token
from linli.iot.models import Rule
from linli.iot.services import alarms
from linli.registry.models import Person
from linli.testing import billing_money, engage_votes
from linli.testing import factories as f
from linli.testing import iot as iot_testing
from linli.testing import workorders as wo_testing
from linli.workorders.models import Request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters(monkeypatch):
    """The screen's counters and slow charts live in the process: each test starts without them."""
    monkeypatch.setattr(screen_counters, "today_passages", screen_counters.TodayPassages())
    monkeypatch.setattr(
        screen_counters, "slow_charts", screen_counters.Recent(screen_counters.SLOW_CHARTS_SECONDS)
    )


PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
PLATE = re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][A-Z0-9]{5,6}")


def at_today(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour, minute)))


def neighbours(world, local: int, floating: int) -> None:
    for n in range(local + floating):
        f.occupy(world.neighbour_house, f.person(world.a, f"住户{n}", hukou_local=n < local), "family")


def passage(world, at, method="card", direction="in", allowed=True, community=None):
    community = community or world.a
    point = AccessPoint.objects.get_or_create(community=community, name="南门", kind="community_gate")[0]
    AccessEvent.objects.create(
        community=community,
        point=point,
        at=at,
        method=method,
        allowed=allowed,
        reason="granted" if allowed else "no_grant",
        direction=direction,
    )


def passages(world) -> None:
    passage(world, at_today(8, 10))
    passage(world, at_today(8, 40), "face")
    passage(world, at_today(8, 50), "face", "out")
    passage(world, at_today(9, 5), "plate")
    passage(world, at_today(9, 30), "plate", "out")
    passage(world, at_today(10, 15), "qr")
    passage(world, at_today(8, 20), allowed=False)  # refused: not a passage
    passage(world, at_today(8, 30), direction="both")  # a point that serves both ways counts under neither
    passage(world, at_today(8, 0) - timedelta(days=1))  # yesterday
    passage(world, at_today(8, 0), community=world.b)  # another community


def requests(world) -> None:
    crew = wo_testing.crew(world)
    made = [wo_testing.report(world, crew, f"第{n}件") for n in range(4)]
    Request.objects.filter(pk=made[0].pk).update(response_overdue=True)
    now = timezone.now()
    Request.objects.filter(pk=made[2].pk).update(status="done", resolved_at=now)
    Request.objects.filter(pk=made[3].pk).update(status="done", resolved_at=now, resolution_overdue=True)


def fees(world) -> None:
    item = billing_money.fee_item(world.a)
    month = timezone.localdate().replace(day=1)
    last = (month - timedelta(days=1)).replace(day=1)
    billing_money.pay(billing_money.bill(world.house, item, 10000, period_start=month, due_on=month), 10000)
    billing_money.bill(world.neighbour_house, item, 30000, period_start=month, due_on=month)
    billing_money.pay(billing_money.bill(world.house, item, 20000, period_start=last, due_on=last), 20000)


@pytest.fixture
def estate(world):
    neighbours(world, local=3, floating=3)  # with the world's three: 9 living, 4 of them floating
    passages(world)
    site = iot_testing.site(world)
    iot_testing.raise_co(site.co)
    alarms.open_alarm(
        device=site.smoke,
        alarm_type="smoke",
        title="烟雾报警",
        severity="major",
        at=timezone.now(),
        details={},
    )
    requests(world)
    fees(world)
    engage_votes.open_vote(world)
    return world


def test_counters_and_charts_of_one_community(estate):
    world = estate
    got = screen_data.compute((world.a.id,), now=at_today(10, 30))
    # 9 living, 4 floating: floating is under 5, and then local (5) would be 9 − 4 away.
    assert got["population"]["real"] == 9
    assert got["population"]["floating"] is None
    assert got["flows"] == {"people_in": 3, "people_out": 1, "vehicles_in": 1, "vehicles_out": 1}
    hours = got["charts"]["hours"]
    assert len(hours["people_in"]) == 11  # 0:00 to 10:00; later hours have not come
    assert hours["people_in"][8] == 2 and hours["people_out"][8] == 1
    assert hours["vehicles_in"][9] == 1 and hours["vehicles_out"][9] == 1
    assert hours["people_in"][10] == 1  # 10:15, in the hour under way
    assert got["devices"] == {"total": 5, "online": 0}
    assert got["alarms"] == {"critical": 1, "major": 1, "minor": 0, "warning": 0}
    assert got["requests"] == {"open": 2, "overdue": 1, "resolved": 2, "on_time_pct": 50.0}
    assert got["fees"] == {"due": 40000, "paid": 10000, "pct": 25.0}
    assert [v["title"] for v in got["votes"]] == ["续聘物业服务企业"]
    collection = got["charts"]["collection"]
    assert len(collection) == 12
    assert [c["pct"] for c in collection[-2:]] == [100.0, 25.0]
    assert collection[0]["pct"] is None  # no bills that month


def test_todays_passages_are_counted_on_from_the_last_read(world):
    passages(world)
    first = screen_data.compute((world.a.id,), now=at_today(10, 30))["flows"]
    assert first == {"people_in": 3, "people_out": 1, "vehicles_in": 1, "vehicles_out": 1}
    passage(world, at_today(10, 20), "card", "out")
    passage(world, at_today(7, 5), "plate")  # an offline terminal's upload of this morning
    passage(world, at_today(7, 0) - timedelta(days=1), "plate")  # and of yesterday: not today's
    again = screen_data.compute((world.a.id,), now=at_today(10, 30))
    assert again["flows"] == {"people_in": 3, "people_out": 2, "vehicles_in": 2, "vehicles_out": 1}
    assert again["charts"]["hours"]["vehicles_in"][7] == 1
    assert (
        screen_data.compute((world.a.id,), now=at_today(10, 30))["flows"] == again["flows"]
    )  # nothing twice
    # A fresh count of the day (another process) agrees with the one counted on.
    screen_counters.today_passages = screen_counters.TodayPassages()
    assert screen_data.compute((world.a.id,), now=at_today(10, 30))["flows"] == again["flows"]


def test_slow_figures_come_from_the_daily_job(estate):
    world = estate
    daily_figures.do_compute_daily_figures(world.a.id, timezone.localdate())
    neighbours(world, local=0, floating=3)  # after the job ran: the screen shows the job's count
    got = screen_data.compute((world.a.id,))
    assert got["population"] == {"real": 9, "floating": None, "as_of": timezone.localdate().isoformat()}
    rules = Rule.objects.filter(community=world.a)
    named = {
        t: rules.filter(alarm_type=t).values_list("name", flat=True).first() for t in ("co_high", "smoke")
    }
    assert named == {"co_high": "一氧化碳超标", "smoke": "烟雾报警"}  # what the rules call them
    assert {r["name"]: r["n"] for r in got["charts"]["alarms_by_type"]} == {"一氧化碳超标": 1, "烟雾报警": 1}
    assert got["charts"]["requests_by_category"] == [{"name": "水管漏水", "n": 4}]


def test_a_floating_population_of_five_is_shown(world):
    neighbours(world, local=4, floating=4)  # 11 living: 5 floating, 6 local
    assert screen_data.compute((world.a.id,))["population"]["floating"] == 5


def test_a_street_adds_up_its_communities(estate):
    world = estate
    f.occupy(world.house_b, f.person(world.b, "和平苑住户"), "family")
    billing_money.bill(
        world.house_b, billing_money.fee_item(world.b), 60000, due_on=timezone.localdate().replace(day=1)
    )
    got = screen_data.compute((world.a.id, world.b.id), now=at_today(10, 30))
    assert got["population"]["real"] == 9 + 2
    assert got["flows"]["people_in"] == 3 + 1  # B's gate at 8:00
    assert got["fees"] == {"due": 100000, "paid": 10000, "pct": 10.0}
    assert {c["name"] for c in got["communities"]} == {"幸福里小区", "和平苑"}
    assert [v["community"] for v in got["votes"]] == ["幸福里小区"]


def test_the_kiosk_page_and_its_data_name_nobody(estate):
    world = estate
    _token, raw = do_issue_screen_token(actor=world.admin, community=world.a, label="大厅")
    client = Client()
    page = client.get(f"/screen/{world.a.id}/", {"token": raw})
    data = client.get(f"/screen/{world.a.id}/data", {"token": raw})
    assert page.status_code == 200 and data.status_code == 200
    text = page.content.decode() + json.dumps(data.json(), ensure_ascii=False)
    people = Person.objects.filter(community=world.a)
    secrets = [p.name for p in people] + [p.phone for p in people] + [p.id_number for p in people]
    assert [s for s in secrets if s and s in text] == []
    assert not PHONE.search(text) and not ID_NUMBER.search(text) and not PLATE.search(text)


# --- the hour and the day turning over (explicit `now`, as a screen refreshed across them) ---------


def on(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def hours_of(world, now) -> dict[str, list[int]]:
    return screen_data.compute((world.a.id,), now=now)["charts"]["hours"]


def test_a_passage_counts_in_its_own_hour_when_the_hour_turns(world):
    today = timezone.localdate()
    passage(world, on(today, 9, 10))
    passage(world, on(today, 9, 50))
    before = hours_of(world, on(today, 9, 59))
    assert len(before["people_in"]) == 10 and before["people_in"][9] == 2  # 0:00 to 9:00
    passage(world, on(today, 10, 0))  # the first second of the new hour
    passage(world, on(today, 9, 59), "card", "out")  # the last minute of the old one, read after 10:00
    after = hours_of(world, on(today, 10, 1))
    assert len(after["people_in"]) == 11
    assert after["people_in"][9:] == [2, 1] and after["people_out"][9:] == [1, 0]
    assert sum(after["people_in"]) == 3  # nothing counted twice across the turn


def test_at_local_midnight_the_screen_starts_a_new_day(world):
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    passage(world, on(today, 23, 50))
    passage(world, on(today, 23, 58), "plate")
    late = screen_data.compute((world.a.id,), now=on(today, 23, 59))
    assert late["flows"] == {"people_in": 1, "people_out": 0, "vehicles_in": 1, "vehicles_out": 0}
    assert len(late["charts"]["hours"]["people_in"]) == 24 and late["charts"]["hours"]["people_in"][23] == 1
    passage(world, on(tomorrow, 0, 0))  # midnight itself belongs to the new day
    passage(world, on(today, 23, 59), "face", "out")  # an upload of last night, read after midnight
    new_day = screen_data.compute((world.a.id,), now=on(tomorrow, 0, 5))
    assert new_day["flows"] == {"people_in": 1, "people_out": 0, "vehicles_in": 0, "vehicles_out": 0}
    assert new_day["charts"]["hours"] == {
        "people_in": [1],
        "people_out": [0],
        "vehicles_in": [0],
        "vehicles_out": [0],
    }
    # The hourly job's run after midnight closes yesterday again: the late upload lands there.
    daily_figures.do_compute_daily_figures(world.a.id, today)
    closed = dict(
        DailyFigure.objects.filter(community=world.a, day=today, metric__startswith="flows.").values_list(
            "metric", "value"
        )
    )
    assert closed == {
        "flows.people_in": 1,
        "flows.people_out": 1,
        "flows.vehicles_in": 1,
        "flows.vehicles_out": 0,
    }
