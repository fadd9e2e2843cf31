"""How a terminal proves who it is (docs/terminals.md):

- bearer: `Authorization: Bearer lnt_…` (only its SHA-256 digest is stored), or
- signed request: `X-Linli-Terminal: <id>`, `X-Linli-Timestamp: <unix seconds>`,
  `X-Linli-Signature: base64url(Ed25519(METHOD \\n PATH?QUERY \\n TIMESTAMP \\n hex(SHA-256(body))))`
  with the key pair whose public half was registered for the terminal.

A revoked terminal is refused with `terminal_revoked`, and the attempt is a security event.
"""

import hashlib
import time

from cryptography.exceptions import InvalidSignature
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from linli.access import jws
from linli.access.choices import SecurityKind
from linli.access.models import Terminal
from linli.accounts.models import hash_token
from linli.core.errors import ServiceError

MAX_CLOCK_SKEW_SECONDS = 60
LAST_SEEN_EVERY_SECONDS = 60


def signing_string(method: str, full_path: str, timestamp: str, body: bytes) -> bytes:
    return f"{method.upper()}\n{full_path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


class TerminalAuth(HttpBearer):
    openapi_scheme = "bearer"

    def __call__(self, request):
        if request.headers.get("X-Linli-Signature"):
            return self._signed(request)
        return super().__call__(request)

    def authenticate(self, request, token: str):
        if not token.startswith("lnt_") or len(token) > 100:
            return None
        terminal = Terminal.objects.select_related("point").filter(token_hash=hash_token(token)).first()
        return self._accept(terminal)

    def _signed(self, request):
        terminal_id = request.headers.get("X-Linli-Terminal", "")
        stamp = request.headers.get("X-Linli-Timestamp", "")
        if not terminal_id.isdigit() or not stamp.isdigit():
            return None
        if abs(time.time() - int(stamp)) > MAX_CLOCK_SKEW_SECONDS:
            raise ServiceError("clock_skew", _("终端时钟偏差过大，请校时"), status=401)
        terminal = (
            Terminal.objects.select_related("point")
            .filter(pk=int(terminal_id))
            .exclude(public_key="")
            .first()
        )
        if terminal is None:
            return None
        message = signing_string(request.method, request.get_full_path(), stamp, request.body)
        try:
            signature = jws.b64url_decode(request.headers["X-Linli-Signature"])
            jws.load_public_x(terminal.public_key).verify(signature, message)
        except (InvalidSignature, jws.JwsError, ValueError):
            return None
        return self._accept(terminal)

    def _accept(self, terminal: Terminal | None):
        if terminal is None:
            return None
        now = timezone.now()
        if terminal.revoked_at is not None:
            from linli.access.services.decisions import raise_security

            raise_security(terminal.community_id, terminal.point_id, SecurityKind.REVOKED_TERMINAL, "", now)
            raise ServiceError("terminal_revoked", _("该终端已注销，请联系物业"), status=401)
        if (
            terminal.last_seen_at is None
            or (now - terminal.last_seen_at).total_seconds() > LAST_SEEN_EVERY_SECONDS
        ):
            # Throttled so that a busy gate does not turn every decision into two writes.
            Terminal.objects.filter(pk=terminal.pk).update(last_seen_at=now)
        return terminal
