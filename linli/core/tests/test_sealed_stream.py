"""The sealed stream of `linli backup`: every change to the file, short of the passphrase, is refused."""

import io
import os

import pytest

from linli.core import sealed_stream as s

CHUNK = 64
SEALED_CHUNK = 12 + 4 + CHUNK + 16  # nonce, length, ciphertext, tag
PLAIN = os.urandom(3 * CHUNK + 10)  # three full chunks and a short last one


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch):
    """A lower scrypt cost, written into each header like the real one: these tests open files
    dozens of times (the backup tests use the real cost)."""
    monkeypatch.setattr(s, "LOG2_N", 12)


def seal(data: bytes = PLAIN, passphrase: bytes = b"correct horse") -> bytes:
    out = io.BytesIO()
    writer = s.SealingWriter(out, passphrase, chunk_size=CHUNK)
    writer.write(data)
    writer.close()
    return out.getvalue()


def open_all(sealed: bytes, passphrase: bytes = b"correct horse") -> bytes:
    reader = s.OpeningReader(io.BytesIO(sealed), passphrase)
    data = reader.read(7) + reader.read()
    reader.finish()
    return data


@pytest.fixture
def sealed() -> bytes:
    return seal()


@pytest.mark.parametrize("size", [0, 1, CHUNK, 2 * CHUNK, 2 * CHUNK + 1])
def test_it_gives_back_what_was_sealed(size):
    assert open_all(seal(PLAIN[:size])) == PLAIN[:size]


def test_it_seals_with_a_new_salt_each_time():
    assert seal()[: s.HEADER_LEN] != seal()[: s.HEADER_LEN]


def test_it_tells_a_wrong_passphrase(sealed):
    with pytest.raises(s.WrongPassphrase):
        open_all(sealed, b"correct horse!")


def test_it_refuses_a_file_cut_anywhere(sealed):
    boundaries = [s.HEADER_LEN + i * SEALED_CHUNK for i in range(1, 4)]
    for length in [
        0,
        10,
        s.HEADER_LEN,
        s.HEADER_LEN + 5,
        *boundaries,
        *(b + 20 for b in boundaries),
        len(sealed) - 1,
    ]:
        with pytest.raises(s.Damaged):
            open_all(sealed[:length])


def test_it_refuses_a_flipped_byte_anywhere(sealed):
    for position in range(len(sealed)):
        altered = bytearray(sealed)
        altered[position] ^= 0x01
        with pytest.raises((s.Damaged, s.WrongPassphrase)):
            open_all(bytes(altered))


def test_it_refuses_chunks_swapped_dropped_or_added(sealed):
    header, body = sealed[: s.HEADER_LEN], sealed[s.HEADER_LEN :]
    chunks = [body[i : i + SEALED_CHUNK] for i in range(0, len(body), SEALED_CHUNK)]
    other = seal()  # the same plaintext under another salt
    for forged in (
        [chunks[1], chunks[0], *chunks[2:]],
        [chunks[0], *chunks[2:]],
        [*chunks[:-1], chunks[-2], chunks[-1]],  # one repeated
        [other[s.HEADER_LEN : s.HEADER_LEN + SEALED_CHUNK], *chunks[1:]],
    ):
        with pytest.raises(s.Damaged):
            open_all(header + b"".join(forged))
    with pytest.raises(s.Damaged):
        open_all(sealed + b"\x00")
