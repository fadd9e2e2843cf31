"""Reminders (FEE-4): households owing past due are told in the app and by SMS.

Never in quiet hours (`LINLI_BILLING_REMINDER_QUIET_HOURS`, local time, default 21:00–08:00),
at most `LINLI_BILLING_REMINDERS_PER_MONTH` per household and channel in a calendar month
(default 2), at least `LINLI_BILLING_REMINDER_GAP_DAYS` apart (default 7, so the two of a month
are not sent an hour apart), and never once the house owes nothing: what it owes is read in the
same transaction that sends, and SMS leave only after that transaction commits. Each reminder
sent is a `Reminder` row per channel; the cap counts them.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.billing.models import OWED, Reminder
from linli.billing.services.money import open_bills
from linli.core.shell.formatting import yuan
from linli.notify.services import notify
from linli.registry.models import House
from linli.registry.queries import household_user_ids

CHANNELS = ("inapp", "sms")


def quiet_hours() -> tuple[time, time]:
    start, end = settings.LINLI_BILLING_REMINDER_QUIET_HOURS.split("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def is_quiet(moment: datetime) -> bool:
    """Whether `moment` falls in quiet hours (local time; the span may cross midnight)."""
    start, end = quiet_hours()
    at = timezone.localtime(moment).time()
    return start <= at < end if start <= end else at >= start or at < end


def _overdue(house_id: int, today):
    return open_bills().filter(house_id=house_id, due_on__lt=today)


def _remind(house_id: int, now: datetime) -> int:
    """Reminds one house if it may be reminded now; returns the number of channels used."""
    local = timezone.localtime(now)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    cap = settings.LINLI_BILLING_REMINDERS_PER_MONTH
    gap = timedelta(days=settings.LINLI_BILLING_REMINDER_GAP_DAYS)
    with transaction.atomic():
        sent = Reminder.objects.filter(house_id=house_id, sent_at__gte=month_start)
        last = sent.aggregate(last=Max("sent_at"))["last"]
        if last is not None and now - last < gap:
            return 0
        used = dict(sent.values_list("channel").annotate(n=Count("id")))
        channels = [c for c in CHANNELS if used.get(c, 0) < cap]
        overdue = _overdue(house_id, local.date())
        owed = overdue.aggregate(owed=Sum(OWED))["owed"]
        if not channels or not owed:
            return 0  # capped, or paid meanwhile: checked here, at send time
        payers = {u for u in overdue.values_list("payer__user_id", flat=True) if u}
        users = payers or set(household_user_ids(house_id))
        if not users:
            return 0
        house = House.objects.select_related("building", "unit").get(pk=house_id)
        notify(
            users=users,
            kind="billing.reminder",
            title=_("缴费提醒"),
            body=_("您的房屋 %(house)s 有费用已过缴费期限，共 %(amount)s 待缴，请及时缴纳。")
            % {"house": house.label, "amount": yuan(owed)},
            link=reverse("billing:home"),  # the resident's bills, ready to pay
            community_id=house.community_id,
            channels=channels,
        )
        Reminder.objects.bulk_create(
            Reminder(
                house_id=house_id, community_id=house.community_id, channel=c, owed_fen=owed, sent_at=now
            )
            for c in channels
        )
        return len(channels)


def send_due_reminders(now: datetime | None = None) -> int:
    """The periodic job's work: every house owing past due that may be reminded now is; returns
    how many houses were reminded."""
    now = now or timezone.now()
    if is_quiet(now):
        return 0
    today = timezone.localtime(now).date()
    houses = (
        open_bills()
        .filter(due_on__lt=today, house__isnull=False)
        .order_by("house_id")
        .values_list("house_id", flat=True)
        .distinct()
    )
    return sum(1 for house_id in list(houses) if _remind(house_id, now))
