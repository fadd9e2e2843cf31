import pytest

from linli.testing.services import catalogue


@pytest.fixture
def cat(world):
    return catalogue(world)
