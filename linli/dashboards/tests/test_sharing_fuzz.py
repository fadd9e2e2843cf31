"""Schemathesis over the sharing API with a city system's own token (the suite's fuzz run calls
it with a user's token, which the API refuses outright): whatever is sent, no server error, bad
input refused, and every answer, the cells included, is one the spec documents."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from linli.dashboards.services.sharing import MAX_RATE_PER_MINUTE, do_issue_sharing_token

CHECKS = [not_a_server_error, negative_data_rejection, status_code_conformance, response_schema_conformance]
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex="^/api/v1/sharing/"
)


@pytest.fixture
def sharing_key(world):
    return do_issue_sharing_token(
        actor=world.admin,
        community_id=world.a.id,
        name="fuzz",
        datasets=["population", "housing", "incidents", "alarms", "fees"],
        community_ids=[world.a.id],
        level="building",
        rate_per_minute=MAX_RATE_PER_MINUTE,
    ).key


@schema.parametrize()
@hypothesis_settings(
    derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), max_examples=40
)
@pytest.mark.django_db(transaction=True)
def test_the_sharing_api_answers_as_documented(case, sharing_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {sharing_key}"}, checks=CHECKS)
