"""An installed site on top of the persona world: points, terminals, and the registry's
grants synced once (as the scheduler would have done)."""

import pytest

from linli.testing.access import install


@pytest.fixture
def site(world):
    return install(world)


@pytest.fixture
def clock(monkeypatch):
    """Time travel: every `timezone.now()` (and so localdate) answers the set instant."""
    from django.utils import timezone

    class Clock:
        def set(self, when):
            monkeypatch.setattr(timezone, "now", lambda: when)
            return when

    return Clock()


def local(year, month, day, hour=0, minute=0):
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime(year, month, day, hour, minute))


class ClientTransport:
    """The simulator's transport in tests: Django's test client, with a switch that pulls
    the cable (every request raises Unreachable, as urllib would)."""

    def __init__(self, token: str):
        from django.test import Client

        self.client = Client()
        self.token = token
        self.online = True

    def request(self, method, path, body=None):
        import json

        from linli.access.sim import Unreachable

        if not self.online:
            raise Unreachable("cable pulled")
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        r = getattr(self.client, method.lower())("/api/v1" + path, **kwargs)
        return r.status_code, r.json()


@pytest.fixture
def sim(site):
    """A simulated terminal at the 1号楼 door, factory for others: sim("gate")."""
    from linli.access.sim import TerminalSimulator

    def make(name="door"):
        return TerminalSimulator(ClientTransport(site.token(name)))

    return make
