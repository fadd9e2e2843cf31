"""QR tokens: visitor passes (ACC-4) and residents' dynamic QR codes, both compact JWS signed
with the community's Ed25519 key, so any gate can verify them offline with the JWKS.

Claims (RFC 7519 names where one exists):
    iss  the community's issuer URL (its JWKS is at iss + "/jwks.json")
    sub  the pass id, or for kind "resident" the person id (as a string)
    jti  unique id; nbf, exp, iat  NumericDate seconds
    kind "pass" | "resident"
    gates  point ids the pass opens (passes only); max_uses  its use count (passes only)
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from linli.access import jws, keys, rights
from linli.access.models import VisitorPass
from linli.access.services import signing_keys

RESIDENT_QR_SECONDS = 60
CLOCK_LEEWAY_SECONDS = 5  # a gate's clock a few seconds behind the phone's must not refuse


def _ts(at: datetime) -> int:
    return int(at.timestamp())


def source_ended(visitor_pass: VisitorPass, now: datetime | None = None) -> str:
    """Why the pass ended with its source (pass_host_left, pass_issuer_left), or "". Read from
    the row once materialised, from the `ended_now` annotation of list queries, else asked."""
    if visitor_pass.revoke_reason:
        return visitor_pass.revoke_reason
    if visitor_pass.revoked_at is not None:
        return ""  # revoked by someone: that is its reason
    ended = getattr(visitor_pass, "ended_now", None)
    if ended is None:
        today = timezone.localdate(now or timezone.now())
        ended = (
            VisitorPass.objects.filter(pk=visitor_pass.pk)
            .annotate(ended=rights.pass_ended(today))
            .values_list("ended", flat=True)
            .first()
        )
        visitor_pass.ended_now = ended  # status, reason and message of one answer ask it once
    return ended or ""


def status(visitor_pass: VisitorPass, now: datetime | None = None) -> str:
    """valid | not_yet_valid | expired | used_up | revoked | ended (its host moved out or its
    issuer left: see source_ended for which), for lists and the share page."""
    now = now or timezone.now()
    if visitor_pass.revoked_at and not visitor_pass.revoke_reason:
        return "revoked"
    # The order of the gate's checks: expiry (in the token), revocation, source, uses.
    if visitor_pass.valid_until <= now:
        return "expired"
    if source_ended(visitor_pass, now):
        return "ended"
    if visitor_pass.uses >= visitor_pass.max_uses:
        return "used_up"
    return "not_yet_valid" if visitor_pass.valid_from > now else "valid"


def pass_claims(visitor_pass: VisitorPass, gate_ids: list[int]) -> dict:
    return {
        "iss": keys.issuer(visitor_pass.community_id),
        "sub": str(visitor_pass.pk),
        "jti": visitor_pass.jti,
        "nbf": _ts(visitor_pass.valid_from),
        "exp": _ts(visitor_pass.valid_until),
        "iat": _ts(visitor_pass.created_at),
        "kind": "pass",
        "gates": sorted(gate_ids),
        "max_uses": visitor_pass.max_uses,
    }


def pass_token(visitor_pass: VisitorPass) -> str:
    """Re-derivable at any time from the row (Ed25519 signatures are deterministic), so the
    token itself is never stored; after a key rotation the link simply carries a new signature."""
    gate_ids = list(visitor_pass.gates.values_list("pk", flat=True))
    return signing_keys.sign(visitor_pass.community_id, pass_claims(visitor_pass, gate_ids))


def resident_token(community_id: int, person_id: int, now: datetime) -> tuple[str, datetime]:
    expires = now + timedelta(seconds=RESIDENT_QR_SECONDS)
    claims = {
        "iss": keys.issuer(community_id),
        "sub": str(person_id),
        "jti": secrets.token_hex(8),
        "nbf": _ts(now) - CLOCK_LEEWAY_SECONDS,
        "exp": _ts(expires),
        "iat": _ts(now),
        "kind": "resident",
    }
    return signing_keys.sign(community_id, claims), expires


@dataclass(frozen=True)
class Verified:
    kind: str  # "pass" or "resident"
    subject_id: int
    claims: dict


def check_claims(claims: dict, issuer: str, now: datetime) -> Verified:
    """The checks after the signature; shared with the terminal simulator's offline path."""
    if claims.get("iss") != issuer:
        raise jws.JwsError("pass_other_community")
    kind, sub, exp, nbf = claims.get("kind"), claims.get("sub"), claims.get("exp"), claims.get("nbf", 0)
    if kind not in ("pass", "resident") or not isinstance(sub, str) or not sub.isdigit():
        raise jws.JwsError("pass_malformed")
    if not isinstance(exp, int | float) or not isinstance(nbf, int | float):
        raise jws.JwsError("pass_malformed")
    stamp = now.timestamp()
    if stamp >= exp:
        raise jws.JwsError("pass_expired")
    if stamp + CLOCK_LEEWAY_SECONDS < nbf:
        raise jws.JwsError("pass_not_yet_valid")
    return Verified(kind=kind, subject_id=int(sub), claims=claims)


def verify_qr(token: str, community_id: int, now: datetime) -> Verified:
    """Raises jws.JwsError with a distinct pass_* code for each way a token can be wrong."""
    issuer = keys.issuer(community_id)
    _header, unverified = jws.peek(token)
    if unverified.get("iss") != issuer:
        # Refused before touching keys: a pass of another community names another issuer.
        raise jws.JwsError("pass_other_community")
    try:
        _header, claims = jws.verify(token, keys.public_keys(community_id))
    except jws.JwsError as exc:
        if exc.code != "pass_unknown_key":
            raise
        keys.forget_public_keys(community_id)  # rotated in another process a moment ago?
        _header, claims = jws.verify(token, keys.public_keys(community_id))
    return check_claims(claims, issuer, now)
