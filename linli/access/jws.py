"""Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037), and JWKS (RFC 7517) export.

Deliberately small and dependency-free beyond `cryptography`, so that a terminal vendor can read
it in one sitting (the terminal simulator uses it as is). Only what passes need is supported:
`alg` must be "EdDSA", `kid` names the key, `crit` is refused. Verification raises `JwsError`
with a reason code that distinguishes every way a token can be wrong.
"""

import base64
import binascii
import json
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALG = "EdDSA"
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class JwsError(Exception):
    """`code` is one of the pass_* reason codes of `linli.access.choices.Reason`."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict: the URL-safe alphabet only, no padding (RFC 7515 section 2)."""
    if not _B64URL.match(text) or len(text) % 4 == 1:
        raise JwsError("pass_malformed")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise JwsError("pass_malformed") from None


def _json_segment(text: str) -> dict:
    try:
        value = json.loads(b64url_decode(text))
    except (ValueError, UnicodeDecodeError):
        raise JwsError("pass_malformed") from None
    if not isinstance(value, dict):
        raise JwsError("pass_malformed")
    return value


def public_key_x(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return b64url_encode(raw)


def load_public_x(x: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64url_decode(x))


def sign(claims: Mapping, private_key: Ed25519PrivateKey, kid: str, typ: str = "JWT") -> str:
    header = {"alg": ALG, "kid": kid, "typ": typ}
    signing_input = ".".join(
        b64url_encode(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode())
        for part in (header, claims)
    )
    signature = private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def peek(token: str) -> tuple[dict, dict]:
    """Header and claims WITHOUT verification: only for choosing the key and a refusal reason."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise JwsError("pass_malformed")
    return _json_segment(parts[0]), _json_segment(parts[1])


def verify(token: str, keys: Mapping[str, Ed25519PublicKey]) -> tuple[dict, dict]:
    """Checks the signature with the key named by `kid`; returns (header, claims).

    The order matters for the reason codes: a structurally broken token is malformed; an
    unsigned one is alg_none; another algorithm is alg_unsupported; a kid we do not hold is
    unknown_key (e.g. signed by someone else's key); a failing signature under one of our keys
    is bad_signature (an altered payload, or a forgery that borrowed our kid). Time, uses and
    gates are the caller's business.
    """
    header, claims = peek(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        raise JwsError("pass_alg_none")
    if alg != ALG:
        raise JwsError("pass_alg_unsupported")
    if "crit" in header:
        raise JwsError("pass_malformed")  # we understand no extensions, so none may be critical
    key = keys.get(header.get("kid")) if isinstance(header.get("kid"), str) else None
    if key is None:
        raise JwsError("pass_unknown_key")
    signing_input, _, signature = token.rpartition(".")
    try:
        key.verify(b64url_decode(signature), signing_input.encode("ascii"))
    except InvalidSignature:
        raise JwsError("pass_bad_signature") from None
    return header, claims


def jwk(kid: str, x: str) -> dict:
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": ALG}


def keys_from_jwks(jwks: Mapping) -> dict[str, Ed25519PublicKey]:
    """What a terminal does with the published JWKS: kid → public key, Ed25519 only."""
    found = {}
    for item in jwks.get("keys", []):
        if item.get("kty") == "OKP" and item.get("crv") == "Ed25519" and isinstance(item.get("kid"), str):
            found[item["kid"]] = load_public_x(item["x"])
    return found
