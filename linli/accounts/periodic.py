from datetime import timedelta

from linli.accounts.services import do_prune_sign_in_state
from linli.core.periodic import periodic


@periodic(every=timedelta(hours=1))
def prune_sign_in_state(now):
    do_prune_sign_in_state(now=now)
