"""The hourly job's figures of requests, alarms, fees and satisfaction against a community
counted by hand, the data made through the apps' own services at set times: a day's flows are
what happened between its local midnights, the job run just after midnight closes yesterday
again and starts today, and today's stocks are read as they stand."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from linli.billing.services.runs import do_void_bill
from linli.dashboards import periodic
from linli.dashboards.models import DailyFigure
from linli.engage.services.surveys import SATISFACTION_DIMENSIONS
from linli.iot.models import Alarm
from linli.iot.services import alarms
from linli.testing import billing_money, engage_surveys
from linli.testing import iot as iot_testing
from linli.testing import workorders as wo_testing
from linli.workorders.models import Request
from linli.workorders.services import flow, intake

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - timedelta(days=3)  # the day counted by hand; the job runs on the next
NEXT = DAY + timedelta(days=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def clock(monkeypatch):
    """Every `timezone.now()` (and so localdate) answers the set instant."""

    class Clock:
        def set(self, when: datetime) -> datetime:
            monkeypatch.setattr(timezone, "now", lambda: when)
            return when

    return Clock()


def figures(community, day: date) -> dict[tuple[str, str], int]:
    return {(r.metric, r.part): r.value for r in DailyFigure.objects.filter(community=community, day=day)}


def run_job(clock, when: datetime) -> None:
    clock.set(when)
    periodic.compute_daily_figures(when)


@pytest.fixture
def requests(world, clock) -> dict[str, Request]:
    """Reported (through intake) and resolved (by the assignee, through the flow):
    DAY−1 15:00 r1 leak, resolved DAY 10:00 (19 h = 1,140 minutes);
    DAY 09:00 r2 leak, resolved DAY 11:30 (150 minutes); DAY 09:30 r3 noise (a complaint);
    DAY 23:59 r4 leak; NEXT 00:00 r5 leak (the next day's first minute)."""
    crew = wo_testing.crew(world)

    def report(when, category=crew.repair) -> Request:
        clock.set(when)
        return intake.do_report(
            actor=world.owner,
            community_id=world.a.id,
            category_id=category.id,
            description=category.name,
            house_id=world.house.id,
        )

    def resolve(request, when) -> None:
        clock.set(when)
        request = Request.objects.get(pk=request.pk)
        assert request.assignee_id == world.technician.pk, request.status
        for action in ("start", "complete"):
            request = flow.do_transition(actor=world.technician, request=request, action=action)

    made = {"r1": report(at(DAY - timedelta(days=1), 15)), "r2": report(at(DAY, 9))}
    made["r3"] = report(at(DAY, 9, 30), crew.complaint)
    resolve(made["r1"], at(DAY, 10))
    resolve(made["r2"], at(DAY, 11, 30))
    made["r4"] = report(at(DAY, 23, 59))
    made["r5"] = report(at(NEXT, 0, 0))
    return made


def test_requests_opened_and_resolved_of_a_day(world, clock, requests):
    run_job(clock, at(NEXT, 0, 30))
    day = figures(world.a, DAY)
    assert day[("requests.opened", "")] == 3  # r2, r3, r4; r1 was the day before, r5 the day after
    assert day[("requests.opened", "category:水管漏水")] == 2
    assert day[("requests.opened", "category:噪音投诉")] == 1
    assert day[("requests.opened", "kind:repair")] == 2 and day[("requests.opened", "kind:complaint")] == 1
    assert day[("requests.opened", f"building:{world.building.id}")] == 3
    assert day[("requests.resolved", "")] == 2  # r1 and r2, both resolved that day
    assert day[("requests.resolved", "category:水管漏水")] == 2
    assert day[("requests.resolve_minutes", "")] == 1140 + 150
    assert ("requests.open", "") not in day and ("requests.overdue", "") not in day  # stocks: the run's day
    today = figures(world.a, NEXT)
    assert today[("requests.opened", "")] == 1  # r5 at midnight
    assert ("requests.resolved", "") not in today
    assert today[("requests.open", "")] == 3  # r3, r4 and r5 stand open at the run
    assert today[("requests.overdue", "")] == 0
    assert figures(world.a, DAY - timedelta(days=1)) == {}  # the job closes yesterday, no further


def test_a_resolution_sent_back_leaves_the_day_on_the_next_run(world, clock, requests):
    run_job(clock, at(NEXT, 0, 30))
    assert figures(world.a, NEXT)[("requests.open", "")] == 3
    clock.set(at(NEXT, 0, 40))
    r2 = Request.objects.get(pk=requests["r2"].pk)
    flow.do_transition(actor=world.owner, request=r2, action="rework", reason="还在漏")
    run_job(clock, at(NEXT, 1, 30))
    day = figures(world.a, DAY)
    assert day[("requests.resolved", "")] == 1 and day[("requests.resolve_minutes", "")] == 1140
    assert figures(world.a, NEXT)[("requests.open", "")] == 4


def test_alarms_raised_of_a_day_and_active_at_the_run(world, clock):
    site = iot_testing.site(world)

    def raise_alarm(device, alarm_type, severity, when):
        alarms.open_alarm(
            device=device, alarm_type=alarm_type, title=alarm_type, severity=severity, at=when, details={}
        )

    clock.set(at(DAY - timedelta(days=1), 22))
    raise_alarm(site.smoke, "smoke", "major", at(DAY - timedelta(days=1), 22))  # the day before
    clock.set(at(DAY, 8))
    raise_alarm(site.co, "co_high", "critical", at(DAY, 8))
    clock.set(at(DAY, 8, 30))
    raise_alarm(site.co, "co_high", "critical", at(DAY, 8, 30))  # the same alarm again: not a new one
    clock.set(at(DAY, 9))
    smoke = Alarm.objects.get(device=site.smoke, status="active")
    alarms.do_clear(actor=world.staff, alarm_id=smoke.pk)
    clock.set(at(DAY, 12))
    raise_alarm(site.smoke, "smoke", "major", at(DAY, 12))  # raised anew after the clearing
    clock.set(at(NEXT, 0, 10))
    raise_alarm(site.camera, "fire_lane", "minor", at(NEXT, 0, 10))
    run_job(clock, at(NEXT, 0, 30))
    day = figures(world.a, DAY)
    assert {p: v for (m, p), v in day.items() if m == "alarms.raised"} == {
        "": 2,
        "severity:critical": 1,
        "severity:major": 1,
        "type:co_high": 1,
        "type:smoke": 1,
    }
    assert not any(m == "alarms.active" for m, _ in day)  # a stock: read on the day of the run only
    today = figures(world.a, NEXT)
    assert today[("alarms.raised", "")] == 1 and today[("alarms.raised", "type:fire_lane")] == 1
    assert {p: v for (m, p), v in today.items() if m == "alarms.active"} == {
        "": 3,  # co_high since 08:00, smoke since 12:00, fire_lane since 00:10
        "severity:critical": 1,
        "severity:major": 1,
        "severity:minor": 1,
    }


def test_fees_of_the_bills_whose_period_starts_this_month(world, clock):
    clock.set(at(NEXT, 0, 5))
    month = NEXT.replace(day=1)
    item = billing_money.fee_item(world.a)
    billing_money.pay(billing_money.bill(world.house, item, 10000, period_start=month, due_on=month), 6000)
    billing_money.bill(world.neighbour_house, item, 30000, period_start=month, due_on=month)
    last = (month - timedelta(days=1)).replace(day=1)  # last month's: another month's collection
    billing_money.pay(billing_money.bill(world.house, item, 20000, period_start=last, due_on=last), 20000)
    other_item = billing_money.fee_item(world.a, name="车位管理费")
    voided = billing_money.bill(world.neighbour_house, other_item, 5000, period_start=month, due_on=month)
    do_void_bill(actor=world.admin, bill=voided, reason="重复开具")
    billing_money.bill(
        world.house_b, billing_money.fee_item(world.b), 70000, period_start=month, due_on=month
    )
    run_job(clock, at(NEXT, 0, 30))
    today = figures(world.a, NEXT)
    assert (today[("fees.due", "")], today[("fees.paid", "")]) == (10000 + 30000, 6000)
    assert not any(m.startswith("fees.") for m, _ in figures(world.a, DAY))  # stocks of the run's day only


def test_satisfaction_is_the_latest_years_score(world, clock):
    clock.set(at(NEXT, 0, 5))
    dimensions = len(SATISFACTION_DIMENSIONS)
    neighbour = world.neighbour
    engage_surveys.open_satisfaction(world, NEXT.year - 1, [(world.owner, [5] * dimensions)])
    # This year: the owner rates every dimension 4 and the neighbour 3: 3.5 of 5 is 70 of 100.
    engage_surveys.open_satisfaction(
        world, NEXT.year, [(world.owner, [4] * dimensions), (neighbour, [3] * dimensions)]
    )
    run_job(clock, at(NEXT, 0, 30))
    assert figures(world.a, NEXT)[("satisfaction.score", "")] == 70
    assert ("satisfaction.score", "") not in figures(world.b, NEXT)  # no survey there
