"""Access events partitioned by month on PostgreSQL: each row in its month's table, the event
list reading across months, retention dropping a whole month, and the terminal's event id
still unique across all months."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from linli.access.models import AccessEvent
from linli.access.periodic import access_event_retention
from linli.core import partitions
from linli.core.partitions import add_months, month_start

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's; SQLite keeps a plain table"
)
TABLE = "access_accessevent"


def _as_if_committed() -> None:
    """The rows above were written in this test's transaction, their deferred foreign-key checks
    still pending, and PostgreSQL drops no table with pending checks. Production drops months
    written long ago; checking now makes the test's rows alike."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _event(world, site, at, **extra) -> AccessEvent:
    return AccessEvent.objects.create(
        community=world.a, point=site.door, at=at, method="card", allowed=True, reason="ok", **extra
    )


def _partition_of(event: AccessEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def test_it_keeps_each_event_in_its_months_partition_and_moves_early_ones_in_later(world, site):
    now = timezone.now()
    this_month = _event(world, site, now)
    assert _partition_of(this_month) == partitions.partition_name(TABLE, month_start(now))
    long_ago = month_start(now) - timedelta(days=200)
    early = _event(world, site, long_ago)
    assert _partition_of(early) == f"{TABLE}_default"  # no month of its own yet

    assert partitions.ensure_months(TABLE, "at", [long_ago]) == 1
    assert _partition_of(early) == partitions.partition_name(TABLE, month_start(long_ago))
    assert AccessEvent.objects.filter(pk=early.pk).exists()


def test_it_lists_events_across_months_in_the_api_page_by_page(world, site, api):
    now = timezone.now()
    last_month = add_months(month_start(now), -1)
    partitions.ensure_months(TABLE, "at", [last_month])
    made = [_event(world, site, when) for when in (last_month + timedelta(days=3), now, last_month, now)]
    expected = [e.pk for e in sorted(made, key=lambda e: (e.at, e.pk), reverse=True)]
    client, seen, cursor = api(world.staff), [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = client.get(f"/communities/{world.a.id}/access/events", params).json()
        seen += [item["id"] for item in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == expected
    allowed = client.get(f"/communities/{world.a.id}/access/events", {"allowed": "true", "limit": 2}).json()
    assert [item["id"] for item in allowed["items"]] == expected[:2]


@override_settings(LINLI_ACCESS_EVENT_MONTHS=2)
def test_retention_drops_whole_expired_months_and_keeps_the_rest(world, site):
    now = timezone.now()
    this = month_start(now)
    old, kept_month = add_months(this, -3), add_months(this, -2)
    partitions.ensure_months(TABLE, "at", [old, kept_month])
    gone = [_event(world, site, old + timedelta(days=d)) for d in (0, 10, 27)]
    kept = [_event(world, site, kept_month), _event(world, site, now)]
    _as_if_committed()

    access_event_retention(now)

    assert partitions.partition_name(TABLE, old) not in partitions.months(TABLE).values()
    assert partitions.partition_name(TABLE, kept_month) in partitions.months(TABLE).values()
    assert not AccessEvent.objects.filter(pk__in=[e.pk for e in gone]).exists()
    assert set(AccessEvent.objects.values_list("pk", flat=True)) == {e.pk for e in kept}


def test_a_terminals_event_id_stays_unique_across_months(world, site):
    event_id = uuid.uuid4()
    now = timezone.now()
    _event(world, site, add_months(month_start(now), 1), uuid=event_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        _event(world, site, now, uuid=event_id)
    _event(world, site, now, uuid=uuid.uuid4())
    assert AccessEvent.objects.filter(uuid=event_id).count() == 1
