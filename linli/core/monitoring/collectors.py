"""Figures computed at scrape time from the database, so that any process answers the same.
Core registers its own (task queues, scheduler lag); apps above core register theirs from their
`AppConfig.ready()` (decision 0002's registration), so core names no app. Each source runs once
per scrape and should cost one indexed query."""

from collections.abc import Callable, Iterable

from django_tasks.base import DEFAULT_TASK_QUEUE_NAME
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from linli.core.monitoring import figures

Source = Callable[[], Iterable[Metric]]

_sources: list[Source] = []


def register_source(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


class DatabaseCollector(Collector):
    def collect(self) -> Iterable[Metric]:
        for source in _sources:
            yield from source()


def task_queues() -> Iterable[Metric]:
    depth = GaugeMetricFamily(
        "linli_task_queue_depth", "Tasks ready and waiting for a worker.", labels=["queue"]
    )
    age = GaugeMetricFamily(
        "linli_task_queue_oldest_age_seconds",
        "How long the oldest waiting task has waited.",
        labels=["queue"],
    )
    # The default queue is always reported, 0 when empty: an absent series is not a zero.
    queues = {queue.name: queue for queue in figures.task_queues()}
    queues.setdefault(DEFAULT_TASK_QUEUE_NAME, figures.Queue(DEFAULT_TASK_QUEUE_NAME, 0, 0.0))
    for queue in queues.values():
        depth.add_metric([queue.name], queue.depth)
        age.add_metric([queue.name], queue.oldest_age_seconds)
    redis_up = figures.task_store_up()
    if redis_up is None:
        return [depth, age]
    up = GaugeMetricFamily("linli_redis_up", "1 when the Redis task queue answers, 0 when it does not.")
    up.add_metric([], int(redis_up))
    return [depth, age, up]


def scheduler_lag() -> Iterable[Metric]:
    lag = GaugeMetricFamily("linli_scheduler_lag_seconds", "How late the most overdue periodic job is.")
    lag.add_metric([], figures.scheduler_lag())
    return [lag]


register_source(task_queues)
register_source(scheduler_lag)
