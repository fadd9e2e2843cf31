"""Each community's Ed25519 signing keys: the active key signs passes and snapshots; the JWKS
publishes the active and the previous key, so passes issued before a rotation keep working.

Public keys are cached per process for a few seconds: a gate verifies thousands of QR codes a
minute and rotation is rare. Private keys are decrypted only to sign.
"""

import secrets
import threading
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.db import IntegrityError, transaction

from linli.access import jws
from linli.access.models import SigningKey

PUBLIC_KEY_TTL_SECONDS = 5.0
_cache: dict[int, tuple[float, dict[str, Ed25519PublicKey]]] = {}
_cache_lock = threading.Lock()


def issuer(community_id: int) -> str:
    """The `iss` of everything a community signs; its JWKS lives at issuer + "/jwks.json"."""
    return f"{settings.LINLI_PUBLIC_URL.rstrip('/')}/api/v1/communities/{community_id}"


def _new_key_row(community_id: int) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return SigningKey(
        community_id=community_id,
        kid=f"c{community_id}-{secrets.token_hex(4)}",
        private_key=jws.b64url_encode(raw),
        public_key=jws.public_key_x(private),
        status=SigningKey.Status.ACTIVE,
    )


def ensure_signing_key(community_id: int) -> SigningKey:
    """The active key, created on first use. Two first uses at once create one key."""
    key = SigningKey.objects.filter(community_id=community_id, status=SigningKey.Status.ACTIVE).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _new_key_row(community_id)
            key.save()
    except IntegrityError:
        key = SigningKey.objects.get(community_id=community_id, status=SigningKey.Status.ACTIVE)
    forget_public_keys(community_id)
    return key


def rotate(community_id: int) -> SigningKey:
    """New active key; the old active becomes previous (still verifies); the old previous retires.
    Runs inside the caller's transaction."""
    from django.utils import timezone

    SigningKey.objects.filter(community_id=community_id, status=SigningKey.Status.PREVIOUS).update(
        status=SigningKey.Status.RETIRED, retired_at=timezone.now()
    )
    SigningKey.objects.filter(community_id=community_id, status=SigningKey.Status.ACTIVE).update(
        status=SigningKey.Status.PREVIOUS
    )
    key = _new_key_row(community_id)
    key.save()
    # Forgetting is always safe (the next read reloads); after commit too, in case this
    # process re-read the old set while the transaction was still open.
    forget_public_keys(community_id)
    transaction.on_commit(lambda: forget_public_keys(community_id))
    return key


def active_signer(community_id: int) -> tuple[str, Ed25519PrivateKey]:
    key = ensure_signing_key(community_id)
    return key.kid, Ed25519PrivateKey.from_private_bytes(jws.b64url_decode(key.private_key))


def sign(community_id: int, claims: dict, typ: str = "JWT") -> str:
    kid, private = active_signer(community_id)
    return jws.sign(claims, private, kid, typ=typ)


def _published(community_id: int):
    return SigningKey.objects.filter(
        community_id=community_id, status__in=[SigningKey.Status.ACTIVE, SigningKey.Status.PREVIOUS]
    ).order_by("-id")


def public_keys(community_id: int) -> dict[str, Ed25519PublicKey]:
    now = time.monotonic()
    hit = _cache.get(community_id)
    if hit is not None and now - hit[0] < PUBLIC_KEY_TTL_SECONDS:
        return hit[1]
    keys = {kid: jws.load_public_x(x) for kid, x in _published(community_id).values_list("kid", "public_key")}
    with _cache_lock:
        _cache[community_id] = (now, keys)
    return keys


def forget_public_keys(community_id: int) -> None:
    with _cache_lock:
        _cache.pop(community_id, None)


def jwks(community_id: int) -> dict:
    return {"keys": [jws.jwk(kid, x) for kid, x in _published(community_id).values_list("kid", "public_key")]}
