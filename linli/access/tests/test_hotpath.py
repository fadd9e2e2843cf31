"""The hand-written SQL of the hot path returns what the ORM reference query returns."""

from django.utils import timezone

from linli.access import services
from linli.access.decide import sql
from linli.access.decide.grants import grants_at_point


def orm_rows(person_ids, point_id, today):
    rows = grants_at_point(point_id, today).filter(person_id__in=person_ids)
    return sorted(
        rows.values_list(
            "person_id",
            "person__name",
            "source",
            "valid_from",
            "valid_until",
            "schedule",
            "occupancy_ok",
            "membership_ok",
        )
    )


def test_it_matches_the_orm_reference_for_grants(world, site, api):
    api(world.owner).post(
        f"/access/houses/{world.house.id}/helpers",
        {
            "name": "刘阿姨",
            "phone": "13911112222",
            "label": "保姆",
            "schedule": [{"days": [1, 2, 3], "start": "08:00", "end": "12:00"}],
        },
    )
    api(world.owner).post(f"/occupancies/{world.lease.id}/end", {"reason": "lease_ended_early"})
    today = timezone.localdate()
    people = [world.owner_person.id, world.tenant_person.id, world.neighbour.people.get().id]
    people += list(world.house.access_grants.filter(source="household").values_list("person_id", flat=True))
    for point in (site.gate, site.door, site.other_door):
        for ids in ([people[0]], people):
            assert sorted(sql.grant_rows(ids, point.id, today)) == orm_rows(ids, point.id, today)
    assert any(not row[6] for row in sql.grant_rows(people, site.door.id, today))  # the ended lease


def test_it_finds_the_active_credential_before_a_revoked_one(world, site):
    old = services.do_issue_card(actor=world.front_desk, person=world.tenant_person, number="00C0FFEE")
    services.do_revoke_credential(actor=world.front_desk, credential=old)
    assert sql.credential_row(world.a.id, "card", old.lookup)[2] is not None
    services.do_issue_card(actor=world.front_desk, person=world.owner_person, number="00C0FFEE")
    person_id, name, revoked_at = sql.credential_row(world.a.id, "card", old.lookup)
    assert (person_id, name, revoked_at) == (world.owner_person.id, "王建国", None)
    assert sql.credential_row(world.b.id, "card", old.lookup) is None


def test_it_matches_the_orm_reference_for_a_pass_source(world, site, api):
    """Hosted passes (host stays, host's lease ends), staff-registered ones (issuer on duty,
    issuer's role deleted) and an operator's: the hot path's use of a pass and
    rights.pass_source_live agree on which may still be used."""
    from linli.access import rights
    from linli.access.models import VisitorPass
    from linli.core.models import Membership
    from linli.testing import factories as f

    def invite(user):
        return services.do_create_pass(actor=user, house=world.house, visitor_name="客").pk

    guard = f.staff(world.a, "security", "guard2")
    ids = [invite(world.owner), invite(world.tenant), invite(world.front_desk), invite(guard)]
    ids.append(invite(world.operator))
    api(world.owner).post(f"/occupancies/{world.lease.id}/end", {"reason": "lease_ended_early"})
    Membership.objects.filter(user=guard).delete()
    today = timezone.localdate()
    orm = set(
        VisitorPass.objects.filter(pk__in=ids)
        .filter(rights.pass_source_live(today))
        .values_list("pk", flat=True)
    )
    used = {pk for pk in ids if sql.use_pass(pk, world.a.id, today) is not None}  # the hot path itself
    assert used == orm == {ids[0], ids[2], ids[4]}
