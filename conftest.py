import os
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from linli.testing.client import ApiClient
from linli.testing.personas import build_world


def pytest_configure(config):
    """Each xdist worker keeps its own metrics files: /metrics adds up every process of its
    directory, and one worker's test must not count the requests and messages of another's.
    Before any test records a value (the files are opened at the first one)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django.conf import settings

        own = Path(settings.LINLI_METRICS_DIR) / worker
        own.mkdir(parents=True, exist_ok=True)
        for stale in own.glob("*.db"):  # an earlier run's, under pids that may come again
            stale.unlink()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(own)
        settings.LINLI_METRICS_DIR = own


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language. Django activates a request's language on the
    thread and never restores it, so an earlier test's English request would otherwise decide
    the labels this test writes (built-in rule names follow the language at set-up)."""
    translation.deactivate()


@pytest.fixture
def inline_tasks(settings):
    """Background tasks run as they are enqueued (convention 8: tests run tasks inline)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


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


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium through Playwright, one per test module (the e2e tests)."""
    from playwright.sync_api import sync_playwright

    from linli.web.tests.screenshots import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run e2e tests"
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
