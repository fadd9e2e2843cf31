"""`linli seed_demo --small`: the demo world has every shape the product shows, and loads only
once. The demo is seeded once for the module, in a transaction rolled back after its last test;
each test runs in a savepoint inside it, so what one test changes the next never sees."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.test import Client
from django.utils import timezone

from linli.core.crypto import blind_index
from linli.core.models import AuditEntry, Community, Membership
from linli.core.roles import Role
from linli.demo import builder as demo
from linli.registry.choices import CareKind, HouseType, Relation
from linli.registry.models import CareTag, House, Occupancy, Organization, ParkingSpace, Person, Vehicle
from linli.registry.queries import population
from linli.registry.validators import clean_plate, parse_id_number
from linli.testing import factories as f
from linli.testing.demo import demo_communities, seed

TABLES = (Community, House, Person, Occupancy, Vehicle, ParkingSpace, Organization, CareTag, Membership)


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed(), demo_communities()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_it_builds_both_communities_with_houses_people_and_cars(seeded):
    output, communities = seeded
    assert [c.name for c in communities] == ["幸福里小区", "和平苑"]
    assert "幸福里小区 (demo-xingfuli)" in output
    for c in communities:
        houses = Counter(House.objects.filter(community=c).values_list("type", flat=True))
        assert houses[HouseType.RESIDENTIAL] >= 8 and houses[HouseType.SHOP] and houses[HouseType.STORAGE]
        assert Vehicle.objects.filter(community=c).exists()
        assert ParkingSpace.objects.filter(community=c, kind="visitor").exists()
        assert set(Organization.objects.filter(community=c).values_list("kind", flat=True)) >= {
            "property_company",
            "committee",
            "government",
        }
        assert c.grids.filter(buildings__isnull=False).exists()


def test_it_leaves_the_demo_logins_to_the_serve_banner_unless_asked(seeded):
    """`make run` runs seed_demo then serve, whose banner lists the logins: not twice."""
    output, _communities = seeded
    assert demo.DEMO_PASSWORD not in output and "hp_manager" not in output
    asked = seed("--logins")
    assert "hp_manager" in asked and demo.DEMO_PASSWORD in asked


def test_it_gives_every_role_a_login_in_both_communities(seeded):
    _, communities = seeded
    for c in communities:
        roles = set(Membership.objects.filter(community=c).values_list("role", flat=True))
        assert roles == set(Role.values)
    staff = [row["login"] for row in demo.demo_logins() if row["password"] == demo.DEMO_PASSWORD]
    hashes = dict(get_user_model().objects.filter(username__in=staff).values_list("username", "password"))
    assert set(hashes) == set(staff) and len(staff) == 2 * len(Role.values) + 1
    # One hash is shared by all demo staff; checking each distinct one is checking every login.
    assert all(check_password(demo.DEMO_PASSWORD, h) for h in set(hashes.values()))
    assert Client().login(username="manager", password=demo.DEMO_PASSWORD)
    assert get_user_model().objects.get(username=demo.OPERATOR_LOGIN).is_operator


def test_it_registers_people_whose_id_numbers_match_their_birth_dates(seeded):
    # household helpers (保姆) registered by the access demo carry no ID number
    people = list(Person.objects.filter(community__in=seeded[1]).exclude(id_number=""))
    assert len(people) > 50
    for p in people:
        _, born, gender = parse_id_number(p.id_number)
        assert (born, gender) == (p.birth_date, p.gender), p.name
    assert Counter(p.hukou_local for p in people)[False] > 0
    for v in Vehicle.objects.filter(community__in=seeded[1]):
        assert clean_plate(v.plate) == v.plate


def test_it_gives_tenants_leases_and_ends_some(seeded):
    today = timezone.localdate()
    for c in seeded[1]:
        tenancies = Occupancy.objects.filter(house__community=c, relation=Relation.TENANT)
        assert not tenancies.filter(valid_to__isnull=True).exists()
        assert tenancies.active(today).exists()
        assert tenancies.filter(valid_to__lt=today).exists()  # earlier tenants who have left
    families = Occupancy.objects.filter(sponsor__relation=Relation.TENANT)
    assert all(o.valid_to == o.sponsor.valid_to for o in families.select_related("sponsor"))


def test_it_tags_elderly_living_alone_with_consent_and_a_contact(seeded):
    for c in seeded[1]:
        alone = CareTag.objects.filter(community=c, kind=CareKind.ELDERLY_ALONE).select_related("person")
        assert alone.exists()
        for tag in alone:
            assert tag.consent_at and tag.consent_by and tag.consent_method
            assert tag.emergency_contact is not None and tag.emergency_contact.phone
            household = Occupancy.objects.active().filter(
                house__occupancies__person=tag.person, lives_here=True
            )
            assert list(household.values_list("person_id", flat=True)) == [tag.person_id]


def test_it_agrees_with_the_registrys_population_count(seeded):
    totals = Counter()
    for c in seeded[1]:
        planned = AuditEntry.objects.get(community_id=c.id, action="seed_demo").after["population"]
        assert population(c.id) == planned
        totals.update(planned)
    assert totals["tenants"] > 0 and totals["floating"] > 0


def test_it_adds_nothing_on_a_second_run(seeded):
    before = {model: model.objects.count() for model in (*TABLES, AuditEntry, get_user_model())}
    output = seed()
    assert "already present, 0 staff logins added" in output
    assert {model: model.objects.count() for model in before} == before


def test_it_tops_up_a_missing_staff_login(seeded):
    Membership.objects.filter(user__username="guard").delete()
    assert "1 staff logins added" in seed()
    assert Membership.objects.filter(user__username="guard", role=Role.SECURITY).count() == 1


def _delete_demo_communities():
    """Money is protected from a community's deletion: the demo's accounts go first, newest
    records first, as only a test would do."""
    from linli.billing import models as billing

    codes = [s.code for s in demo.SITES]
    for model in (
        billing.LedgerEntry, billing.LedgerTransaction, billing.Receipt, billing.Refund, billing.Waiver, billing.Payment, billing.Bill, billing.BillingRun,
        billing.FeeStandard, billing.FeeItem,
    ):  # fmt: skip
        model.objects.filter(community__code__in=codes).delete()  # allocations go with payments
    Community.objects.filter(code__in=codes).delete()


def test_it_draws_the_same_people_from_the_same_seed(seeded):
    first = list(Person.objects.order_by("id").values_list("name", "birth_date"))
    _delete_demo_communities()
    seed()
    assert list(Person.objects.order_by("id").values_list("name", "birth_date")) == first
    _delete_demo_communities()
    seed("--seed", "7")
    assert list(Person.objects.order_by("id").values_list("name", "birth_date")) != first


def test_it_lets_the_owner_see_the_flat_let_to_the_tenant(seeded, api):
    User = get_user_model()
    owner = User.objects.get(phone_bidx=blind_index("phone", demo.OWNER_PHONE))
    tenant = User.objects.get(phone_bidx=blind_index("phone", demo.TENANT_PHONE))
    mine = api(owner).get("/me").json()["houses"]
    assert [h["my_relation"] for h in mine] == ["owner", "owner"]
    let = next(h for h in mine if any(o["relation"] == "tenant" for o in h["household"]))
    tenant_home = api(tenant).get("/me").json()["houses"]
    assert [h["id"] for h in tenant_home] == [let["id"]]
    assert tenant_home[0]["my_relation"] == "tenant"


def test_it_keeps_the_demo_communities_apart(seeded, api):
    xingfuli, hepingyuan = seeded[1]
    outsider = f.staff(f.community(None, "外人小区"), "community_admin")
    manager = get_user_model().objects.get(username="manager")
    other_house = House.objects.filter(community=hepingyuan).first()
    assert api(manager).get(f"/houses/{other_house.id}").status_code == 404
    assert api(manager).get("/people", {"community": hepingyuan.id}).status_code == 404
    assert api(outsider).get(f"/communities/{xingfuli.id}").status_code == 404
    own = House.objects.filter(community=xingfuli).first()
    assert api(outsider).get(f"/houses/{own.id}").status_code == 404
