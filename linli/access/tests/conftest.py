"""An installed site on top of the persona world: points, terminals, and the registry's
grants synced once (as the scheduler would have done)."""

import pytest

from linli.testing.access import ClientTransport, install


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


@pytest.fixture
def sim(site):
    """A simulated terminal at the 1号楼 door, factory for others: sim("gate")."""
    from linli.access.sim import TerminalSimulator

    def make(name="door"):
        return TerminalSimulator(ClientTransport(site.token(name)))

    return make
