from datetime import timedelta

from linli.channels.services.wechat_binding import do_prune_binding_tickets
from linli.core.periodic import periodic


@periodic(every=timedelta(hours=1))
def prune_binding_tickets(now):
    do_prune_binding_tickets(now=now)
