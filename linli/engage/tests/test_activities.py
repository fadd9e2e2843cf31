"""Activities (ENG-5): capacity counted in people (a family comes together), the waiting list
promoted first come first served when someone cancels, concurrent sign-ups that never overbook,
and QR check-in (valid, forged, another activity's, twice); `attended` for the points area."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.db import OperationalError
from django.utils import timezone

from linli.engage import queries_activities as queries
from linli.engage.choices_surveys import RegistrationStatus as S
from linli.engage.models import Activity, Registration
from linli.engage.services import activities as services
from linli.notify.models import Notification
from linli.testing import factories as f
from linli.testing.engage_surveys import refused, upcoming_activity
from linli.testing.threads import run_together


def residents(world, n):
    """`n` more owners of community A, each in a flat of their own."""
    unit = world.house.unit
    found = []
    for i in range(n):
        user = f.user(f"r{i}", phone=f"1370000{i:04d}", display_name=f"住户{i}")
        f.occupy(f.house(unit, f"9{i:02d}", floor=9), f.person(world.a, f"住户{i}", login=user), "owner")
        found.append(user)
    return found


@pytest.mark.django_db
def test_seats_count_the_family_and_the_waiting_list_is_promoted_in_order(world):
    activity = upcoming_activity(world, capacity=4)
    a, b, c = residents(world, 3)
    owner = services.do_sign_up(actor=world.owner, activity=activity, party_size=3)
    tenant = services.do_sign_up(actor=world.tenant, activity=activity, party_size=2)  # tenants too
    first = services.do_sign_up(actor=a, activity=activity, party_size=1)
    second = services.do_sign_up(actor=b, activity=activity, party_size=1)
    assert (owner.status, tenant.status, first.status, second.status) == (
        S.CONFIRMED,
        S.WAITING,
        S.CONFIRMED,
        S.WAITING,
    )
    assert Activity.objects.get().seats_taken == 4
    assert queries.waiting_position(tenant) == 1 and queries.waiting_position(second) == 2
    # One seat frees: the head of the queue (two people) does not fit, and nobody overtakes it.
    services.do_cancel_registration(actor=a, registration=first)
    assert Registration.objects.get(pk=tenant.pk).status == S.WAITING
    assert Registration.objects.get(pk=second.pk).status == S.WAITING
    promoted = services.do_cancel_registration(actor=world.owner, registration=owner)
    assert [r.pk for r in promoted] == [tenant.pk, second.pk]
    assert Activity.objects.get().seats_taken == 3
    third = services.do_sign_up(actor=c, activity=activity, party_size=1)
    assert third.status == S.CONFIRMED and Activity.objects.get().seats_taken == 4
    assert Notification.objects.filter(recipient=world.tenant, kind="engage.activity").exists()


@pytest.mark.django_db
def test_sign_up_refusals(world):
    activity = upcoming_activity(world, capacity=2, max_party=2)
    refused("bad_party_size", services.do_sign_up, actor=world.owner, activity=activity, party_size=3)
    refused("not_resident", services.do_sign_up, actor=world.staff, activity=activity)
    refused("not_resident", services.do_sign_up, actor=world.outsider, activity=activity)
    registration = services.do_sign_up(actor=world.owner, activity=activity)
    refused("already_signed_up", services.do_sign_up, actor=world.owner, activity=activity)
    services.do_cancel_registration(actor=world.owner, registration=registration)
    refused("not_registered", services.do_cancel_registration, actor=world.owner, registration=registration)
    assert (
        services.do_sign_up(actor=world.owner, activity=activity).status == S.CONFIRMED
    )  # again after cancelling
    refused("forbidden", services.do_cancel_registration, actor=world.neighbour, registration=registration)
    started = upcoming_activity(
        world, starts_at=timezone.now() - timedelta(minutes=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    refused("activity_closed", services.do_sign_up, actor=world.owner, activity=started)


@pytest.mark.django_db
def test_check_in_by_signed_code(world):
    activity = upcoming_activity(world, capacity=1)
    other = upcoming_activity(world, title="读书会")
    mine = services.do_sign_up(actor=world.owner, activity=activity, party_size=1)
    waiting = services.do_sign_up(actor=world.neighbour, activity=activity)
    elsewhere = services.do_sign_up(actor=world.owner, activity=other)
    code = services.checkin_code(mine)
    refused("forbidden", services.do_check_in, actor=world.front_desk, activity=activity, code=code)
    forged = code[:-3] + ("AAA" if not code.endswith("AAA") else "BBB")
    refused("bad_code", services.do_check_in, actor=world.staff, activity=activity, code=forged)
    refused(
        "bad_code",
        services.do_check_in,
        actor=world.staff,
        activity=activity,
        code=f"{activity.pk}.{mine.pk}",
    )
    refused(
        "other_activity",
        services.do_check_in,
        actor=world.staff,
        activity=activity,
        code=services.checkin_code(elsewhere),
    )
    refused(
        "not_confirmed",
        services.do_check_in,
        actor=world.staff,
        activity=activity,
        code=services.checkin_code(waiting),
    )
    services.do_check_in(actor=world.staff, activity=activity, code=f"  {code}\n")
    assert Registration.objects.get(pk=mine.pk).checked_in_by == world.staff
    refused("already_checked_in", services.do_check_in, actor=world.staff, activity=activity, code=code)
    refused(
        "already_checked_in",
        services.do_cancel_registration,
        actor=world.owner,
        registration=Registration.objects.get(pk=mine.pk),
    )
    assert [(r["user_id"], r["house_id"], r["party_size"]) for r in queries.attended(activity.pk)] == [
        (world.owner.pk, world.house.pk, 1)
    ]
    assert queries.attended(other.pk) == []


def _resigned(code: str, value: str) -> str:
    """`code`'s signature on another value: what someone who edits a QR code's text gets."""
    return f"{value}:{code.rsplit(':', 1)[1]}"


@pytest.mark.parametrize(
    ("forge", "expected"),
    [
        # the signature kept, the registration swapped for a neighbour's confirmed one
        (lambda code, a, other, theirs: _resigned(code, f"{a.pk}.{theirs.pk}"), "bad_code"),
        # another activity's valid code, its activity id edited to this one
        (lambda code, a, other, theirs: _resigned(other, f"{a.pk}.{theirs.pk}"), "bad_code"),
        # the right value signed for another purpose (no salt, or another salt)
        (lambda code, a, other, theirs: signing.Signer().sign(f"{a.pk}.{theirs.pk}"), "bad_code"),
        (
            lambda code, a, other, theirs: signing.Signer(salt="linli.other").sign(f"{a.pk}.{theirs.pk}"),
            "bad_code",
        ),
        # another activity's valid code, replayed at this one's door
        (lambda code, a, other, theirs: other, "other_activity"),
    ],
    ids=["registration_swapped", "activity_swapped", "unsalted", "other_salt", "other_activity"],
)
@pytest.mark.django_db
def test_a_check_in_code_cannot_be_forged_or_replayed_elsewhere(world, forge, expected):
    activity = upcoming_activity(world, capacity=2)
    elsewhere = upcoming_activity(world, title="读书会")
    mine = services.do_sign_up(actor=world.owner, activity=activity)
    theirs = services.do_sign_up(actor=world.neighbour, activity=activity)
    other = services.checkin_code(services.do_sign_up(actor=world.neighbour, activity=elsewhere))
    code = forge(services.checkin_code(mine), activity, other, theirs)
    refused(expected, services.do_check_in, actor=world.staff, activity=activity, code=code)
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_cancelled_registrations_code_is_not_taken_after_signing_up_again(world):
    activity = upcoming_activity(world)
    first = services.do_sign_up(actor=world.owner, activity=activity)
    old = services.checkin_code(first)
    services.do_cancel_registration(actor=world.owner, registration=first)
    again = services.do_sign_up(actor=world.owner, activity=activity)
    refused("not_confirmed", services.do_check_in, actor=world.staff, activity=activity, code=old)
    assert (
        services.do_check_in(actor=world.staff, activity=activity, code=services.checkin_code(again)).pk
        == again.pk
    )


def _with_retry(fn):
    """The in-memory test database (shared cache) reports a table lock at once instead of
    waiting like a file database or PostgreSQL; the attempt rolled back whole, so try again."""
    for _attempt in range(200):
        try:
            return fn()
        except OperationalError:
            time.sleep(0.01)
    raise AssertionError("still locked")


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_overbook(world):
    activity = upcoming_activity(world, capacity=5)
    people = residents(world, 8)
    outcomes = run_together(
        [
            lambda user=user: _with_retry(
                lambda: services.do_sign_up(actor=user, activity=activity, party_size=2)
            )
            for user in people
        ]
    )
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert sorted(o.status for o in outcomes) == [S.CONFIRMED] * 2 + [S.WAITING] * 6, outcomes
    assert Activity.objects.get().seats_taken == 4
    confirmed = Registration.objects.filter(status=S.CONFIRMED)
    assert sum(r.party_size for r in confirmed) == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_promote_each_waiting_party_once(world):
    activity = upcoming_activity(world, capacity=3)
    people = residents(world, 6)
    regs = [services.do_sign_up(actor=u, activity=activity) for u in people]
    outcomes = run_together(
        [
            lambda r=r, u=u: _with_retry(lambda: services.do_cancel_registration(actor=u, registration=r))
            for r, u in zip(regs[:3], people[:3], strict=True)
        ]
    )
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert set(Registration.objects.filter(status=S.CONFIRMED).values_list("pk", flat=True)) == {
        r.pk for r in regs[3:]
    }
    assert Activity.objects.get().seats_taken == 3
