from datetime import timedelta

from linli.core.periodic import periodic
from linli.notify.services import do_prune_outbox


@periodic(every=timedelta(hours=1))
def prune_outbox(now):
    do_prune_outbox(now=now)
