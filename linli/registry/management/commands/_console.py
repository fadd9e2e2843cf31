"""What the registry console commands share: the community and the acting user by name."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from linli.core.models import Community


def community_by_code(code: str) -> Community:
    try:
        return Community.objects.get(code=code)
    except Community.DoesNotExist:
        raise CommandError(f"社区编码不存在：{code}") from None


def acting_user(username: str):
    """Console runs act as a named person, so the audit trail and PII log name them."""
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"用户不存在或已停用：{username}") from None
