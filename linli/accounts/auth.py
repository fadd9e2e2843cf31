"""Bearer-token auth for apps and integrations (the web uses the session)."""

from functools import cache

from django.db import connection
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from linli.accounts.models import ApiToken, User, hash_token
from linli.core import rawsql

TOKEN_PREFIX = "lnl_"


def token_row(raw: str) -> ApiToken | None:
    """The live token row for a raw bearer token, or None (malformed, unknown, revoked, expired,
    or its user deactivated)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    now = timezone.now()
    row = _live_token(hash_token(raw))
    if row is None or (row.expires_at and row.expires_at <= now):
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        # Throttled so that a busy client does not turn every read into a write.
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


@cache
def _token_sql() -> str:
    return f"""
        SELECT {rawsql.columns(ApiToken, "t")}, {rawsql.columns(User, "u")}
        FROM {rawsql.table(ApiToken)} t JOIN {rawsql.table(User)} u ON u.id = t.user_id
        WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s
    """


def _live_token(key_hash: str) -> ApiToken | None:
    """The unrevoked token with this hash, of an active user, with its user: in hand-written SQL
    (linli.core.rawsql), as every API request asks it first."""
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [key_hash, True])
        found = cursor.fetchone()
    if found is None:
        return None
    split = rawsql.width(ApiToken)
    token = rawsql.instance(ApiToken, found[:split])
    token.user = rawsql.instance(User, found[split:])
    return token


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
