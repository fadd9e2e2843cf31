"""Civil Code Art. 278 and SPC interpretation Arts. 8–9, case by case, each figure computed by
hand: the quorum just met or just missed by area or by headcount, ordinary and major matters,
and ties for the last seat of an election. Counted from leaves, as the log holds them."""

import json

import pytest

from linli.engage.services.votes_tally import tally


def leaf(head: str, area: str, choice) -> bytes:
    return json.dumps({"head": head, "area": area, "choice": choice, "vote": "v"}).encode()


def count(leaves, total_area, total_heads, item=4, **kw):
    return tally(
        leaves, total_area=total_area, total_heads=total_heads, art278_item=item, kind="matter", **kw
    )


# (case, leaves as (area, choice), total area in 0.01 ㎡, total heads, item, quorum, passed)
CASES = [
    # Roll 300.00 ㎡, 3 heads. 2 heads with 200.00 ㎡: exactly 2/3 of both → quorum; 2 for of 2.
    ("quorum just met", [("100.00", "for"), ("100.00", "for")], 30000, 3, 4, True, True),
    # 199.99 ㎡ is less than 2/3 of 300.00 (200.00): missed by area though 2 of 3 heads came.
    ("missed by area", [("100.00", "for"), ("99.99", "for")], 30000, 3, 4, False, False),
    # 5 heads on the roll: 3 took part (3/5 < 2/3) though with 90 % of the area.
    (
        "missed by headcount",
        [("300.00", "for"), ("300.00", "for"), ("300.00", "for")],
        100000,
        5,
        4,
        False,
        False,
    ),
    # Ordinary: for 100.01 of 200.00 ㎡ (> half) and 2 of 3 heads → passes.
    ("ordinary passes", [("100.01", "for"), ("0.99", "for"), ("99.00", "against")], 30000, 3, 4, True, True),
    # Ordinary: exactly half of the area for is not "more than half".
    (
        "half is not more than half",
        [("100.00", "for"), ("50.00", "against"), ("50.00", "against"), ("0.00", "for")],
        20000,
        4,
        4,
        True,
        False,
    ),
    # Major (item 6, raising funds): 3 of 4 heads for (= 3/4) with 75.00 of 100.00 ㎡ (= 3/4) → passes.
    (
        "major, exactly three quarters",
        [("25.00", "for"), ("25.00", "for"), ("25.00", "for"), ("25.00", "against")],
        10000,
        4,
        6,
        True,
        True,
    ),
    # The same with one abstention instead of for: 2 of 4 heads, 50 ㎡ → fails (abstaining counts as taking part).
    (
        "major, an abstention fails it",
        [("25.00", "for"), ("25.00", "for"), ("25.00", "abstain"), ("25.00", "against")],
        10000,
        4,
        7,
        True,
        False,
    ),
    # Item 4 with the same ballots passes (more than half? 50 ㎡ of 100 is not) → fails too.
    (
        "ordinary, half of both fails",
        [("25.00", "for"), ("25.00", "for"), ("25.00", "abstain"), ("25.00", "against")],
        10000,
        4,
        4,
        True,
        False,
    ),
    # Major: 3 of 4 heads but only 74.99 % of the area → fails by area.
    (
        "major missed by area",
        [("25.00", "for"), ("25.00", "for"), ("24.99", "for"), ("25.01", "against")],
        10000,
        4,
        8,
        True,
        False,
    ),
]


@pytest.mark.parametrize(("case", "ballots", "total_area", "total_heads", "item", "quorum", "passed"), CASES)
def test_art_278(case, ballots, total_area, total_heads, item, quorum, passed):
    leaves = [leaf(f"h{i}", area, choice) for i, (area, choice) in enumerate(ballots)]
    result = count(leaves, total_area, total_heads, item)
    assert (result["quorum"], result["passed"]) == (quorum, passed), case


def test_a_replacement_counts_once_with_its_latest_choice():
    leaves = [leaf("a", "100.00", "against"), leaf("b", "50.00", "for"), leaf("a", "100.00", "for")]
    result = count(leaves, 15000, 2)
    assert result["participating"] == {"area": 15000, "heads": 2}
    assert result["for"] == {"area": 15000, "heads": 2} and result["against"] == {"area": 0, "heads": 0}


def _election(picks, seats=2, candidates=("甲", "乙", "丙")):
    leaves = [leaf(f"h{i}", "10.00", p) for i, p in enumerate(picks)]
    return tally(
        leaves,
        total_area=len(picks) * 1000,
        total_heads=len(picks),
        art278_item=3,
        kind="election",
        seats=seats,
        candidates=list(candidates),
    )


def test_a_tie_for_the_last_seat_elects_neither():
    # 甲 3 of 3, 乙 and 丙 2 of 3 each (both more than half): 甲 elected, the second seat tied.
    result = _election([[0, 1], [0, 2], [0, 1, 2]], seats=2)
    assert [c["elected"] for c in result["candidates"]] == [True, False, False]
    assert result["tie"] == [1, 2]


def test_a_candidate_without_half_is_not_elected_even_with_a_free_seat():
    result = _election([[0], [0], [1]], seats=2)
    assert [c["elected"] for c in result["candidates"]] == [True, False, False] and result["tie"] == []
