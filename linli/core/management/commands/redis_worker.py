"""`linli redis_worker`: django-rq's RQ worker for the Redis task queue, started only once Redis
answers (linli.core.redis_queue; `linli worker` and `linli serve` run it with LINLI_TASKS_BACKEND=redis).

RQ's worker exits when Redis is down as it starts, and a supervisor gives up on a part that keeps
exiting (`linli serve` would then stop the web server too): this one waits instead, saying so in
the log, while the database worker beside it runs the tasks that went to the database meanwhile.
"""

import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import task_backends

log = logging.getLogger("linli.redis_worker")

WAIT_MAX_SECONDS = 30.0


class Command(BaseCommand):
    help = "Run the RQ worker of the Redis task queue (LINLI_TASKS_BACKEND=redis) once Redis answers."

    def handle(self, **options):
        # The Redis backend is the optional `redis` extra: imported only when it is configured.
        from linli.core.redis_queue import RQ_JOB_CLASS, RedisBackend

        backend = task_backends["default"]
        if not isinstance(backend, RedisBackend):
            raise CommandError("the task queue is not Redis: set LINLI_TASKS_BACKEND=redis")
        wait = 1.0
        while not backend.reachable():
            log.warning("redis_worker: Redis does not answer; trying again in %.0f s", wait)
            time.sleep(wait)
            wait = min(wait * 2, WAIT_MAX_SECONDS)
        call_command("rqworker", *sorted(backend.queues), job_class=RQ_JOB_CLASS)
