"""Orders checked and left unrated are closed by themselves after the community's
`auto_close_days`, as the desk would (the reporter can still reopen them within `reopen_days`)."""

from datetime import datetime, timedelta

from linli.core.errors import Conflict
from linli.workorders.choices import Status
from linli.workorders.models import Request
from linli.workorders.services import flow
from linli.workorders.services.setup import settings_of

BATCH = 500


def close_checked(now: datetime) -> int:
    """Closes orders checked more than the community's `auto_close_days` ago and never rated."""
    closed = 0
    rows = (
        Request.objects.filter(status=Status.CHECKED, rating__isnull=True)
        .order_by("updated_at")
        .values_list("id", "community_id", "updated_at")
    )
    for pk, community_id, updated in rows[:BATCH]:
        if now - updated < timedelta(days=settings_of(community_id).auto_close_days):
            continue
        try:
            flow.system_move(Request.objects.get(pk=pk), "close")
        except Conflict:  # closed, rated or reopened meanwhile
            continue
        closed += 1
    return closed
