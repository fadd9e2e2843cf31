"""Writing a community's signing keys: created on first use, rotated by an admin. Signing lives
here too, because the first signature creates the key it signs with. Reading the published keys
(JWKS, verification) stays in `linli.access.keys`."""

import secrets

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.access import jws
from linli.access.keys import forget_public_keys
from linli.access.models import SigningKey


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
