"""engage's part of a demo community: `seed_engage_demo(community)`, called by the demo seeder
after the devices. Idempotent, through the real services; each area adds its part to PARTS."""

from linli.core.models import Community
from linli.engage.services.points_demo import seed_points_demo

PARTS: tuple = (("points", seed_points_demo),)  # (name, seed function(community, seed=...) -> dict)


def seed_engage_demo(community: Community, *, seed: int = 42) -> dict:
    return {name: part(community, seed=seed) for name, part in PARTS}
