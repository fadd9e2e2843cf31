"""The reads every authenticated request makes first are hand-written SQL (linli.core.rawsql);
each gives exactly what its ORM reference gives, in every case that decides access."""

from datetime import date, timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from linli.accounts.auth import token_row
from linli.accounts.models import ApiToken
from linli.accounts.services import do_issue_token
from linli.core.models import Membership
from linli.core.restrict import _live_memberships
from linli.registry.models import Occupancy, Person
from linli.registry.queries import residency_of
from linli.testing import factories as f

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_a_token_comes_back_as_the_orm_gives_it_with_its_user():
    owner = f.user("owner", phone="13800000001")
    issued = do_issue_token(actor=owner, name="app")
    ApiToken.objects.filter(pk=issued.token.pk).update(
        last_used_at=timezone.now() - timedelta(seconds=5)
    )  # not touched again
    found = token_row(issued.raw)
    reference = ApiToken.objects.select_related("user").get(pk=issued.token.pk)
    assert fields(found) == fields(reference) and fields(found.user) == fields(reference.user)
    assert found.user.is_active is True and found.created_at.tzinfo is not None


def test_a_revoked_token_or_an_inactive_user_finds_nothing():
    owner = f.user("owner")
    revoked, deactivated = (
        do_issue_token(actor=owner, name="a"),
        do_issue_token(actor=f.user("gone"), name="b"),
    )
    ApiToken.objects.filter(pk=revoked.token.pk).update(revoked_at=timezone.now())
    deactivated.token.user.__class__.objects.filter(pk=deactivated.token.user_id).update(is_active=False)
    assert token_row(revoked.raw) is None and token_row(deactivated.raw) is None
    assert token_row("lnl_" + "x" * 40) is None


def test_memberships_are_the_orm_reference_on_every_side_of_their_end_date():
    c = f.community()
    member = f.user("member")
    ends = (None, TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1))
    for role, valid_until in zip(("security", "front_desk", "technician", "grid_worker"), ends, strict=True):
        Membership.objects.create(user=member, community=c, role=role, valid_until=valid_until)
    Membership.objects.create(user=f.user("other"), community=c, role="security")
    reference = Membership.objects.filter(user=member).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=TODAY)
    )
    found = _live_memberships(Membership, member.pk, TODAY)
    assert sorted(map(fields, found), key=lambda m: m["id"]) == sorted(
        map(fields, reference), key=lambda m: m["id"]
    )
    assert len(found) == 3


def test_residency_is_the_orm_reference_for_every_kind_of_occupancy():
    c = f.community()
    u = f.unit(f.building(c))
    login = f.user("resident")
    me, also_me, homeless = f.person(c, login=login), f.person(c, login=login), f.person(c, login=login)
    cases = {
        "open": dict(valid_from=TODAY - timedelta(days=30)),
        "ends today": dict(valid_from=TODAY - timedelta(days=30), valid_to=TODAY),
        "ended yesterday": dict(valid_from=TODAY - timedelta(days=30), valid_to=TODAY - timedelta(days=1)),
        "starts tomorrow": dict(valid_from=TODAY + timedelta(days=1)),
        "starts today": dict(valid_from=TODAY),
    }
    for person in (me, also_me):
        for _name, dates in cases.items():
            f.occupy(f.house(u), person, "owner", **dates)
    moved_out = f.occupy(f.house(u), me, "owner")
    Occupancy.objects.filter(pk=moved_out.pk).update(ended_at=timezone.now())
    f.occupy(f.house(u), f.person(c), "owner")  # someone else's home

    people = Person.objects.filter(user=login)
    active = Occupancy.objects.active(TODAY).filter(person__in=people)
    found = residency_of(login, TODAY)
    assert found.person_ids == {me.pk, also_me.pk, homeless.pk} == set(people.values_list("id", flat=True))
    assert found.house_ids == set(active.values_list("house_id", flat=True))
    assert found.community_ids == {c.pk}
    assert len(found.house_ids) == 6  # open, ends today, starts today, for each of the two
