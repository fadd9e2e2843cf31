"""Open311 API keys (WO-7): a manager creates one per client and community and may revoke it;
a POST of a request names its key, which is checked here and stamped as used."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, NotFound
from linli.core.permissions import require
from linli.core.roles import Action
from linli.workorders.models import ApiKey


@transaction.atomic
def do_create_api_key(*, actor: Actor, community_id: int, name: str) -> tuple[ApiKey, str]:
    """A new key and its raw value, which is shown this once and never stored."""
    require(actor, Action.WORKORDER_SETUP, community_id)
    raw = ApiKey.new_raw()
    key = ApiKey.objects.create(
        community_id=community_id,
        name=name.strip()[:60],
        key_hash=ApiKey.hash(raw),
        prefix=raw[:12],
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="open311_key_created",
        obj=key,
        community_id=community_id,
        after={"name": key.name, "prefix": key.prefix},
    )
    return key, raw


@transaction.atomic
def do_revoke_api_key(*, actor: Actor, key_id: int) -> ApiKey:
    key = ApiKey.objects.restrict(actor, Action.WORKORDER_SETUP).filter(pk=key_id).first()
    if key is None:
        raise NotFound()
    now = timezone.now()
    if not ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now):
        raise Conflict("key_revoked", _("该密钥已被吊销"))
    key.revoked_at = now
    audit.record(actor=actor, action="open311_key_revoked", obj=key, community_id=key.community_id)
    return key


def use_api_key(raw: str, community_id: int) -> ApiKey:
    """The live key of the community that `raw` is, stamped as used; else 403."""
    key = ApiKey.objects.filter(
        key_hash=ApiKey.hash(raw), community_id=community_id, revoked_at__isnull=True
    ).first()
    if key is None:
        raise Forbidden(_("api_key 无效或已被吊销"), code="invalid_api_key")
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
