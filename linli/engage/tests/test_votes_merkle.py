"""The log's Merkle arithmetic against RFC 6962/9162 known vectors, and every inclusion and
consistency proof the server makes for many tree sizes checked by the standalone verifier."""

import importlib.util
from pathlib import Path

import pytest

from linli.engage.services import votes_merkle as merkle

_spec = importlib.util.spec_from_file_location(
    "verify_vote", Path(__file__).parents[3] / "tools" / "verify_vote.py"
)
verify = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verify)

# The certificate-transparency test leaves and the roots of their first 1..8 (RFC 6962 trees).
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def build(leaves: list[bytes]) -> dict[int, bytes]:
    """The node store as the log fills it: each node when its last leaf arrives."""
    nodes: dict[int, bytes] = {}
    edge: list[bytes] = []
    for index, data in enumerate(leaves):
        completed, edge, _ = merkle.extend(edge, index, merkle.leaf_hash(data))
        nodes.update(completed)
    return nodes


def root(size: int, nodes: dict[int, bytes]) -> bytes:
    return merkle.root_of([nodes[merkle.key(level, i)] for level, i in merkle.edge(size)])


def fetch_from(nodes):
    calls = []

    def fetch(keys):
        calls.append(keys)
        return {k: nodes[k] for k in keys}

    fetch.calls = calls
    return fetch


def test_roots_are_the_known_vectors():
    nodes = build(LEAVES)
    for size, expected in enumerate(ROOTS, start=1):
        assert root(size, nodes).hex() == expected
        assert verify.merkle_root([merkle.leaf_hash(x) for x in LEAVES[:size]]).hex() == expected


def test_known_inclusion_and_consistency_vectors():
    nodes = build(LEAVES)
    # RFC 6962 vectors (certificate-transparency): leaf 0 in 8, and consistency 1→8 and 6→8.
    assert [h.hex() for h in merkle.resolve(merkle.inclusion_ranges(0, 8), fetch_from(nodes))] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]
    assert [h.hex() for h in merkle.resolve(merkle.consistency_ranges(6, 8), fetch_from(nodes))] == [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]


@pytest.mark.parametrize("size", [*range(1, 34), 63, 64, 65, 100, 127, 129])
def test_every_inclusion_proof_verifies_and_no_other_leaf_does(size):
    leaves = [f"leaf {i}".encode() for i in range(size)]
    nodes = build(leaves)
    fetch = fetch_from(nodes)
    tree_root = root(size, nodes)
    assert tree_root == verify.merkle_root([merkle.leaf_hash(x) for x in leaves])
    for index in range(size):
        proof = merkle.resolve(merkle.inclusion_ranges(index, size), fetch)
        assert verify.root_from_inclusion(index, size, merkle.leaf_hash(leaves[index]), proof) == tree_root
        wrong = merkle.leaf_hash(b"forged")
        assert verify.root_from_inclusion(index, size, wrong, proof) != tree_root
        if size > 1:
            assert (
                verify.root_from_inclusion((index + 1) % size, size, merkle.leaf_hash(leaves[index]), proof)
                != tree_root
            )


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 9, 33, 64, 100])
def test_each_append_proves_its_leaf_in_the_tree_it_completes(size):
    """The proof extend() hands out without reading anything is the one the stored nodes give."""
    leaves = [f"leaf {i}".encode() for i in range(size)]
    nodes = build(leaves)
    edge: list[bytes] = []
    for index, data in enumerate(leaves):
        _, edge, proof = merkle.extend(edge, index, merkle.leaf_hash(data))
        assert merkle.root_of(edge) == verify.merkle_root([merkle.leaf_hash(x) for x in leaves[: index + 1]])
        assert proof == merkle.resolve(merkle.inclusion_ranges(index, index + 1), fetch_from(nodes))
        assert verify.root_from_inclusion(index, index + 1, merkle.leaf_hash(data), proof) == merkle.root_of(
            edge
        )


@pytest.mark.parametrize("new", [1, 2, 3, 5, 7, 8, 9, 16, 17, 31, 33, 50])
def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not(new):
    leaves = [f"leaf {i}".encode() for i in range(new)]
    nodes = build(leaves)
    new_root = root(new, nodes)
    for old in range(1, new + 1):
        old_root = root(old, nodes)
        proof = merkle.resolve(merkle.consistency_ranges(old, new), fetch_from(nodes))
        assert verify.consistent(old, new, old_root, new_root, proof)
        forged = build([b"rewritten", *leaves[1:]])
        assert not verify.consistent(old, new, root(old, forged), new_root, proof)


def test_a_proof_at_a_million_leaves_needs_few_stored_nodes():
    size = 1_000_003
    ranges = merkle.inclusion_ranges(123_456, size)
    wanted = {merkle.key(level, i) for a, b in ranges for level, i in merkle._nodes_of(a, b)}
    assert len(ranges) <= 21 and len(wanted) <= 2 * 21
