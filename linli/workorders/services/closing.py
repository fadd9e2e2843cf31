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
    """Closes orders checked more than their community's `auto_close_days` ago and never rated,
    community by community, so one community's young orders never hold back another's due ones."""
    closed = 0
    checked = Request.objects.filter(status=Status.CHECKED, rating__isnull=True)
    for community_id in checked.values_list("community_id", flat=True).distinct().order_by():
        due = now - timedelta(days=settings_of(community_id).auto_close_days)
        for pk in checked.filter(community_id=community_id, updated_at__lte=due).values_list("id", flat=True)[
            :BATCH
        ]:
            try:
                flow.system_move(Request.objects.get(pk=pk), "close")
            except Conflict:  # closed, rated or reopened meanwhile
                continue
            closed += 1
    return closed
