"""Each community's Ed25519 signing keys: the active key signs passes and snapshots; the JWKS
publishes the active and the previous key, so passes issued before a rotation keep working.

Public keys are cached per process for a few seconds: a gate verifies thousands of QR codes a
minute and rotation is rare. Private keys are decrypted only to sign, in
`linli.access.services.signing_keys`, which also creates and rotates them; this module reads.
"""

import threading
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

from linli.access import jws
from linli.access.models import SigningKey

PUBLIC_KEY_TTL_SECONDS = 5.0
_cache: dict[int, tuple[float, dict[str, Ed25519PublicKey]]] = {}
_cache_lock = threading.Lock()


def issuer(community_id: int) -> str:
    """The `iss` of everything a community signs; its JWKS lives at issuer + "/jwks.json"."""
    return f"{settings.LINLI_PUBLIC_URL.rstrip('/')}/api/v1/communities/{community_id}"


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
