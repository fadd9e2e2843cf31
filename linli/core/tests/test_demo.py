"""`linli seed_demo` without a demo already loaded: other seeds keep every constraint, and the
generators of plates, credit codes and names (test_demo_seeded.py checks the demo itself)."""

import random
from collections import Counter

import pytest

from linli.core.models import AuditEntry
from linli.demo import builder as demo
from linli.demo import names
from linli.demo.identifiers import credit_check_char, make_credit_code, make_plate
from linli.registry.queries import population
from linli.registry.validators import clean_plate
from linli.testing.demo import demo_communities, seed


def test_it_lists_no_demo_logins_without_the_demo(db):
    assert demo.demo_logins() == []


@pytest.mark.parametrize("other_seed", ["1", "2", "3", "4"])
def test_it_keeps_every_constraint_with_other_seeds(db, other_seed):
    seed("--seed", other_seed)  # a CHECK or UNIQUE violation would raise here
    for c in demo_communities():
        planned = AuditEntry.objects.get(community_id=c.id, action="seed_demo").after["population"]
        assert population(c.id) == planned


def test_it_makes_valid_plates_and_credit_codes():
    rng = random.Random(1)
    for _ in range(500):
        assert clean_plate(make_plate(rng, "京", "ABC"))
        assert clean_plate(make_plate(rng, "沪", "A", new_energy=True)).startswith("沪A")
        assert len(make_credit_code(rng, area="110105")) == 18
    assert credit_check_char("91350100M000100Y4") == "3"  # a published example code


def test_it_draws_common_surnames_most_often():
    rng = random.Random(3)
    drawn = Counter(names.surname(rng) for _ in range(20_000))
    assert {s for s, _ in drawn.most_common(3)} == {"王", "李", "张"}
    assert drawn["王"] > 50 * drawn.get("司马", 1)
