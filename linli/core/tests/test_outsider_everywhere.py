"""Convention 7, exhaustively: every API operation, called by the outsider from community B with
community A's ids, reveals nothing of A and changes nothing in A."""

import pytest

from linli.testing.walk import REFUSED, SELF_OR_PUBLIC, api_operations, call_api, fingerprint, leaked, missing

# Strings that only community A's data contains.
SECRETS_OF_A = ("幸福里", "王建国", "李小梅", "13800000001", "13800000002", "赵邻居")


def _ids(world) -> dict[str, int | str]:
    from django.db import transaction

    from linli.accounts.services import do_issue_token
    from linli.notify.models import Notification
    from linli.notify.services import notify
    from linli.testing import (
        billing_money,
        billing_setup,
        channels,
        engage,
        iot,
        parking,
        services,
        workorders,
        workorders_open311,
        workorders_patrols,
    )
    from linli.testing.access import outsider_probe_ids
    from linli.testing.billing_counter import outsider_probe_ids as counter_outsider_probe_ids
    from linli.testing.billing_pay import pay_probe_ids

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
        "dataset": "population",  # the sharing API: its own token, so a user gets 401
        **outsider_probe_ids(world),
        **billing_money.outsider_probe_ids(world),
        **counter_outsider_probe_ids(world),
        **pay_probe_ids(world.house, world.staff),
        **billing_setup.outsider_probe_ids(world),
        **workorders.probe_ids(world),
        **workorders_patrols.probe_ids(world),
        **workorders_open311.probe_ids(world),
        **iot.probe_ids(world),
        **engage.probe_ids(world),
        **services.probe_ids(world),
        **parking.probe_ids(world),
        **channels.probe_ids(world.owner),
    }


@pytest.mark.django_db
def test_it_reveals_nothing_of_community_a_to_the_outsider(world, api):
    ids = _ids(world)
    client = api(world.outsider)
    before = fingerprint(world.a.id)
    operations = list(api_operations())
    assert not missing(operations, ids), f"add these path parameters to _ids(): {missing(operations, ids)}"
    for call in operations:
        r = call_api(client, call, ids, world.a.id)
        assert not leaked(r, SECRETS_OF_A), f"{call} leaked {leaked(r, SECRETS_OF_A)}: {r.status_code}"
        if not SELF_OR_PUBLIC.match(call.path):
            assert r.status_code in REFUSED, f"{call} → {r.status_code}"
        client.client.force_login(
            world.outsider
        )  # POST /auth/logout signs out: the rest must not walk as anonymous
    assert len(operations) > 20
    assert fingerprint(world.a.id) == before
