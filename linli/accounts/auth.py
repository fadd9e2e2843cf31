"""Bearer-token auth for apps and integrations (the web uses the session)."""

from django.utils import timezone
from ninja.security import HttpBearer

from linli.accounts.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        if not token.startswith("lnl_") or len(token) > 100:
            return None
        now = timezone.now()
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None or (row.expires_at and row.expires_at <= now):
            return None
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            # Throttled so that a busy client does not turn every read into a write.
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user
