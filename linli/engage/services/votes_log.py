"""Each vote's append-only log: leaves, stored subtree nodes, Ed25519-signed tree heads, proofs
and the export a voter verifies with tools/verify_vote.py (docs/voting.md, "The log")."""

import base64
import json
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from linli.engage.models import Vote, VoteBallot, VoteLeaf, VoteNode, VoteTreeHead
from linli.engage.services import votes_merkle as merkle


def canonical(obj: dict) -> bytes:
    """The exact bytes of a leaf or a tree head: JSON, sorted keys, no spaces, ASCII only."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def new_key() -> tuple[str, str]:
    """A vote's own Ed25519 key pair (private hex, public hex): it outlives community key rotations."""
    private = Ed25519PrivateKey.generate()
    return private.private_bytes_raw().hex(), private.public_key().public_bytes_raw().hex()


def fetcher(vote_id: int):
    def fetch(keys: list[int]) -> dict[int, bytes]:
        rows = VoteNode.objects.filter(vote_id=vote_id, key__in=keys).values_list("key", "hash")
        return {k: bytes(h) for k, h in rows}

    return fetch


@dataclass(frozen=True)
class Appended:
    """A leaf just added: its index and exact bytes, its inclusion proof in the tree it completes
    and that tree's signed head, which is everything a voter's receipt needs."""

    index: int
    leaf: bytes
    proof: list[str]
    head: VoteTreeHead


def right_edge(vote: Vote) -> list[bytes]:
    edge = bytes(vote.right_edge)
    return [edge[i : i + 32] for i in range(0, len(edge), 32)]


def append(vote: Vote, data: dict, ballot: VoteBallot | None) -> Appended:
    """Append a leaf to a vote locked by the caller (select_for_update, in its transaction) and
    sign the grown log's head. Reads nothing: the vote row carries the log's right edge."""
    index = vote.leaf_count
    raw = canonical(data)
    nodes, edge, proof = merkle.extend(right_edge(vote), index, merkle.leaf_hash(raw))
    VoteLeaf.objects.create(vote=vote, index=index, data=raw, ballot=ballot)
    VoteNode.objects.bulk_create([VoteNode(vote=vote, key=k, hash=h) for k, h in nodes.items()])
    updated = Vote.objects.filter(pk=vote.pk, leaf_count=index).update(
        leaf_count=index + 1, right_edge=b"".join(edge)
    )
    assert updated == 1, "the vote row is locked by the caller"
    vote.leaf_count, vote.right_edge = index + 1, b"".join(edge)
    head = _signed(vote, index + 1, merkle.root_of(edge))
    return Appended(index, raw, [h.hex() for h in proof], head)


def head_bytes(vote: Vote, size: int, root: str, timestamp: int) -> bytes:
    return canonical({"v": 1, "vote": vote.uid, "size": size, "root": root, "timestamp": timestamp})


def _signed(vote: Vote, size: int, root: bytes, final: bool = False) -> VoteTreeHead:
    timestamp = int(time.time() * 1000)
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vote.private_key))
    signature = key.sign(head_bytes(vote, size, root.hex(), timestamp)).hex()
    return VoteTreeHead.objects.create(
        vote=vote, size=size, root=root.hex(), timestamp=timestamp, signature=signature, final=final
    )


def sign_head(vote: Vote, *, final: bool = False) -> VoteTreeHead:
    """The signed head of the log as it stands (one per size: a size is signed once)."""
    size = vote.leaf_count
    found = VoteTreeHead.objects.filter(vote=vote, size=size).first()
    if found is None:
        return _signed(vote, size, merkle.root_of(right_edge(vote)), final)
    if final and not found.final:
        VoteTreeHead.objects.filter(pk=found.pk).update(final=True)
        found.final = True
    return found


def head_out(head: VoteTreeHead) -> dict:
    return {
        "size": head.size,
        "root": head.root,
        "timestamp": head.timestamp,
        "signature": head.signature,
        "final": head.final,
    }


def receipt(vote: Vote, number: str, entry: Appended) -> dict:
    return {
        "vote": vote.uid,
        "ballot": number,
        "leaf_index": entry.index,
        "leaf": base64.b64encode(entry.leaf).decode(),
        "proof": entry.proof,
        "tree_head": head_out(entry.head),
        "public_key": vote.public_key,
    }


def receipt_at(vote: Vote, ballot: VoteBallot, head: VoteTreeHead) -> dict:
    """A counted ballot's receipt against a later signed head."""
    index = ballot.leaf_index
    assert index is not None, "only a counted ballot has a receipt"
    data = VoteLeaf.objects.get(vote=vote, index=index).data
    return receipt(
        vote, ballot.number, Appended(index, bytes(data), inclusion_proof(vote, index, head.size), head)
    )


def inclusion_proof(vote: Vote, index: int, size: int) -> list[str]:
    ranges = merkle.inclusion_ranges(index, size)
    return [h.hex() for h in merkle.resolve(ranges, fetcher(vote.pk))]


def consistency_proof(vote: Vote, old: int, new: int) -> list[str]:
    ranges = merkle.consistency_ranges(old, new)
    return [h.hex() for h in merkle.resolve(ranges, fetcher(vote.pk))]


def leaf_data(vote: Vote) -> list[bytes]:
    return [
        bytes(d) for d in VoteLeaf.objects.filter(vote=vote).order_by("index").values_list("data", flat=True)
    ]


def export(vote: Vote, head: VoteTreeHead) -> dict:
    """Everything needed to recompute the result: the vote's terms, the roll's totals (no
    names), the public key, every leaf up to the head, the signed head and the result."""
    leaves = VoteLeaf.objects.filter(vote=vote, index__lt=head.size).order_by("index")
    return {
        "format": "linli-vote-log/1",
        "vote": terms(vote),
        "roll": {"total_area": centi_str(vote.total_area_centi), "total_heads": vote.total_heads},
        "public_key": vote.public_key,
        "leaves": [base64.b64encode(bytes(d)).decode() for d in leaves.values_list("data", flat=True)],
        "tree_head": head_out(head),
        "result": vote.result if head.final else None,
    }


def terms(vote: Vote) -> dict:
    return {
        "uid": vote.uid,
        "title": vote.title,
        "kind": vote.kind,
        "art278_item": vote.art278_item,
        "seats": vote.seats,
        "candidates": vote.candidates,
        "secret": vote.secret,
    }


def centi_str(centi: int) -> str:
    return f"{centi // 100}.{centi % 100:02d}"
