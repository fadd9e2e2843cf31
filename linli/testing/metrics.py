"""Reading /metrics as Prometheus does: through the URL with the bearer token, parsed by
prometheus_client's own text parser."""

from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "test-metrics-token"


def scrape(settings) -> dict[tuple[str, frozenset], float]:
    """Every sample, keyed by its name and its labels."""
    settings.LINLI_METRICS_TOKEN = TOKEN
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.status_code
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)
