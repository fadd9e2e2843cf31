import pytest

from linli.testing.parking import office_block


@pytest.fixture
def garage(world):
    return office_block(world)


@pytest.fixture
def clock(monkeypatch):
    """Time travel: every `timezone.now()` answers the set instant."""
    from django.utils import timezone

    class Clock:
        def set(self, when):
            monkeypatch.setattr(timezone, "now", lambda: when)
            return when

    return Clock()
