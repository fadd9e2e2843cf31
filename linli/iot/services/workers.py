"""Ingest workers say they are alive, with their counters (accepted, refused by reason): the
console shows them, and the scheduler stands back from advancing rules while one reports."""

from datetime import datetime

from django.utils import timezone

from linli.iot.models import WorkerStatus


def report(name: str, started_at: datetime, counters: dict) -> None:
    WorkerStatus.objects.update_or_create(
        name=name, defaults={"started_at": started_at, "seen_at": timezone.now(), "counters": counters}
    )
