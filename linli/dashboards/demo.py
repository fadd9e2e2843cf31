"""dashboards' part of a demo community: `seed_dashboards_demo(community)`, called by the demo
seeder after every other app (it reads what they seeded). The daily figures of the last 30 days
are computed from the demo's own passages, requests and alarms, and today's stocks as they
stand, so that the government view and reports have a month to show before the hourly job has
run. Idempotent: each day's figures are replaced."""

from datetime import timedelta

from django.utils import timezone

from linli.dashboards.map_demo import seed_map_demo
from linli.dashboards.services import daily_figures

HISTORY_DAYS = 30


def seed_dashboards_demo(community, *, seed: int = 0) -> dict:
    today = timezone.localdate()
    written = sum(
        daily_figures.do_compute_daily_figures(community.id, today - timedelta(days=n))
        for n in range(HISTORY_DAYS, -1, -1)
    )
    seed_map_demo(community, seed=seed)  # the site map: outline, buildings, gates, devices, street
    return {"daily_figures": written}
