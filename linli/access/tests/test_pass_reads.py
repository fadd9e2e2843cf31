"""A resident's pass list is hand-written SQL (linli.core.rawsql); it gives what its ORM
reference gives, on every side of the rules that end a pass with its source."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.access import queries, services
from linli.core.models import Membership
from linli.testing import factories as f


def fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def as_the_orm_gives_it(user, now=None) -> list[tuple]:
    return [
        (fields(p), p.ended_now, p.house.label if p.house_id else "")
        for p in queries.with_pass_state(queries.my_passes(user), now)[:100]
    ]


def by_hand(user, now=None) -> list[tuple]:
    return [
        (fields(p), p.ended_now, p.house.label if p.house_id else "")
        for p in queries.my_passes_with_state(user, now)
    ]


@pytest.mark.django_db
def test_the_pass_list_is_the_orm_reference_as_hosts_leave_and_issuers_go_off_duty(world):
    guard = f.staff(world.a, "security", "guard")
    own = services.do_create_pass(actor=world.tenant, house=world.house, visitor_name="朋友")
    by_guard = services.do_create_pass(actor=guard, house=world.house, visitor_name="快递")
    owners = services.do_create_pass(actor=world.owner, house=world.house, visitor_name="保洁")
    assert {own.pk, by_guard.pk, owners.pk} <= {p.pk for p in queries.my_passes_with_state(world.tenant)}
    for user in (world.tenant, world.owner, guard, world.staff):
        assert by_hand(user) == as_the_orm_gives_it(user)

    after_lease = timezone.now() + timedelta(days=(world.lease.valid_to - timezone.localdate()).days + 1)
    Membership.objects.filter(user=guard).update(valid_until=timezone.localdate() - timedelta(days=1))
    ended = {p.pk: p.ended_now for p in queries.my_passes_with_state(world.owner, after_lease)}
    assert ended[own.pk] == "pass_host_left"  # the tenant's lease is over by then
    assert ended[by_guard.pk] == "pass_issuer_left" and ended[owners.pk] == ""
    for user in (world.tenant, world.owner, guard):
        for now in (None, after_lease):
            assert by_hand(user, now) == as_the_orm_gives_it(user, now)
