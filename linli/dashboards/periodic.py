"""dashboards' periodic jobs (core's scheduler discovers this module only)."""

from datetime import timedelta

from django.utils import timezone

from linli.core import queries as core_queries
from linli.core.periodic import periodic
from linli.dashboards.services import daily_figures, reports


@periodic(every=timedelta(hours=1))
def compute_daily_figures(now):
    """Today's figures as they stand, and yesterday's flows once more: an offline terminal's
    passages and late resolutions reach the day they belong to."""
    today = timezone.localdate(now)
    written = 0
    for community_id in core_queries.any_community().values_list("id", flat=True):
        written += daily_figures.do_compute_daily_figures(community_id, today)
        written += daily_figures.do_compute_daily_figures(community_id, today - timedelta(days=1))
    return written


@periodic(every=timedelta(hours=1), lease=timedelta(minutes=30))
def issue_monthly_reports(now):
    """Last month's reports, on the 1st: hourly, so that a server down at midnight catches up;
    each community's are issued once (services/reports.py)."""
    return reports.issue_monthly_reports(now)
