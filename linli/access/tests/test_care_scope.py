"""REG-6 on the care page: a grid worker sees, and may set rules for, only the care-tagged
people living in their own buildings, not every care-tagged person of the community."""

import pytest
from django.test import Client

from linli.access.models import CareRule
from linli.registry.services import do_add_care_tag
from linli.testing import factories as f
from linli.testing.personas import build_narrowed


def _tag(world, person):
    do_add_care_tag(
        actor=world.admin, person=person, kind="elderly", consent_by="本人", consent_method="书面"
    )


@pytest.fixture
def tagged(world):
    narrowed = build_narrowed(world)
    _tag(world, world.owner_person)  # lives in 1号楼
    _tag(world, narrowed.other_person)  # lives in 2号楼
    return narrowed


def _grid_workers(world, narrowed):
    """Narrowed through a grid, and through a building membership."""
    return [narrowed.grid_worker, f.staff(world.a, "grid_worker", "grid_b1", building=world.building)]


@pytest.mark.django_db
def test_it_lists_only_the_care_tagged_people_of_the_grid_workers_buildings(world, tagged):
    for worker in _grid_workers(world, tagged):
        client = Client()
        client.force_login(worker)
        page = client.get(f"/access/c/{world.a.id}/care/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "王建国" in body
        assert "钱二楼" not in body
        assert page.context["form"].fields["person"].choices == [(world.owner_person.pk, "王建国")]


@pytest.mark.django_db
def test_it_refuses_a_care_rule_for_someone_outside_the_grid_workers_buildings(world, tagged):
    for worker in _grid_workers(world, tagged):
        client = Client()
        client.force_login(worker)
        r = client.post(
            f"/access/c/{world.a.id}/care/",
            {"person": tagged.other_person.pk, "kind": "no_exit", "hours": 24},
        )
        assert r.status_code == 200  # the form again, with the choice refused
        assert "person" in r.context["form"].errors
        assert not CareRule.objects.filter(person=tagged.other_person).exists()


@pytest.mark.django_db
def test_it_still_lists_every_care_tagged_person_to_a_community_wide_grid_worker(world, tagged):
    client = Client()
    client.force_login(world.grid_worker)
    body = client.get(f"/access/c/{world.a.id}/care/").content.decode()
    assert "王建国" in body and "钱二楼" in body
