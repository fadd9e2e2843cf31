"""dashboards' periodic jobs (core's scheduler discovers this module only)."""

from datetime import timedelta

from django.utils import timezone

from linli.core import queries as core_queries
from linli.core.periodic import periodic
from linli.dashboards import daily


@periodic(every=timedelta(hours=1))
def compute_daily_figures(now):
    """Today's figures as they stand, and yesterday's flows once more: an offline terminal's
    passages and late resolutions reach the day they belong to."""
    today = timezone.localdate(now)
    written = 0
    for community_id in core_queries.any_community().values_list("id", flat=True):
        written += daily.compute(community_id, today)
        written += daily.compute(community_id, today - timedelta(days=1))
    return written
