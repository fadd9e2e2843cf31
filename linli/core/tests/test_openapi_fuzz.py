"""Schemathesis against our own OpenAPI spec: whatever a client sends to any operation, the answer
is never a server error (bad input gets a 4xx with the error shape, not a crash).

Derandomised, so a run is repeatable; a community admin's token makes most operations reachable.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def admin_token(world):
    from linli.accounts.services import do_issue_token

    return do_issue_token(actor=world.admin, name="fuzz").raw


@schema.parametrize()
@hypothesis_settings(
    max_examples=10, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)
@pytest.mark.django_db(transaction=True)
def test_it_never_answers_with_a_server_error(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=[not_a_server_error])
