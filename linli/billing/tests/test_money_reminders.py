"""Reminders (FEE-4) against a clock: quiet hours, at most N a month, never once nothing is owed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from linli.billing.models import Reminder
from linli.billing.services import ledger
from linli.billing.services.reminders import is_quiet, send_due_reminders
from linli.notify.fakes import sms_outbox  # noqa: F401  (the recording SMS gateway fixture)
from linli.notify.models import Notification
from linli.testing import billing_money as m

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, mo, d, h, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


@pytest.fixture
def owing(world):
    return m.bill(world.house, m.fee_item(world.a), 22375, due_on=date(2026, 11, 30))


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [
        (20, 59, False),
        (21, 0, True),
        (23, 30, True),
        (0, 0, True),
        (7, 59, True),
        (8, 0, False),
        (12, 0, False),
    ],
)
def test_quiet_hours_cross_midnight(hour, minute, quiet):
    assert is_quiet(at(2026, 12, 10, hour, minute)) is quiet


def test_the_household_is_reminded_in_the_app_and_by_sms_at_most_twice_a_month(
    world,
    owing,
    sms_outbox,  # noqa: F811  (the fixture imported above)
    inline_tasks,
    django_capture_on_commit_callbacks,
):
    def run(moment):
        with django_capture_on_commit_callbacks(execute=True):
            return send_due_reminders(moment)

    assert run(at(2026, 12, 10, 22)) == 0  # quiet hours
    assert run(at(2026, 12, 11, 8)) == 1
    inbox = Notification.objects.filter(kind="billing.reminder")
    assert sorted(inbox.values_list("recipient__username", flat=True)) == ["owner", "tenant"]
    assert "¥223.75" in inbox.first().body and world.house.label in inbox.first().body
    assert inbox.first().link == "/billing/"  # a tap opens the bills, ready to pay
    assert sorted(s.phone for s in sms_outbox) == ["13800000001", "13800000002"]
    assert run(at(2026, 12, 11, 10)) == 0  # too soon after the last
    assert run(at(2026, 12, 18, 9)) == 1
    assert run(at(2026, 12, 28, 9)) == 0  # two this month already
    assert list(Reminder.objects.values_list("channel", flat=True).order_by("id")) == ["inapp", "sms"] * 2
    assert run(at(2027, 1, 4, 9)) == 1  # a new month
    m.pay(owing, 22375)
    assert run(at(2027, 1, 20, 9)) == 0  # owes nothing: never again
    assert Reminder.objects.count() == 6
    assert len(sms_outbox) == 6
    assert ledger.verify().ok


def test_the_monthly_cap_is_a_setting_and_bills_not_yet_due_are_not_reminded(world, owing, settings):
    settings.LINLI_BILLING_REMINDERS_PER_MONTH = 1
    m.bill(world.neighbour_house, m.fee_item(world.a, name="水费"), 5000, due_on=date(2026, 12, 31))
    assert send_due_reminders(at(2026, 12, 11, 9)) == 1
    assert send_due_reminders(at(2026, 12, 25, 9)) == 0
    assert set(Reminder.objects.values_list("house_id", flat=True)) == {world.house.pk}


def test_staff_see_the_reminders_sent(world, api, owing):
    send_due_reminders(at(2026, 12, 11, 9))
    rows = api(world.front_desk).get(f"/billing/communities/{world.a.pk}/reminders").json()
    assert sorted(r["channel"] for r in rows) == ["inapp", "sms"]
    assert {r["owed_fen"] for r in rows} == {22375}
    assert api(world.outsider).get(f"/billing/communities/{world.a.pk}/reminders").status_code == 404
