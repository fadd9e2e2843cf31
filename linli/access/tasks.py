from datetime import datetime

from django_tasks import task

from linli.access.services.arrivals import tell_host_visitor_arrived


@task()
def tell_visitor_arrived(pass_id: int, point_id: int, at: str) -> int:
    """After a pass was used at a gate: its host hears of it. A task, so that the gate's answer
    (the hot path) never waits for the message."""
    return tell_host_visitor_arrived(pass_id, point_id, datetime.fromisoformat(at))
