"""The monthly reports job: on the 1st, last month's reports of every community that has daily
figures in it, delivered once to the inbox of those who may read them.

A `MonthlyReport` row per (community, month, kind) is the claim: the rows and the message are
written in one transaction, and a second run (or a second scheduler racing the first) fails on
the unique constraint and sends nothing. The reports themselves are rendered when downloaded:
a closed month's figures no longer change (the daily job rewrites today and yesterday only)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import queries as core_queries
from linli.core.roles import Action
from linli.dashboards.gov_period import last_day, previous_month
from linli.dashboards.models import DailyFigure, MonthlyReport
from linli.dashboards.reports import KINDS
from linli.notify.services import notify

MESSAGE_KIND = "dashboards.monthly_reports"


def issue_monthly_reports(now: datetime) -> int:
    """Issues last month's reports where they were not yet; returns how many communities got them."""
    month = previous_month(timezone.localdate(now))
    with_figures = set(
        DailyFigure.objects.filter(
            metric="population.real", part="", day__gte=month, day__lte=last_day(month)
        )
        .values_list("community_id", flat=True)
        .distinct()
    )
    issued = set(MonthlyReport.objects.filter(month=month).values_list("community_id", flat=True))
    delivered = 0
    for community_id in sorted(with_figures - issued):
        try:
            with transaction.atomic():
                MonthlyReport.objects.bulk_create(
                    MonthlyReport(community_id=community_id, month=month, kind=kind) for kind in KINDS
                )
                _tell(community_id, month)
        except IntegrityError:
            continue  # another run issued them first
        delivered += 1
    return delivered


def _tell(community_id: int, month) -> None:
    """To everyone who may read the community's reports (stats.view over the whole community)."""
    page = reverse("dashboards:reports", args=[community_id])
    label = f"{month:%Y-%m}"
    lines = [
        f"{title}：{page}{kind}.xlsx?month={label} {page}{kind}.pdf?month={label}"
        for kind, (title, _b) in KINDS.items()
    ]
    notify(
        users=core_queries.staff_user_ids(community_id, Action.STATS_VIEW, narrowed=False),
        kind=MESSAGE_KIND,
        title=_("%(month)s 月度报表已生成") % {"month": label},
        body="\n".join(lines),
        link=f"{page}?month={label}",
        community_id=community_id,
    )
