import pytest

from linli.testing.client import ApiClient
from linli.testing.personas import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api():
    return ApiClient
