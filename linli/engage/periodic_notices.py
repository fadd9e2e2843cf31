"""Scheduled notices: published when their time comes (run by `linli scheduler`)."""

from datetime import timedelta

from linli.core.periodic import periodic
from linli.engage.services import notices


@periodic(every=timedelta(minutes=1), lease=timedelta(minutes=5), name="engage.publish_due_notices")
def publish_due_notices(now):
    notices.publish_due(now)
