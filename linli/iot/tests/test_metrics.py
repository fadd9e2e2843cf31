"""The devices on /metrics: alarms active by severity, ingest messages by result."""

import time

import pytest

from linli.iot.services import alarms
from linli.testing import iot
from linli.testing.metrics import scrape, value

INGEST = "/api/v1/iot/ingest/a/{code}/telemetry"


def test_an_active_alarm_shows_under_its_severity_until_it_clears(world, site, settings):
    assert value(scrape(settings), "linli_iot_alarms_active", severity="critical") == 0
    raised = iot.raise_co(site.co)  # the event it publishes
    samples = scrape(settings)
    assert value(samples, "linli_iot_alarms_active", severity="critical") == 1
    assert ("linli_iot_alarms_active", frozenset({("severity", "minor")})) in samples, "zeros are reported"

    alarms.do_clear(actor=world.staff, alarm_id=raised["id"])
    assert value(scrape(settings), "linli_iot_alarms_active", severity="critical") == 0


@pytest.mark.django_db
def test_ingest_counts_messages_accepted_and_refused(client, site, settings):
    before = scrape(settings)
    body = iot.body(site.tokens["co-b1"], ts=time.time(), values={"co": 3})
    for _message in range(2):
        assert (
            client.post(INGEST.format(code="co-b1"), body, content_type="application/json").status_code == 202
        )
    wrong = iot.body("not-the-token", ts=time.time(), values={"co": 3})
    assert client.post(INGEST.format(code="co-b1"), wrong, content_type="application/json").status_code == 401
    after = scrape(settings)

    def delta(result):
        name = "linli_ingest_messages_total"
        return value(after, name, result=result) - value(before, name, result=result)

    assert (delta("accepted"), delta("bad_token")) == (2, 1)
