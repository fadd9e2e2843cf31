import pytest
from django.test import Client

from linli.testing.client import ApiClient
from linli.testing.personas import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api():
    return ApiClient


@pytest.fixture
def browser():
    """A Django test client signed in as `user` (or anonymous), the way a browser holds a session."""

    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
