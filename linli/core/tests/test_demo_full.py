"""The full demo that `make run` serves, built once on the embedded SQLite it is served from.

It takes minutes; on PostgreSQL the small demo of test_demo_seeded.py and the other seeds of
test_demo.py check the same builders and constraints."""

from io import StringIO

from django.core.management import call_command

from linli.core.models import AuditEntry, Community
from linli.registry.queries import population
from linli.testing.demo import demo_communities
from linli.testing.legs import sqlite_leg_only

pytestmark = sqlite_leg_only("the full demo is what `make run` builds, on SQLite")


def test_it_builds_the_full_demo_consistently(db):
    call_command("seed_demo", stdout=StringIO())
    households = 0
    for c in demo_communities():
        planned = AuditEntry.objects.get(community_id=c.id, action="seed_demo").after["population"]
        assert population(c.id) == planned
        households += planned["households"]
    assert Community.objects.get(code="demo-xingfuli").buildings.count() == 18
    assert 2_500 < households < 3_500
