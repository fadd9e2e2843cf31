"""A byte stream sealed with a passphrase, in chunks, so that a backup of any size is encrypted and
checked without ever being held in memory (the format of `linli backup`, docs/operations.md).

Integers are big-endian. The file is a header, then one or more chunks:

    header (60 bytes)
      magic        8  b"LINLIBAK"
      version      1  1
      log2(N)      1  scrypt's cost: N = 2**log2(N)
      r, p         1+1 scrypt's block size and parallelism
      salt        16  random, new for every file
      chunk size   4  plaintext bytes in every chunk but the last
      key check   28  nonce (12) and the AES-GCM tag (16) of the empty message, associated data
                      the 32 bytes above and b"key-check": tells a wrong passphrase from damage
    chunk
      nonce       12  random
      length       4  of the sealed bytes (plaintext + 16-byte tag)
      sealed          AES-256-GCM, associated data: the header, the chunk's index (8 bytes) and
                      1 on the last chunk, else 0

The key is scrypt(passphrase, salt, N, r, p), 32 bytes. Binding the header to every chunk
authenticates the KDF parameters and the salt; binding the index and the last flag means chunks
cannot be reordered, dropped or cut off at a chunk boundary without the reader noticing. There is
always a last chunk (possibly empty), so an empty stream is told from a truncated one.
"""

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"LINLIBAK"
VERSION = 1
# 128 MiB and about half a second per derivation: OWASP's advice for scrypt (2023).
LOG2_N, R, P = 17, 8, 1
CHUNK_SIZE = 1 << 20
_PREFIX = struct.Struct(">8sBBBB16sI")  # up to the key check: 32 bytes
_CHECK_LEN = 12 + 16
HEADER_LEN = _PREFIX.size + _CHECK_LEN
_CHUNK_HEAD = struct.Struct(">12sI")
_TAG = 16
# What a reader accepts, so that a forged header cannot make it allocate gigabytes.
_MAX_LOG2_N, _MAX_R, _MAX_P, _MAX_CHUNK = 22, 32, 16, 64 << 20


class WrongPassphrase(Exception):
    pass


class Damaged(Exception):
    pass


def _derive(passphrase: bytes, salt: bytes, log2_n: int, r: int, p: int) -> AESGCM:
    key = Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p).derive(passphrase)
    return AESGCM(key)


def _chunk_aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if last else 0)


class SealingWriter:
    """A binary file-like object: what is written to it goes sealed to `out`; close() seals the
    last chunk (it does not close `out`)."""

    def __init__(self, out, passphrase: bytes, *, chunk_size: int = CHUNK_SIZE):
        salt = os.urandom(16)
        prefix = _PREFIX.pack(MAGIC, VERSION, LOG2_N, R, P, salt, chunk_size)
        self._aead = _derive(passphrase, salt, LOG2_N, R, P)
        nonce = os.urandom(12)
        self._header = prefix + nonce + self._aead.encrypt(nonce, b"", prefix + b"key-check")
        out.write(self._header)
        self._out, self._chunk_size = out, chunk_size
        self._buffer = bytearray()
        self._index = 0
        self.closed = False

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back: only close() knows which chunk is the last.
        while len(self._buffer) > self._chunk_size:
            self._seal(bytes(self._buffer[: self._chunk_size]), last=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._out.flush()
            self.closed = True

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext, _chunk_aad(self._header, self._index, last))
        self._out.write(_CHUNK_HEAD.pack(nonce, len(sealed)) + sealed)
        self._index += 1


class OpeningReader:
    """A binary file-like object reading the plaintext of a sealed stream. The passphrase is checked
    on construction (WrongPassphrase); a chunk that does not verify, or a stream that ends before
    its last chunk, raises Damaged when reached. `finish()` reads to the end and checks it."""

    def __init__(self, source, passphrase: bytes):
        self._source = source
        header = source.read(HEADER_LEN)
        if len(header) < HEADER_LEN or header[:8] != MAGIC:
            raise Damaged("not a linli backup (bad magic or short header)")
        _magic, version, log2_n, r, p, salt, chunk_size = _PREFIX.unpack(header[: _PREFIX.size])
        if version != VERSION:
            raise Damaged(f"unknown backup format version {version}")
        if not (10 <= log2_n <= _MAX_LOG2_N and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
            raise Damaged("implausible key derivation parameters")
        if not 1 <= chunk_size <= _MAX_CHUNK:
            raise Damaged("implausible chunk size")
        self._aead = _derive(passphrase, salt, log2_n, r, p)
        check = header[_PREFIX.size :]
        try:
            self._aead.decrypt(check[:12], check[12:], header[: _PREFIX.size] + b"key-check")
        except InvalidTag:
            raise WrongPassphrase() from None
        self._header, self._max_sealed = header, chunk_size + _TAG
        self._index = 0
        self._buffer, self._pos = b"", 0
        self._done = False
        self._next_head = self._read_head()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        parts, wanted = [], size
        while wanted != 0:
            if self._pos == len(self._buffer):
                if self._done:
                    break
                self._buffer, self._pos = self._open_next(), 0
                continue
            end = len(self._buffer) if wanted < 0 else min(len(self._buffer), self._pos + wanted)
            parts.append(self._buffer[self._pos : end])
            if wanted > 0:
                wanted -= end - self._pos
            self._pos = end
        return b"".join(parts)

    def finish(self) -> None:
        while not self._done:
            self._open_next()
        if self._source.read(1):
            raise Damaged("bytes after the last chunk")

    def _read_head(self) -> tuple[bytes, int] | None:
        head = self._source.read(_CHUNK_HEAD.size)
        if not head:
            return None
        if len(head) < _CHUNK_HEAD.size:
            raise Damaged("the file ends inside a chunk header (truncated)")
        nonce, length = _CHUNK_HEAD.unpack(head)
        if not _TAG <= length <= self._max_sealed:
            raise Damaged(f"chunk {self._index}: implausible length {length}")
        return nonce, length

    def _open_next(self) -> bytes:
        if self._next_head is None:
            raise Damaged("the file ends before its last chunk (truncated)")
        nonce, length = self._next_head
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise Damaged(f"chunk {self._index} is cut short (truncated)")
        self._next_head = self._read_head()
        last = self._next_head is None
        try:
            plaintext = self._aead.decrypt(nonce, sealed, _chunk_aad(self._header, self._index, last))
        except InvalidTag:
            raise Damaged(f"chunk {self._index} does not verify (altered, reordered or truncated)") from None
        self._index += 1
        self._done = last
        return plaintext
