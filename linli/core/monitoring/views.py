"""`GET /metrics` for Prometheus, behind a bearer token (LINLI_METRICS_TOKEN). Without a token
configured, or with a wrong or missing one, the URL does not exist (404): a scanner learns
neither whether metrics are on nor that it guessed wrong."""

import hashlib
import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from linli.core.monitoring.collectors import DatabaseCollector


def _digest(value: str) -> bytes:
    # Equal-length digests: compare_digest then takes the same time whatever the guess's length.
    return hashlib.sha256(value.encode()).digest()


def authorised(header: str, token: str) -> bool:
    scheme, _sep, given = header.partition(" ")
    valid = hmac.compare_digest(_digest(given), _digest(token))
    return bool(token) and scheme.lower() == "bearer" and valid


def scrape() -> bytes:
    """Every process's counters and histograms (multiprocess files) and the database's figures."""
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry, path=settings.LINLI_METRICS_DIR)
    registry.register(DatabaseCollector())
    return generate_latest(registry)


def metrics(request):
    if not authorised(request.headers.get("Authorization", ""), settings.LINLI_METRICS_TOKEN):
        raise Http404
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
