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
    r"^/(health|me|communities|auth/.*|inbox.*|communities/\{community_id\}/jwks\.json"
    r"|access/me.*|access/intercom/calls)$"
)


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # with {placeholders}
    params: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def api_operations() -> Iterator[Call]:
    from linli.api import api as ninja_api

    for path, methods in ninja_api.get_openapi_schema()["paths"].items():
        for method in methods:
            path = path.removeprefix("/api/v1")
            yield Call(method, path, tuple(_PARAM.findall(path)))


def call_api(client, call: Call, ids: dict, community_id: int):
    """One operation with the probe ids, an empty body, and `?community=` on reads."""
    url = call.path.format(**ids)
    if call.method == "get":
        return client.get(url, {"community": community_id})
    if call.method == "delete":
        return client.delete(url)
    return getattr(client, call.method)(url, {})


# Parts of the site that are not pages of ours: the API (walked above), Django's admin, i18n.
_NOT_PAGES = ("api/", "django-admin/", "i18n/")


def pages() -> Iterator[Call]:
    """Every URL pattern of the site, as a path with {placeholders} (GET; POST is tried too)."""

    def walk(patterns, prefix: str):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if not route.startswith(_NOT_PAGES):
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
    """What a walk must leave as it found it in a community: audit trail, residents, grants,
    credentials, passes, care, installation, team."""
    from linli.access.models import (
        CareAlert,
        CareRule,
        Credential,
        Grant,
        SecurityEvent,
        Terminal,
        VisitorPass,
    )
    from linli.core.models import AuditEntry, Membership
    from linli.registry.models import CareTag, Occupancy, Person, Vehicle

    live = {"revoked_at__isnull": True}
    mine = {"community_id": community_id}
    return {
        "audit": AuditEntry.objects.filter(**mine).count(),
        "occupancies": Occupancy.objects.filter(
            house__community_id=community_id, ended_at__isnull=True
        ).count(),
        "people": Person.objects.filter(**mine, erased_at__isnull=True).count(),
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
    }
