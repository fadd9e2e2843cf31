import pytest

from linli.iot.ingest import http as ingest_http
from linli.iot.ingest.pipeline import Ingest
from linli.testing import iot


@pytest.fixture
def site(world):
    """Community A's profiles and a small installation in 1号楼, with the devices' tokens."""
    return iot.site(world)


@pytest.fixture(autouse=True)
def fresh_http_ingest(monkeypatch):
    """The web process's ingest keeps rate buckets and a rule cache for its lifetime; each test
    starts with a new process's, as ids repeat between tests."""
    monkeypatch.setattr(ingest_http, "_ingest", Ingest())
