"""parking's periodic jobs (core's scheduler discovers this module only)."""

from datetime import timedelta

from linli.core.periodic import periodic
from linli.parking.services import passes


@periodic(every=timedelta(hours=6))
def remind_expiring_passes(now):
    return passes.remind_expiring(now)
