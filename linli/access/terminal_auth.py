"""How a terminal proves who it is (docs/terminals.md):

- bearer: `Authorization: Bearer lnt_…` (only its SHA-256 digest is stored), or
- signed request: `X-Linli-Terminal: <id>`, `X-Linli-Timestamp: <unix seconds>`,
  `X-Linli-Signature: base64url(Ed25519(METHOD \\n PATH?QUERY \\n TIMESTAMP \\n hex(SHA-256(body))))`
  with the key pair whose public half was registered for the terminal.

A revoked terminal is refused with `terminal_revoked`, and the attempt is a security event.
`authenticate` serves both the Ninja routes (TerminalAuth) and the decision fast path.
"""

import hashlib
import time
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security.http import HttpAuthBase

from linli.access import jws
from linli.access.choices import SecurityKind
from linli.access.decide import sql
from linli.access.models import Terminal
from linli.access.services.decisions import raise_security
from linli.accounts.models import hash_token
from linli.core.errors import ServiceError

MAX_CLOCK_SKEW_SECONDS = 60
LAST_SEEN_EVERY_SECONDS = 60


def signing_string(method: str, full_path: str, timestamp: str, body: bytes) -> bytes:
    return f"{method.upper()}\n{full_path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


def authenticate(header: Callable[[str], str], method: str, full_path: str, body: bytes) -> Terminal | None:
    """`header(name)` gives a request header ("" if absent). None when no credential matches."""
    if header("X-Linli-Signature"):
        return _accept(_signed(header, method, full_path, body))
    scheme, _sep, token = header("Authorization").partition(" ")
    if scheme.lower() != "bearer" or not token.startswith("lnt_") or len(token) > 100:
        return None
    return _accept(sql.terminal("token_hash", hash_token(token)))


def _signed(header, method: str, full_path: str, body: bytes) -> Terminal | None:
    terminal_id, stamp = header("X-Linli-Terminal"), header("X-Linli-Timestamp")
    if not terminal_id.isdigit() or not stamp.isdigit():
        return None
    if abs(time.time() - int(stamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise ServiceError("clock_skew", _("终端时钟偏差过大，请校时"), status=401)
    terminal = sql.terminal("id", int(terminal_id))
    if terminal is None or not terminal.public_key:
        return None
    try:
        signature = jws.b64url_decode(header("X-Linli-Signature"))
        jws.load_public_x(terminal.public_key).verify(
            signature, signing_string(method, full_path, stamp, body)
        )
    except (InvalidSignature, jws.JwsError, ValueError):
        return None
    return terminal


def _accept(terminal: Terminal | None) -> Terminal | None:
    if terminal is None:
        return None
    now = timezone.now()
    if terminal.revoked_at is not None:
        raise_security(terminal.community_id, terminal.point_id, SecurityKind.REVOKED_TERMINAL, "", now)
        raise ServiceError("terminal_revoked", _("该终端已注销，请联系物业"), status=401)
    if (
        terminal.last_seen_at is None
        or (now - terminal.last_seen_at).total_seconds() > LAST_SEEN_EVERY_SECONDS
    ):
        # Throttled so that a busy gate does not turn every decision into two writes.
        Terminal.objects.filter(pk=terminal.pk).update(last_seen_at=now)
    return terminal


class TerminalAuth(HttpAuthBase):
    """Ninja's view of `authenticate` (documented as bearer; signed requests work too)."""

    openapi_scheme = "bearer"

    def __call__(self, request):
        return authenticate(
            lambda name: request.headers.get(name, ""), request.method, request.get_full_path(), request.body
        )
