"""Walks every API operation of the OpenAPI document and every page of the site with the ids
of objects a persona must not reach (the outsider test, the narrowed-staff test). Operations and
pages are enumerated, not listed, so a new one is walked without anyone remembering to add it."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Statuses that mean "not yours": refused, not found, or input rejected before anything happened.
REFUSED = (401, 403, 404, 405, 422)
_PARAM = re.compile(r"\{(\w+)\}")

# Operations any signed-in user may call about themselves, or that are public by design.
SELF_OR_PUBLIC = re.compile(
    r"^/(health|me(/.*)?|communities|auth/.*|inbox.*|communities/\{community_id\}/jwks\.json"
    r"|access/me.*|access/intercom/calls|billing/me/.*|billing/my/(bills|payments)"
    r"|workorders/(my/requests|queue|duty)|iot/charging/sessions/mine"
    r"|engage/votes/mine|wechat/bindings"
    # the streets of the user's own stats.view, and the figures' catalogue (docs/dashboards.md)
    r"|dashboards/(streets|streets/one|metrics)"
    r"|engage/my/(surveys|activities|directory|help|notices)"
    r"|parking/my/(offers|bookings|shared-offers|passes)"
    r"|engage/points/my/.*|engage/convention/my/.*"
    # a resident's own households' (empty for anyone else) and a provider login's own bookings
    r"|services/my/(offerings|bookings|venues|venue-bookings|health-links|fitness)|services/provider/bookings"
    # devices, not people: a device's token, checked by the ingest (docs/devices.md)
    r"|iot/ingest/.*)$"
)


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # with {placeholders}
    params: tuple[str, ...]
    body: dict | None = None  # the JSON request body's schema, if any

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def api_operations() -> Iterator[Call]:
    from linli.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            path = path.removeprefix("/api/v1")
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            yield Call(method, path, tuple(_PARAM.findall(path)), _resolve(body, components))


def _resolve(schema, components):
    """The schema with its $refs replaced by what they name (request bodies are small trees)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _resolve(components[schema["$ref"].rsplit("/", 1)[-1]], components)
        return {k: _resolve(v, components) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_resolve(v, components) for v in schema]
    return schema


# Candidates for a string field with a pattern: the first the pattern accepts is sent.
_STRINGS = ("测试", "13900000001", "京A12345", "0B5E0007", "1", "a")


def example(schema: dict | None, ids: dict, name: str = ""):
    """A value the schema accepts, so that an operation's own checks run (not only validation);
    a field named like a probe id gets that id (an object of the scope the persona must not reach)."""
    if not schema:
        return {}
    if name in ids and not isinstance(ids[name], str):
        return ids[name]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return example(next((s for s in schema[key] if s.get("type") != "null"), {}), ids, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: example(props[k], ids, k) for k in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return max(schema.get("minimum", 1), 1)
    fmt = schema.get("format", "")
    if fmt == "date":
        return "2026-01-01"
    if fmt == "date-time":
        return "2026-01-01T00:00:00+08:00"
    pattern = re.compile(schema.get("pattern", ""))
    return next((v for v in _STRINGS if pattern.search(v)), "a")


def call_api(client, call: Call, ids: dict, community_id: int, *, bodies: bool = False):
    """One operation with the probe ids and `?community=` on reads; writes send an empty body, or
    with `bodies` one their schema accepts, so that the refusal comes from the scope."""
    url = call.path.format(**ids)
    if call.method == "get":
        return client.get(url, {"community": community_id})
    if call.method == "delete":
        return client.delete(url)
    return getattr(client, call.method)(url, example(call.body, ids) if bodies else {})


# Parts of the site that are not pages of ours: the API (walked above), Django's admin, i18n,
# the event stream (an async endpoint that outlives a request; notify/tests/test_stream.py),
# Open311, a public API in its own format whose every call names its jurisdiction and key
# (workorders/tests/test_open311.py walks its refusals), and the hooks third parties post to,
# each behind a secret in its path (notify/tests/test_sms_receipts.py tries wrong ones).
_NOT_PAGES = ("api/", "django-admin/", "i18n/", "events/stream", "open311/", "hooks/")


def pages() -> Iterator[Call]:
    """Every URL pattern of the site, as a path with {placeholders} (GET; POST is tried too)."""

    def walk(patterns, prefix: str):
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(_NOT_PAGES):
                continue
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
                yield Call("get", path, tuple(_PARAM.findall(path)))

    yield from walk(get_resolver().url_patterns, "")


def missing(calls, ids: dict) -> list[str]:
    """The operations whose path parameters the probe ids do not cover (the test must know them)."""
    return [str(c) for c in calls if any(p not in ids for p in c.params)]


def text_of(response) -> str:
    """The body as a person reads it: JSON escapes non-ASCII (王 is \\u738b), so it is decoded."""
    body = response.content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            return body
    return body


def leaked(response, secrets) -> list[str]:
    body = text_of(response)
    return [s for s in secrets if s in body]


def fingerprint(community_id: int) -> dict[str, int]:
    """What a walk must leave as it found it in a community: audit trail, residents, the
    developer's houses, grants, credentials, passes, care, installation, team, fee setup, bills
    and the ledger, activities."""
    from linli.access.models import (
        CareAlert,
        CareRule,
        Credential,
        Grant,
        SecurityEvent,
        Terminal,
        VisitorPass,
    )
    from linli.billing.models import (
        Bill,
        BillingRun,
        FeeItem,
        FeeStandard,
        LedgerEntry,
        LedgerTransaction,
        MeterReading,
        Waiver,
    )
    from linli.core.models import AuditEntry, Membership
    from linli.registry.models import CareTag, House, Occupancy, Person, Vehicle
    from linli.testing import engage_surveys, workorders

    live = {"revoked_at__isnull": True}
    mine = {"community_id": community_id}
    return {
        "audit": AuditEntry.objects.filter(**mine).count(),
        "occupancies": Occupancy.objects.filter(
            house__community_id=community_id, ended_at__isnull=True
        ).count(),
        "people": Person.objects.filter(**mine, erased_at__isnull=True).count(),
        "developer_held": House.objects.filter(**mine, developer_held=True).count(),
        "vehicles": Vehicle.objects.filter(**mine).count(),
        "grants": Grant.objects.filter(**mine, **live).count(),
        "credentials": Credential.objects.filter(**mine, **live).count(),
        "passes": VisitorPass.objects.filter(**mine, **live).count(),
        "care_tags": CareTag.objects.filter(**mine, **live).count(),
        "care_rules": CareRule.objects.filter(**mine, is_active=True).count(),
        "care_alerts_open": CareAlert.objects.filter(**mine, status="open").count(),
        "security_open": SecurityEvent.objects.filter(**mine, status="open").count(),
        "terminals": Terminal.objects.filter(**mine, **live).count(),
        "memberships": Membership.objects.filter(**mine).count(),
        "ledger": LedgerTransaction.objects.filter(**mine).count(),
        "bills": Bill.objects.filter(**mine).count(),
        "waivers_open": Waiver.objects.filter(**mine, status="requested").count(),
        "late_fee_policies": FeeItem.objects.filter(**mine, late_fee_daily_bp__gt=0).count(),
        "fee_items": FeeItem.objects.filter(**mine).count(),
        "fee_standards_published": FeeStandard.objects.filter(**mine, published_at__isnull=False).count(),
        "billing_runs_posted": BillingRun.objects.filter(**mine, status="posted").count(),
        "bills_live": Bill.objects.filter(**mine).exclude(status="void").count(),
        "meter_readings": MeterReading.objects.filter(**mine).count(),
        "ledger_entries": LedgerEntry.objects.filter(**mine).count(),
        **billing_fingerprint(community_id),
        **workorders.fingerprint(community_id),
        **engage_surveys.fingerprint(community_id),
    }


def billing_fingerprint(community_id: int) -> dict[str, int]:
    """Money a walk must not move: orders, what was paid and refunded, refund decisions."""
    from django.db.models import Sum

    from linli.billing.models import Payment, Refund

    payments = Payment.objects.filter(community_id=community_id)
    return {
        "orders": payments.count(),
        "orders_pending": payments.filter(status="pending").count(),
        "paid_fen": payments.filter(status="paid").aggregate(s=Sum("amount_fen"))["s"] or 0,
        "refunded_fen": payments.aggregate(s=Sum("refunded_fen"))["s"] or 0,
        "refunds_undecided": Refund.objects.filter(community_id=community_id, status="requested").count(),
    }
