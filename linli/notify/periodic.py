from datetime import timedelta

from linli.core.periodic import periodic
from linli.notify.services import do_prune_outbox
from linli.notify.services.sms_deliveries import do_prune_sms_deliveries


@periodic(every=timedelta(hours=1))
def prune_outbox(now):
    do_prune_outbox(now=now)


@periodic(every=timedelta(days=1))
def prune_sms_deliveries(now):
    do_prune_sms_deliveries(now=now)
