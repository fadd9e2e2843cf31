"""RFC 9162 Merkle tree arithmetic over stored nodes (section 2.1): leaf hash SHA-256(0x00‖data),
node hash SHA-256(0x01‖left‖right), a tree of n leaves split at the largest power of two below n.

A node is a complete, aligned subtree of 2**level leaves, addressed as `key(level, index)`; the log
stores every node when its last leaf arrives, so a root or a proof needs only O(log n) stored
hashes, fetched in one query, never the leaves. Verification lives in tools/verify_vote.py, an
independent implementation a voter runs."""

import hashlib
from collections.abc import Callable, Iterable

LEVEL_SHIFT = 40  # a vote never has 2**40 leaves


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def key(level: int, index: int) -> int:
    return (level << LEVEL_SHIFT) | index


def _split(size: int) -> int:
    """The largest power of two smaller than size (size ≥ 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def edge(size: int) -> list[tuple[int, int]]:
    """The complete subtrees (level, index) that make up a tree of `size` leaves, left to right:
    one per set bit of size, the largest first (the tree's right edge)."""
    nodes, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def extend(
    edge_hashes: list[bytes], size: int, leaf: bytes
) -> tuple[dict[int, bytes], list[bytes], list[bytes]]:
    """Add leaf number `size` to the tree whose right edge is `edge_hashes`. Returns the nodes the
    leaf completes {key: hash}, the new tree's right edge, and the leaf's inclusion proof in the
    new tree (leaf up): its siblings inside the subtree it completes, then the edge's other
    subtrees from right to left. No stored node needs to be read."""
    edge_hashes = list(edge_hashes)
    nodes = {key(0, size): leaf}
    siblings = []
    right, level = leaf, 0
    while size >> level & 1:  # the old tree's trailing complete subtrees merge with the leaf
        left = edge_hashes.pop()
        siblings.append(left)
        right = node_hash(left, right)
        level += 1
        nodes[key(level, size >> level)] = right
    edge_hashes.append(right)
    return nodes, edge_hashes, siblings + edge_hashes[-2::-1]


def root_of(edge_hashes: list[bytes]) -> bytes:
    """The root of a tree from its right edge: MTH(D[n]) = H(D[0:k], D[k:n]), folded from the right."""
    if not edge_hashes:
        return hashlib.sha256(b"").digest()
    root = edge_hashes[-1]
    for left in reversed(edge_hashes[:-1]):
        root = node_hash(left, root)
    return root


def _nodes_of(start: int, end: int) -> Iterable[tuple[int, int]]:
    """The stored nodes that make up the RFC subtree D[start:end] (start is aligned)."""
    size = end - start
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        yield level, start >> level
        return
    k = _split(size)
    yield from _nodes_of(start, start + k)
    yield from _nodes_of(start + k, end)


def _hash(start: int, end: int, nodes: dict[int, bytes]) -> bytes:
    size = end - start
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return nodes[key(level, start >> level)]
    k = _split(size)
    return node_hash(_hash(start, start + k, nodes), _hash(start + k, end, nodes))


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """RFC 9162 PATH(m, D[n]) as the subtrees [start, end) whose hashes form the proof, leaf up."""
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """RFC 9162 PROOF(m, D[n]) = SUBPROOF(m, D[n], true) as subtrees, in the RFC's order."""
    ranges: list[tuple[int, int]] = []
    start, end, complete = 0, new, True
    m = old
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            m -= k
            start += k
            complete = False
    if not complete:
        ranges.append((start, end))
    return ranges[::-1]


def resolve(ranges: list[tuple[int, int]], fetch: Callable[[list[int]], dict[int, bytes]]) -> list[bytes]:
    """The hashes of the given subtrees, with one call of `fetch(keys) -> {key: hash}`."""
    wanted = {key(level, i) for start, end in ranges for level, i in _nodes_of(start, end)}
    nodes = fetch(sorted(wanted))
    return [_hash(start, end, nodes) for start, end in ranges]
