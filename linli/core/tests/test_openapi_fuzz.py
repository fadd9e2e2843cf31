"""Schemathesis against our own OpenAPI spec: whatever a client sends to any operation, the answer
is never a server error, invalid input is never accepted, and every answer is one the spec
documents (issue 6).

Three ways, each on every run of the suite:
- a fixed, derandomised run (repeatable: a failure here is a failure on every machine),
- a run with a random seed, different on every run: `LINLI_FUZZ_SEED=<n>` replays one; the seed
  is printed at the start of the session and in each failure,
- the stateful run: sequences of calls that follow the spec's links (create a building, then
  its units, then a house, then patch it...), with the same random seed.
CI runs the suite on SQLite and on PostgreSQL, and `.ci/run` adds more random seeds to the stateful
walks.
A community admin's token makes most operations reachable.
"""

import os
import random

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, seed
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

SEED = int(os.environ.get("LINLI_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
CHECKS = [not_a_server_error, negative_data_rejection, status_code_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("LINLI_FUZZ_EXAMPLES", "10"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


print(f"\nschemathesis: LINLI_FUZZ_SEED={SEED} (set it to replay this run)")


def _replayable(run):
    """Runs a check and names the seed in its failure, so a red build can be replayed exactly."""
    try:
        run()
    except BaseException as failure:
        failure.add_note(f"replay with LINLI_FUZZ_SEED={SEED}")
        raise


@pytest.fixture
def admin_token(world):
    from linli.accounts.services import do_issue_token

    return do_issue_token(actor=world.admin, name="fuzz").raw


def _headers(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


_settings = {"deadline": None, "suppress_health_check": list(HealthCheck), "max_examples": EXAMPLES}


@schema.parametrize()
@hypothesis_settings(derandomize=True, **_settings)
@pytest.mark.django_db(transaction=True)
def test_it_never_answers_with_a_server_error(case, admin_token):
    case.call_and_validate(headers=_headers(admin_token), checks=CHECKS)


@schema.parametrize()
@seed(SEED)
@hypothesis_settings(**_settings)
@pytest.mark.django_db(transaction=True)
def test_it_holds_with_a_random_seed(case, admin_token):
    _replayable(lambda: case.call_and_validate(headers=_headers(admin_token), checks=CHECKS))


# The stateful walk, one per domain over the registry and accounts it builds on: inferred links
# grow with the square of the operations, and one machine over the whole API passed hypothesis's
# limit of 10,000 rules to choose from (every sequence was then rejected as unsatisfiable).
SHARED_TAGS = r"registry|accounts|core|notify|staff"
DOMAINS = ("access", "billing", "workorders", "iot", "engage", "services", "parking")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("domain", DOMAINS)
def test_it_holds_in_sequences_of_linked_calls(admin_token, domain):
    """Stateful: schemathesis infers links (a created object's id feeds the operations that take
    it) and walks them, so a PATCH meets a house that exists, not only random ids."""
    walked = schema.include(tag_regex=rf"^({SHARED_TAGS}|{domain}\b.*)")

    @seed(SEED)
    class Workflow(walked.as_state_machine()):
        # Each sequence starts from the same database: hypothesis replays a sequence to shrink
        # it, and a replay that meets the previous sequence's rows is not the same test. The
        # sequence runs in a transaction rolled back after it; as in Django's test client, the
        # end of a request must not close the connection that holds it.
        def setup(self):
            for signal in (request_started, request_finished):
                signal.disconnect(close_old_connections)
            self._sequence = transaction.atomic()
            self._sequence.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._sequence.__exit__(None, None, None)
            for signal in (request_started, request_finished):
                signal.connect(close_old_connections)

        def get_call_kwargs(self, case):
            return {"headers": _headers(admin_token)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    assert Workflow.bundles, "no links between operations: the stateful run would test nothing"
    settings = hypothesis_settings(
        max_examples=EXAMPLES,
        stateful_step_count=8,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    _replayable(lambda: Workflow.run(settings=settings))
