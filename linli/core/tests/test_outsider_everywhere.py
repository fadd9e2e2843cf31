"""Convention 7, exhaustively: every API operation, called by the outsider from community B with
community A's ids, reveals nothing of A and changes nothing in A."""

import re

import pytest

from linli.api import api as ninja_api
from linli.core.models import AuditEntry
from linli.registry.models import Occupancy

# Strings that only community A's data contains.
SECRETS_OF_A = ("幸福里", "王建国", "李小梅", "13800000001", "13800000002", "赵邻居")


def _ids(world) -> dict[str, int | str]:
    from django.db import transaction

    from linli.accounts.services import do_issue_token
    from linli.notify.models import Notification
    from linli.notify.services import notify
    from linli.testing.access import outsider_probe_ids

    tag = world.owner_person.care_tags.create(
        community=world.a,
        kind="elderly_alone",
        consent_at="2024-01-01T00:00:00Z",
        consent_by="本人",
        consent_method="书面",
    )
    membership = world.staff.memberships.get()
    grid = world.a.grids.create(name="一网格")
    token = do_issue_token(actor=world.owner, name="app").token
    with transaction.atomic():
        notify(
            users=[world.owner], kind="test", title="王建国的通知", body="仅本人可见", community_id=world.a.id
        )
    return {
        "community_id": world.a.id,
        "building_id": world.building.id,
        "unit_id": world.house.unit_id,
        "house_id": world.house.id,
        "person_id": world.owner_person.id,
        "occupancy_id": world.lease.id,
        "tag_id": tag.id,
        "membership_id": membership.id,
        "grid_id": grid.id,
        "user_id": world.owner.id,
        "token_id": token.id,
        "notification_id": Notification.objects.get(recipient=world.owner).id,
        "kind": "houses",
        **outsider_probe_ids(world),
    }


def _operations():
    schema = ninja_api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            yield path.removeprefix("/api/v1"), method, op


# Operations any signed-in user may call about themselves, or that are public by design.
SELF_OR_PUBLIC = re.compile(
    r"^/(health|me|communities|auth/.*|inbox.*|communities/\{community_id\}/jwks\.json"
    r"|access/me.*|access/intercom/calls)$"
)


@pytest.mark.django_db
def test_it_reveals_nothing_of_community_a_to_the_outsider(world, api):
    ids = _ids(world)
    client = api(world.outsider)
    audit_before = AuditEntry.objects.filter(community_id=world.a.id).count()
    occupancies_before = Occupancy.objects.filter(ended_at__isnull=True).count()
    unknown = []
    checked = 0
    for path, method, _op in _operations():
        params = re.findall(r"\{(\w+)\}", path)
        if any(p not in ids for p in params):
            unknown.append(f"{method.upper()} {path}")
            continue
        url = path.format(**ids)
        query = {"community": world.a.id} if method == "get" else None
        if method == "get":
            r = client.get(url, query)
        elif method == "delete":
            r = client.delete(url)
        else:
            r = getattr(client, method)(url, {})
        checked += 1
        body = r.content.decode(errors="replace")
        leaked = [s for s in SECRETS_OF_A if s in body]
        assert not leaked, f"{method.upper()} {path} leaked {leaked}: {r.status_code}"
        if not SELF_OR_PUBLIC.match(path):
            assert r.status_code in (401, 403, 404, 405, 422), f"{method.upper()} {path} → {r.status_code}"
    assert not unknown, f"add these path parameters to _ids(): {unknown}"
    assert checked > 20
    assert AuditEntry.objects.filter(community_id=world.a.id).count() == audit_before
    assert Occupancy.objects.filter(ended_at__isnull=True).count() == occupancies_before
