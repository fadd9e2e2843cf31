"""Storing the daily figures (`daily.rows`): a day's rows are replaced as a whole in one
transaction, so a run that is repeated (or races another) leaves one consistent set. Written by
the hourly job and the demo, never by a user."""

from datetime import date

from django.db import transaction

from linli.dashboards import daily
from linli.dashboards.models import DailyFigure


def do_compute_daily_figures(community_id: int, day: date) -> int:
    """Replaces the community's figures of `day`; returns how many rows were written."""
    metrics, rows = daily.rows(community_id, day)
    with transaction.atomic():
        DailyFigure.objects.filter(community_id=community_id, day=day, metric__in=metrics).delete()
        DailyFigure.objects.bulk_create(
            DailyFigure(community_id=community_id, day=day, metric=m, part=p, value=v) for m, p, v in rows
        )
    return len(rows)
