from datetime import timedelta

from django.utils import timezone

from linli.core.events import publish
from linli.core.models import OutboxEvent
from linli.core.periodic import REGISTRY, run_due


def test_it_prunes_outbox_events_older_than_seven_days(world):
    publish("notify.new", {"n": 1}, users=[world.owner.id])
    publish("notify.new", {"n": 2}, users=[world.outsider.id])
    publish("notify.new", {"n": 3}, users=[world.owner.id])
    now = timezone.now()
    old, kept_edge, new = OutboxEvent.objects.order_by("id")
    OutboxEvent.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=8))
    OutboxEvent.objects.filter(pk=kept_edge.pk).update(created_at=now - timedelta(days=6, hours=23))
    ran = run_due(now)
    assert "linli.notify.periodic.prune_outbox" in ran
    assert set(OutboxEvent.objects.values_list("id", flat=True)) == {kept_edge.id, new.id}
    assert REGISTRY["linli.notify.periodic.prune_outbox"].every == timedelta(hours=1)
