#!/usr/bin/env python3
"""Check an owners' vote of linli without trusting the server (docs/voting.md, "Verifying").

    python tools/verify_vote.py receipt receipt.json [--public-key HEX]
    python tools/verify_vote.py consistency proof.json --public-key HEX
    python tools/verify_vote.py export export.json [--public-key HEX]

`receipt`: the ballot's leaf is in the tree whose signed head the receipt carries (RFC 9162
inclusion proof). `consistency`: the newer signed head extends the older (RFC 9162 consistency
proof). `export`: the signed head's root is the Merkle root of the exported leaves, and the
result recomputed from the leaves and the roll's totals (Civil Code Art. 278) equals the one
published. Each failure is printed as one line saying what is wrong; the exit status is 1.

Standalone on purpose (hashlib and cryptography only): an implementation of its own, not the
server's code, so a mistake on one side shows up as a difference.
"""

import argparse
import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAJOR_ITEMS = {6, 7, 8}  # Civil Code Art. 278 para. 1 items 6–8: three quarters


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(hashes: list[bytes]) -> bytes:
    """RFC 9162 MTH over leaf hashes: split at the largest power of two below n."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(merkle_root(hashes[:k]), merkle_root(hashes[k:]))


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes | None:
    """RFC 9162 section 2.1.3.2; None when the proof has the wrong shape for (index, size)."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def consistent(old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2."""
    if old == new:
        return not proof and old_root == new_root
    if old < 1 or old > new or not proof:
        return False
    if old & (old - 1) == 0:
        proof = [old_root, *proof]
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


def canonical(obj: dict) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def head_signed(vote_uid: str, head: dict, public_key: str) -> bool:
    message = canonical(
        {"v": 1, "vote": vote_uid, "size": head["size"], "root": head["root"], "timestamp": head["timestamp"]}
    )
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(head["signature"]), message
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _key(doc: dict, pinned: str | None) -> tuple[str, list[str]]:
    key = doc.get("public_key", "")
    if pinned and pinned.lower() != key.lower():
        return pinned, ["public key: the document's key is not the one given with --public-key"]
    return key, []


def verify_receipt(receipt: dict, public_key: str | None = None) -> list[str]:
    key, errors = _key(receipt, public_key)
    head = receipt["tree_head"]
    data = base64.b64decode(receipt["leaf"])
    leaf = json.loads(data)
    if leaf.get("vote") != receipt["vote"] or leaf.get("ballot") != receipt["ballot"]:
        errors.append("leaf: it is not this receipt's ballot (vote or ballot number differ)")
    if not head_signed(receipt["vote"], head, key):
        errors.append(f"tree head {head['size']}: bad signature")
    proof = [bytes.fromhex(p) for p in receipt["proof"]]
    root = root_from_inclusion(receipt["leaf_index"], head["size"], leaf_hash(data), proof)
    if root is None or root.hex() != head["root"]:
        errors.append(f"inclusion: leaf {receipt['leaf_index']} is not in the tree of size {head['size']}")
    return errors


def verify_consistency(doc: dict, vote_uid: str, public_key: str) -> list[str]:
    old, new = doc["old"], doc["new"]
    errors = [
        f"tree head {h['size']}: bad signature"
        for h in (old, new)
        if not head_signed(vote_uid, h, public_key)
    ]
    proof = [bytes.fromhex(p) for p in doc["proof"]]
    if not consistent(
        old["size"], new["size"], bytes.fromhex(old["root"]), bytes.fromhex(new["root"]), proof
    ):
        errors.append(
            f"consistency: the tree of size {new['size']} does not extend the tree of size {old['size']}"
        )
    return errors


def centi(area: str) -> int:
    whole, _, frac = area.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def _passes(yes_area: int, yes_heads: int, area: int, heads: int, major: bool) -> bool:
    if major:
        return yes_area * 4 >= area * 3 and yes_heads * 4 >= heads * 3
    return yes_area * 2 > area and yes_heads * 2 > heads


def tally(leaves: list[dict], vote: dict, total_area: int, total_heads: int) -> tuple[dict, list[str]]:
    """The latest leaf of each head counts; a later leaf of a head must name the one it replaces."""
    errors: list[str] = []
    latest: dict[str, tuple[int, dict]] = {}
    for i, leaf in enumerate(leaves):
        if leaf.get("vote") != vote["uid"]:
            errors.append(f"leaf {i}: belongs to another vote")
        before = latest.get(leaf["head"])
        if before is not None:
            if leaf.get("replaces") != before[0]:
                errors.append(
                    f"leaf {i}: a second ballot for head {leaf['head']} that does not replace leaf {before[0]}"
                )
            if leaf["area"] != before[1]["area"]:
                errors.append(f"leaf {i}: head {leaf['head']} has another area than in leaf {before[0]}")
        elif leaf.get("replaces") is not None:
            errors.append(f"leaf {i}: replaces leaf {leaf['replaces']} of another head")
        latest[leaf["head"]] = (i, leaf)
    counted = [leaf for _i, leaf in latest.values()]
    area, heads = sum(centi(x["area"]) for x in counted), len(counted)
    if area > total_area or heads > total_heads:
        errors.append("roll: more area or heads took part than the roll has")
    major = vote["art278_item"] in MAJOR_ITEMS
    quorum = area * 3 >= total_area * 2 and heads * 3 >= total_heads * 2
    result: dict = {
        "total_area": total_area,
        "total_heads": total_heads,
        "participating": {"area": area, "heads": heads},
        "quorum": quorum,
        "threshold": "major" if major else "ordinary",
    }
    if vote["kind"] == "election":
        rows = []
        for index, name in enumerate(vote["candidates"]):
            chosen = [x for x in counted if index in x["choice"]]
            a, h = sum(centi(x["area"]) for x in chosen), len(chosen)
            ok = quorum and _passes(a, h, area, heads, major)
            rows.append({"index": index, "name": name, "area": a, "heads": h, "passed": ok, "elected": False})
        ranked = sorted((r for r in rows if r["passed"]), key=lambda r: (-r["area"], -r["heads"], r["index"]))
        seats, tie = vote["seats"], []
        if len(ranked) > seats > 0:
            last = (ranked[seats - 1]["area"], ranked[seats - 1]["heads"])
            if (ranked[seats]["area"], ranked[seats]["heads"]) == last:
                tie = [r["index"] for r in ranked if (r["area"], r["heads"]) == last]
        for r in ranked[:seats]:
            r["elected"] = r["index"] not in tie
        result.update({"candidates": rows, "tie": tie})
        return result, errors
    for choice in ("for", "against", "abstain"):
        chosen = [x for x in counted if x["choice"] == choice]
        result[choice] = {"area": sum(centi(x["area"]) for x in chosen), "heads": len(chosen)}
    result["passed"] = quorum and _passes(result["for"]["area"], result["for"]["heads"], area, heads, major)
    return result, errors


def verify_export(doc: dict, public_key: str | None = None) -> tuple[list[str], dict]:
    key, errors = _key(doc, public_key)
    head, vote = doc["tree_head"], doc["vote"]
    raw = [base64.b64decode(x) for x in doc["leaves"]]
    if not head_signed(vote["uid"], head, key):
        errors.append(f"tree head {head['size']}: bad signature")
    if len(raw) != head["size"]:
        errors.append(f"log: {len(raw)} leaves but the tree head is of size {head['size']}")
    if merkle_root([leaf_hash(x) for x in raw]).hex() != head["root"]:
        errors.append("log: the leaves' Merkle root is not the signed tree head's root")
    roll = doc["roll"]
    result, tally_errors = tally(
        [json.loads(x) for x in raw], vote, centi(roll["total_area"]), roll["total_heads"]
    )
    errors += tally_errors
    published = doc.get("result")
    if published is not None:
        for name in sorted(set(result) | {k for k in published if k != "tree_head"}):
            if published.get(name) != result.get(name):
                errors.append(
                    f"result: {name} published as {published.get(name)!r}, recomputed {result.get(name)!r}"
                )
        if published.get("tree_head") and published["tree_head"]["root"] != head["root"]:
            errors.append("result: kept with another tree head than the exported one")
    return errors, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["receipt", "consistency", "export"])
    parser.add_argument("file")
    parser.add_argument("--public-key", help="the vote's Ed25519 public key (hex), from a source you trust")
    parser.add_argument("--vote", help="the vote's uid (consistency proofs)")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8") as f:
        doc = json.load(f)
    if args.what == "receipt":
        errors = verify_receipt(doc, args.public_key)
    elif args.what == "consistency":
        if not args.public_key or not args.vote:
            parser.error("consistency needs --public-key and --vote")
        errors = verify_consistency(doc, args.vote, args.public_key)
    else:
        errors, result = verify_export(doc, args.public_key)
        print(json.dumps(result, ensure_ascii=False, indent=2))
    for error in errors:
        print(f"FAIL: {error}")
    if not errors:
        print("OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
