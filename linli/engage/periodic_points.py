"""Points' periodic work: expiry entries and the deductions of violations that became due."""

from datetime import timedelta

from linli.core.periodic import periodic
from linli.engage.services import convention, points


@periodic(every=timedelta(hours=1))
def expire_points(now):
    return points.expire_due(now)


@periodic(every=timedelta(minutes=10))
def deduct_violations(now):
    return convention.deduct_due(now)
