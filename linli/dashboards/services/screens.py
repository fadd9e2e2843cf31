"""Writes of the big screen's kiosk tokens: issue one (the token is returned once, only its hash
is kept) and revoke one (at once: every request and open stream checks the row)."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import hash_token
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import ServiceError
from linli.core.models import Community
from linli.core.permissions import require
from linli.core.roles import Action
from linli.dashboards.models import ScreenToken

LABEL_MAX: int = ScreenToken._meta.get_field("label").max_length or 60


def _snapshot(token: ScreenToken) -> dict:
    # Never the hash: the audit trail names the token by id and label.
    return {"label": token.label, "street": token.street, "revoked_at": token.revoked_at}


@transaction.atomic
def do_issue_screen_token(
    *, actor: Actor, community: Community, label: str, street: bool = False
) -> tuple[ScreenToken, str]:
    """(the token's row, the token itself): the caller shows the token once, in the kiosk URL."""
    require(actor, Action.SCREEN_MANAGE, community.pk)
    label = (label or "").strip()
    if not label:
        raise ServiceError("label_required", _("请填写大屏名称"), fields={"label": _("必填")})
    if len(label) > LABEL_MAX:
        raise ServiceError(
            "label_too_long", _("大屏名称过长"), fields={"label": _("最多 %(n)s 个字符") % {"n": LABEL_MAX}}
        )
    if street and not community.street.strip():
        raise ServiceError(
            "no_street", _("本社区未设置所属街道，无法签发街道大屏令牌"), fields={"street": _("未设置街道")}
        )
    raw = secrets.token_urlsafe(32)
    token = ScreenToken.objects.create(
        community=community, street=street, label=label, token_hash=hash_token(raw), created_by=actor
    )
    audit.record(
        actor=actor,
        action="screen_token_issued",
        obj=token,
        community_id=community.pk,
        after=_snapshot(token),
    )
    return token, raw


@transaction.atomic
def do_revoke_screen_token(*, actor: Actor, token: ScreenToken) -> ScreenToken:
    """Revoking twice is harmless."""
    require(actor, Action.SCREEN_MANAGE, token.community_id)
    before = _snapshot(token)
    now = timezone.now()
    if ScreenToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
        audit.record_change(
            actor=actor,
            obj=token,
            community_id=token.community_id,
            before=before,
            snapshot=_snapshot,
            action="screen_token_revoked",
        )
    return token
