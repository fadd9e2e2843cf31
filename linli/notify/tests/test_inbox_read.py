"""The inbox page is hand-written SQL (linli.core.rawsql); page by page it gives what its ORM
reference (keyset pagination over `inbox(user)`, and `unread_count`) gives."""

import random

import pytest
from django.utils import timezone

from linli.core.pagination import keyset_page
from linli.notify import queries
from linli.notify.models import Notification
from linli.notify.services import notify
from linli.testing import factories as f


def fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def pages(read, user, unread_only: bool, limit: int) -> list:
    found, cursor = [], None
    while True:
        rows, cursor, unread = read(user, unread_only, cursor, limit)
        found.append(([fields(n) for n in rows], cursor, unread))
        if cursor is None:
            return found


def by_hand(user, unread_only, cursor, limit):
    return queries.inbox_page(user, unread_only=unread_only, cursor=cursor, limit=limit)


def reference(user, unread_only, cursor, limit):
    rows, next_cursor = keyset_page(
        queries.inbox(user, unread_only=unread_only), cursor=cursor, limit=limit, newest_first=True
    )
    return rows, next_cursor, queries.unread_count(user)


@pytest.mark.django_db
def test_every_page_is_the_orm_reference():
    # A new seed each run (in the body: a parametrised random id would differ between the
    # parallel workers' collections); it is in the failure message to replay.
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    me, other, nobody = f.user("me"), f.user("other"), f.user("nobody")
    for i in range(rng.randrange(0, 45)):
        notify(users=[rng.choice([me, other])], kind="notice", title=f"通知{i}", body="")
    mine = list(Notification.objects.filter(recipient=me).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=rng.sample(mine, len(mine) // 3)).update(read_at=timezone.now())
    for user in (me, other, nobody):
        for unread_only in (False, True):
            limit = rng.randrange(1, 25)
            assert pages(by_hand, user, unread_only, limit) == pages(reference, user, unread_only, limit), (
                seed
            )
