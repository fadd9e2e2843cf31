"""LINLI_LOG_FORMAT=json: each log line one JSON object carrying the id of the request that
logged it, the id its response names in X-Request-Id."""

import io
import json
import logging
import logging.config
import os
import subprocess
import sys

import pytest

from linli.testing.client import ApiClient


@pytest.fixture
def json_log(settings):
    """The console handler of settings.LOGGING as LINLI_LOG_FORMAT=json builds it, writing here."""
    stream = io.StringIO()
    config = {
        **settings.LOGGING,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": stream,
                "filters": ["request_id"],
                "formatter": "json",
            }
        },
    }
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_a_line_logged_in_a_request_carries_that_requests_id(json_log):
    response = ApiClient(token="lns_not-a-key").get("/sharing/datasets", HTTP_X_REQUEST_ID="abc123")
    assert response.status_code == 401 and response["X-Request-Id"] == "abc123"
    second = ApiClient(token="lns_not-a-key").get("/sharing/datasets")

    logged = [line for line in lines(json_log) if "no token was refused" in line["message"]]
    assert [line["request_id"] for line in logged] == ["abc123", second["X-Request-Id"]]
    assert logged[0]["level"] == "WARNING" and logged[0]["logger"] == "linli.dashboards.sharing"
    # Django's own line about the 401, written once the response has left the middleware
    answered = [line for line in lines(json_log) if line["logger"] == "django.request"]
    assert [line["request_id"] for line in answered] == ["abc123", second["X-Request-Id"]]
    assert logged[0]["time"].startswith("20") and logged[0]["time"].endswith("+00:00")


def test_an_exception_goes_into_the_line(json_log):
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("linli.test").exception("it failed")
    (line,) = lines(json_log)
    assert line["message"] == "it failed" and line["request_id"] == ""
    assert "ValueError: broken" in line["exception"]


LOG = "import django, logging; django.setup(); logging.getLogger('linli.test').warning('hello %s', '世界')"


@pytest.mark.parametrize("log_format", ["json", "plain"])
def test_the_setting_chooses_the_format(log_format):
    env = {
        **os.environ,
        "LINLI_LOG_FORMAT": log_format,
        "DJANGO_SETTINGS_MODULE": "linli.settings",
        "PYTHONPATH": ":".join(sys.path),
    }
    run = subprocess.run([sys.executable, "-c", LOG], env=env, capture_output=True, text=True, timeout=120)
    last = run.stderr.strip().splitlines()[-1]
    if log_format == "plain":
        assert last == "hello 世界"
    else:
        assert json.loads(last)["message"] == "hello 世界"
