"""Counting by Civil Code Art. 278 and the SPC interpretation on building distinct ownership
(Arts. 8–9), from the log alone: the latest leaf of each head counts. Areas are integers in
hundredths of a ㎡ and every threshold is a cross-multiplication, never a float."""

import json

from linli.engage.choices_votes import MAJOR_ITEMS


def centi(area: str) -> int:
    whole, _, frac = area.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def latest_by_head(leaves: list[bytes]) -> dict[str, dict]:
    counted: dict[str, dict] = {}
    for raw in leaves:
        leaf = json.loads(raw)
        counted[leaf["head"]] = leaf
    return counted


def passes(yes_area: int, yes_heads: int, part_area: int, part_heads: int, major: bool) -> bool:
    """Items 6–8: at least 3/4 of participating area and headcount; others: more than half."""
    if major:
        return yes_area * 4 >= part_area * 3 and yes_heads * 4 >= part_heads * 3
    return yes_area * 2 > part_area and yes_heads * 2 > part_heads


def tally(
    leaves: list[bytes],
    *,
    total_area: int,
    total_heads: int,
    art278_item: int,
    kind: str,
    seats: int = 0,
    candidates: list | None = None,
) -> dict:
    counted = latest_by_head(leaves)
    part_area = sum(centi(leaf["area"]) for leaf in counted.values())
    part_heads = len(counted)
    quorum = part_area * 3 >= total_area * 2 and part_heads * 3 >= total_heads * 2
    major = art278_item in MAJOR_ITEMS
    result: dict = {
        "total_area": total_area,
        "total_heads": total_heads,
        "participating": {"area": part_area, "heads": part_heads},
        "quorum": quorum,
        "threshold": "major" if major else "ordinary",
    }
    if kind == "election":
        result.update(_elect(counted, candidates or [], seats, part_area, part_heads, quorum, major))
        return result
    for choice in ("for", "against", "abstain"):
        chosen = [leaf for leaf in counted.values() if leaf["choice"] == choice]
        result[choice] = {"area": sum(centi(leaf["area"]) for leaf in chosen), "heads": len(chosen)}
    result["passed"] = quorum and passes(
        result["for"]["area"], result["for"]["heads"], part_area, part_heads, major
    )
    return result


def _elect(counted, candidates, seats, part_area, part_heads, quorum, major) -> dict:
    """Each candidate needs the double threshold on their own; of those who pass, the most
    area, then the most heads, take the seats. Equal at the last seat: neither is elected and
    `tie` names them (the rules of procedure call a runoff)."""
    rows = []
    for index, name in enumerate(candidates):
        chosen = [leaf for leaf in counted.values() if index in leaf["choice"]]
        area, heads = sum(centi(leaf["area"]) for leaf in chosen), len(chosen)
        ok = quorum and passes(area, heads, part_area, part_heads, major)
        rows.append(
            {"index": index, "name": name, "area": area, "heads": heads, "passed": ok, "elected": False}
        )
    ranked = sorted((r for r in rows if r["passed"]), key=lambda r: (-r["area"], -r["heads"], r["index"]))
    tie: list[int] = []
    if len(ranked) > seats > 0:
        last = (ranked[seats - 1]["area"], ranked[seats - 1]["heads"])
        if (ranked[seats]["area"], ranked[seats]["heads"]) == last:
            tie = [r["index"] for r in ranked if (r["area"], r["heads"]) == last]
    for r in ranked[:seats]:
        r["elected"] = r["index"] not in tie
    return {"candidates": rows, "tie": tie}
