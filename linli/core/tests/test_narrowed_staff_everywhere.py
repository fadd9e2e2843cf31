"""Convention 7 inside one community: staff narrowed to 1号楼 (a front desk of that building, a
grid worker of a grid holding it) walk every API operation and every page of the site with the
ids of 2号楼's objects, and nothing of 2号楼 is listed, shown or changed."""

import pytest
from django.test import Client

from linli.registry.models import House
from linli.testing.personas import build_narrowed
from linli.testing.walk import (
    REFUSED,
    SELF_OR_PUBLIC,
    api_operations,
    call_api,
    fingerprint,
    leaked,
    missing,
    pages,
    text_of,
)

# Strings that only 2号楼's data contains (its name, its resident, her phone and her visitor).
SECRETS_OF_2 = ("2号楼", "钱二楼", "13900000009")
# Path parameters that name the community itself, not an object of 2号楼.
COMMUNITY_LEVEL = {"community_id", "cid", "kind", "metric"}


@pytest.fixture
def narrowed(world):
    return build_narrowed(world)


def _ids(world, narrowed) -> dict:
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
    from linli.testing.access import narrowed_probe_ids
    from linli.testing.billing_counter import narrowed_probe_ids as counter_narrowed_probe_ids
    from linli.testing.billing_pay import pay_probe_ids

    # 2号楼's house is the developer's: a walk that could unmark it would change the fingerprint.
    House.objects.filter(pk=narrowed.other_house.pk).update(developer_held=True)
    tag_id = narrowed.other_person.care_tags.create(
        community=world.a, kind="disabled", consent_at="2024-01-01T00:00:00Z", consent_by="本人"
    ).id
    with transaction.atomic():
        notify(
            users=[narrowed.other_user], kind="test", title="钱二楼的通知", body="", community_id=world.a.id
        )
    return {
        "community_id": world.a.id,
        "cid": world.a.id,
        "kind": "people",
        "building_id": narrowed.other_building.id,
        "unit_id": narrowed.other_house.unit_id,
        "house_id": narrowed.other_house.id,
        "person_id": narrowed.other_person.id,
        "occupancy_id": narrowed.other_occupancy.id,
        "tag_id": tag_id,
        "membership_id": world.staff.memberships.get().id,
        "grid_id": narrowed.other_grid.id,
        "user_id": narrowed.other_user.id,
        "token_id": do_issue_token(actor=narrowed.other_user, name="app").token.id,
        "notification_id": Notification.objects.get(recipient=narrowed.other_user).id,
        "verb": "open",
        "metric": "population.real",  # the government view's "how is this computed" page
        "token": "x",
        "uidb64": "x",
        "dataset": "population",  # the sharing API: its own token, so a user gets 401
        **narrowed_probe_ids(world, narrowed),
        **billing_money.narrowed_probe_ids(world, narrowed),
        **counter_narrowed_probe_ids(world, narrowed),
        **pay_probe_ids(narrowed.other_house, world.staff),
        **billing_setup.narrowed_probe_ids(world, narrowed),
        **workorders.narrowed_probe_ids(world, narrowed),
        **workorders_patrols.probe_ids(world),
        **workorders_open311.probe_ids(world),
        **iot.narrowed_probe_ids(world, narrowed),
        **engage.narrowed_probe_ids(world, narrowed),
        **services.narrowed_probe_ids(world, narrowed),
        **parking.narrowed_probe_ids(world, narrowed),
        **channels.probe_ids(narrowed.other_user),
    }


def _personas(narrowed) -> dict:
    """Who walks, and something of 1号楼 each must see somewhere (else the walk proves nothing):
    its resident, or for a technician, who sees buildings and not people, the building."""
    return {
        "front desk of 1号楼": (narrowed.front_desk, "王建国"),
        "technician of 1号楼": (narrowed.technician, "1号楼"),
        "grid worker of 一网格": (narrowed.grid_worker, "王建国"),
    }


def _names_an_object(call) -> bool:
    return any(p not in COMMUNITY_LEVEL for p in call.params)


@pytest.mark.django_db
def test_it_shows_and_changes_nothing_of_another_building_through_the_api(world, narrowed, api):
    ids = _ids(world, narrowed)
    operations = list(api_operations())
    assert not missing(operations, ids), f"add these path parameters to _ids(): {missing(operations, ids)}"
    before = fingerprint(world.a.id)
    for who, (user, own) in _personas(narrowed).items():
        client = api(user)
        seen_own = False
        for call in operations:
            # An operation naming an object of 2号楼 gets a body it accepts, so that what refuses
            # it is the scope; community-level ones may rightly act in 1号楼, so they get none.
            r = call_api(client, call, ids, world.a.id, bodies=_names_an_object(call))
            assert not leaked(r, SECRETS_OF_2), f"{who}: {call} leaked {leaked(r, SECRETS_OF_2)}"
            if _names_an_object(call) and not SELF_OR_PUBLIC.match(call.path):
                assert r.status_code in REFUSED, f"{who}: {call} → {r.status_code}"
            seen_own |= own in text_of(r)
            client.client.force_login(user)  # POST /auth/logout signs out: walk the rest signed in
        assert seen_own, f"{who} saw nothing of 1号楼 either ({own}): the walk proves nothing"
    assert fingerprint(world.a.id) == before


@pytest.mark.django_db
def test_it_shows_and_changes_nothing_of_another_building_on_any_page(world, narrowed):
    ids = _ids(world, narrowed)
    site = list(pages())
    assert not missing(site, ids), f"add these path parameters to _ids(): {missing(site, ids)}"
    before = fingerprint(world.a.id)
    # Searches are given the first character of 2号楼's resident (a name prefix, not the secret
    # itself, which a search box echoes), so a page that searches unscoped shows her.
    query = {"q": "钱", "community": world.a.id}
    for who, (user, own) in _personas(narrowed).items():
        client = Client()
        client.force_login(user)
        seen_own = False
        for page in site:
            url = page.path.format(**ids)
            for method in ("get", "post"):
                r = getattr(client, method)(url, query)
                assert not leaked(r, SECRETS_OF_2), (
                    f"{who}: {method.upper()} {url} leaked {leaked(r, SECRETS_OF_2)}"
                )
                if method == "get" and _names_an_object(page):
                    assert r.status_code in (302, *REFUSED), f"{who}: GET {url} → {r.status_code}"
                seen_own |= own in text_of(r)
            client.force_login(user)  # a page may have signed the persona out (/logout/)
        assert seen_own, f"{who} saw nothing of 1号楼 either ({own}): the walk proves nothing"
    assert fingerprint(world.a.id) == before
