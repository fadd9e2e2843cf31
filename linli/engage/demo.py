"""engage's part of a demo community: `seed_engage_demo(community)`, called by the demo seeder
after the devices. Idempotent, through the real services; each area adds its part to PARTS."""

import random
import secrets

from django.contrib.auth import get_user_model

from linli.core.models import Community
from linli.engage.demo_notices import seed_notices_demo
from linli.engage.services.points_demo import seed_points_demo
from linli.engage.services.surveys_demo import seed_surveys_demo
from linli.engage.services.votes_demo import seed_votes_demo
from linli.registry.choices import OWNING
from linli.registry.models import Occupancy

# (name, seed function(community, seed=...) -> dict)
PARTS: tuple = (
    ("notices", seed_notices_demo),
    ("votes", seed_votes_demo),
    ("surveys", seed_surveys_demo),
    ("points", seed_points_demo),
)


def seed_engage_demo(community: Community, *, seed: int = 42) -> dict:
    return {name: part(community, seed=seed) for name, part in PARTS}


def owner_logins(community: Community, rng: random.Random, n: int) -> list:
    """Owners who use the app: the registered logins first, then a login for a few more owners
    (the demo's registry gives only two residents an account; logins otherwise come from signing
    in by SMS). Any area whose demo needs owners acting may use it."""
    found = list(
        Occupancy.objects.active()
        .filter(house__community=community, relation__in=OWNING, person__user__isnull=False)
        .values_list("person__user_id", flat=True)
        .distinct()
    )
    User = get_user_model()
    users = list(User.objects.filter(pk__in=found))
    others = list(
        Occupancy.objects.active()
        .filter(house__community=community, relation__in=OWNING, person__user__isnull=True)
        .select_related("person")
        .order_by("house_id")[: n * 3]
    )
    rng.shuffle(others)
    people = list({o.person_id: o.person for o in others}.values())  # an owner of two flats once
    for person in people[: max(0, n - len(users))]:
        # a fresh name: a demo rebuilt after its community was deleted keeps the old accounts
        user = User(username=f"demo-{community.code}-{secrets.token_hex(6)}", display_name=person.name)
        user.set_unusable_password()
        user.save()
        person.user = user
        person.save(update_fields=["user"])
        users.append(user)
    return users
