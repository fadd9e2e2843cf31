"""FaceIndex decisions and the embedding wire format, on synthetic vectors."""

import struct

import pytest

np = pytest.importorskip("numpy")

from linli.access.face.matcher import (  # noqa: E402  (only with numpy installed)
    FACE_AMBIGUOUS,
    FACE_MATCH,
    FACE_UNKNOWN,
    FaceIndex,
    deserialize,
    serialize,
)

THRESHOLD = 0.45
MARGIN = 0.10


def unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(128).astype(np.float32)
    return v / np.linalg.norm(v)


def moved(v: np.ndarray, by: float, seed: int) -> np.ndarray:
    """A vector exactly `by` away from v, in a random direction."""
    direction = unit(seed)
    return (v + by * direction).astype(np.float32)


def index(pairs) -> FaceIndex:
    ids, vectors = zip(*pairs, strict=True) if pairs else ((), ())
    return FaceIndex(list(ids), list(vectors), threshold=THRESHOLD, margin=MARGIN)


def test_it_matches_the_closest_person_within_the_threshold():
    alice, bob = unit(1), unit(2)
    result = index([("alice", alice), ("bob", bob)]).match(moved(alice, 0.2, 10))
    assert (result.person_id, result.reason) == ("alice", FACE_MATCH)
    assert result.distance == pytest.approx(0.2, abs=1e-4)
    assert result.runner_up_distance == pytest.approx(np.linalg.norm(moved(alice, 0.2, 10) - bob))


def test_it_calls_a_face_beyond_the_threshold_unknown():
    alice = unit(1)
    result = index([("alice", alice)]).match(moved(alice, THRESHOLD + 0.01, 10))
    assert (result.person_id, result.reason) == (None, FACE_UNKNOWN)
    assert result.distance == pytest.approx(THRESHOLD + 0.01, abs=1e-4)


def test_it_refuses_to_choose_between_two_people_within_the_margin():
    alice = unit(1)
    probe = moved(alice, 0.2, 10)
    lookalike = moved(probe, 0.2 + MARGIN / 2, 11)
    result = index([("alice", alice), ("sister", lookalike)]).match(probe)
    assert (result.person_id, result.reason) == (None, FACE_AMBIGUOUS)
    assert result.runner_up_distance - result.distance < MARGIN


def test_it_does_not_count_a_second_photo_of_the_same_person_as_a_rival():
    alice, bob = unit(1), unit(2)
    probe = moved(alice, 0.2, 10)
    alice_again = moved(probe, 0.21, 11)  # as close as alice's first photo
    result = index([("alice", alice), ("alice", alice_again), ("bob", bob)]).match(probe)
    assert (result.person_id, result.reason) == ("alice", FACE_MATCH)
    assert result.runner_up_distance == pytest.approx(np.linalg.norm(probe - bob))


def test_it_matches_a_lone_enrolled_person_with_no_runner_up():
    alice = unit(1)
    result = index([("alice", alice), ("alice", moved(alice, 0.1, 3))]).match(alice)
    assert (result.person_id, result.reason) == ("alice", FACE_MATCH)
    assert result.distance == pytest.approx(0.0, abs=1e-3)
    assert result.runner_up_distance == float("inf")


def test_it_knows_nobody_when_nobody_is_enrolled():
    result = index([]).match(unit(1))
    assert (result.person_id, result.reason, result.distance) == (None, FACE_UNKNOWN, float("inf"))


def test_it_finds_the_right_row_among_ten_thousand():
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((10_000, 128)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    faces = FaceIndex(list(range(10_000)), matrix, threshold=THRESHOLD, margin=MARGIN)
    result = faces.match(moved(matrix[4321], 0.1, 5))
    assert (result.person_id, result.reason) == (4321, FACE_MATCH)


def test_it_rejects_embeddings_that_do_not_fit():
    with pytest.raises(ValueError):
        FaceIndex(["alice", "bob"], [unit(1)])
    with pytest.raises(ValueError):
        FaceIndex(["alice"], [np.zeros(127, dtype=np.float32)])


def test_it_serializes_to_512_little_endian_bytes_and_back():
    v = unit(7)
    data = serialize(v)
    assert len(data) == 512
    assert data[:4] == struct.pack("<f", v[0])
    back = deserialize(data)
    assert back.dtype == np.float32 and np.array_equal(back, v)
    back[0] = 1.0  # a writable copy, not a view on the caller's bytes


def test_it_refuses_to_serialize_or_deserialize_the_wrong_size():
    with pytest.raises(ValueError):
        serialize(np.zeros(64, dtype=np.float32))
    with pytest.raises(ValueError):
        deserialize(b"\x00" * 511)
