"""Bearer-token auth for apps and integrations (the web uses the session)."""

from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from linli.accounts.models import ApiToken, hash_token

TOKEN_PREFIX = "lnl_"


def token_row(raw: str) -> ApiToken | None:
    """The live token row for a raw bearer token, or None (malformed, unknown, revoked, expired,
    or its user deactivated)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    now = timezone.now()
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None or (row.expires_at and row.expires_at <= now):
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        # Throttled so that a busy client does not turn every read into a write.
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def token_user(raw: str):
    """The user of a live bearer token, or None (for the event stream, outside Ninja)."""
    row = token_row(raw)
    return row.user if row else None


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        row = token_row(token.strip())
        if row is None:
            # A request that presents a bad token is refused outright; it does not fall back
            # to a session cookie that may ride along.
            raise AuthenticationError()
        request.user = row.user
        request.api_token = row
        return row.user
