"""Who may look at a big screen, and which communities it then shows.

Two ways in: staff signed in to the console whose stats.view covers the community (a street
screen shows each community of the street they may read, and leaves the others out), or a kiosk
with a screen token (`ScreenToken`). A token opens exactly the screen it was issued for, and shows
no more than its issuer may read with stats.view when it is used: an issuer who lost that role
silences their tokens. Every refusal of a token is logged: a token we know of in the audit trail
(tamper-evident, with the community it was tried on), an unknown one in the log only, so that
guessing tokens cannot fill the audit trail.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import hash_token
from linli.core import audit
from linli.core.errors import ServiceError
from linli.core.models import Community
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.dashboards.models import ScreenToken

log = logging.getLogger("linli.dashboards.screen")

# last_used_at is written at most this often per token (a screen refreshes every few seconds).
TOUCH_EVERY = timedelta(minutes=1)

REFUSALS = {
    "screen_token_invalid": _("大屏令牌无效"),
    "screen_token_revoked": _("大屏令牌已被吊销"),
    "screen_token_wrong_screen": _("该令牌不能用于此大屏"),
    "screen_token_lapsed": _("签发该令牌的人员已无权查看此社区的统计数据"),
}


class ScreenRefused(ServiceError):
    status = 403

    def __init__(self, code: str):
        super().__init__(code, REFUSALS[code])


def screen_not_found() -> ServiceError:
    return ServiceError("screen_not_found", _("大屏不存在或您无权查看"), status=404)


@dataclass(frozen=True)
class ScreenReach:
    """What one screen shows and on whose authority: `community` is the screen's own (the URL's),
    `community_ids` what it shows (itself, or the street's communities its reader may read)."""

    community: Community
    street: bool
    community_ids: tuple[int, ...]
    reader_id: int  # the viewer, or the token's issuer: whose stats.view bounds the screen
    token_id: int | None = None


def readable(user, community_ids) -> list[int]:
    """Those of `community_ids` whose whole figures the user may read (stats.view over the
    whole community, as dashboards.queries.stats_communities decides)."""
    if not user.is_active:
        return []
    scope = scope_of(user)
    if scope.is_operator:
        return list(community_ids)
    allowed = scope.communities_for(Action.STATS_VIEW)
    return [c for c in community_ids if c in allowed]


def street_of(community: Community) -> list[int]:
    """The communities of the community's street (same district and street), itself first."""
    if not community.street.strip():
        return []
    others = Community.objects.filter(district=community.district, street=community.street).exclude(
        pk=community.pk
    )
    return [community.pk, *others.order_by("id").values_list("id", flat=True)]


def _shown(user, community: Community, street: bool) -> tuple[int, ...] | None:
    """The communities the screen shows to `user`, or None when it may not see this screen."""
    if not readable(user, [community.pk]):
        return None
    if not street:
        return (community.pk,)
    members = street_of(community)
    return tuple(readable(user, members)) if members else None


def reach_of_user(user, community_id: int, street: bool) -> ScreenReach:
    """A signed-in viewer's screen; anything they may not read is not found (as console pages)."""
    community = Community.objects.filter(pk=community_id).first()
    shown = _shown(user, community, street) if community is not None else None
    if community is None or shown is None:
        raise screen_not_found()
    return ScreenReach(community, street, shown, reader_id=user.pk)


def reach_of_token(raw: str, community_id: int, street: bool) -> ScreenReach:
    token = ScreenToken.objects.select_related("community", "created_by").filter(token_hash=hash_token(raw))
    found = token.first()
    if found is None:
        log.warning(
            "screen: unknown token refused for %s %s", "street" if street else "community", community_id
        )
        raise ScreenRefused("screen_token_invalid")
    shown = _check(found, community_id, street)
    _touch(found)
    return ScreenReach(found.community, street, shown, reader_id=found.created_by_id, token_id=found.pk)


def recheck(reach: ScreenReach) -> bool:
    """Whether a screen opened earlier may still be shown (an open stream asks now and then):
    the token not revoked, the reader still allowed."""
    try:
        if reach.token_id is not None:
            token = ScreenToken.objects.select_related("community", "created_by").get(pk=reach.token_id)
            _check(token, reach.community.pk, reach.street)
        else:
            user = get_user_model().objects.filter(pk=reach.reader_id).first()
            if user is None or _shown(user, reach.community, reach.street) is None:
                return False
    except ScreenRefused:
        return False
    return True


def _check(token: ScreenToken, community_id: int, street: bool) -> tuple[int, ...]:
    if token.revoked_at is not None:
        _refuse(token, "screen_token_revoked", community_id, street)
    if token.community_id != community_id or token.street != street:
        _refuse(token, "screen_token_wrong_screen", community_id, street)
    shown = _shown(token.created_by, token.community, street)
    if shown is None:
        _refuse(token, "screen_token_lapsed", community_id, street)
    return shown


def _refuse(token: ScreenToken, code: str, community_id: int, street: bool) -> NoReturn:
    log.warning(
        "screen: token %s refused for %s %s: %s",
        token.pk,
        "street" if street else "community",
        community_id,
        code,
    )
    with transaction.atomic():
        audit.record(
            actor=None,
            action="screen_token_refused",
            obj=token,
            community_id=token.community_id,
            after={"reason": code, "screen_community": community_id, "street": street},
        )
    raise ScreenRefused(code)


def _touch(token: ScreenToken) -> None:
    """At most once a minute, decided on the row already read: on SQLite even an UPDATE that
    matches nothing takes the write lock, and a screen reads every 30 s (as accounts' token_row)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    ScreenToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)


def tokens_of(user, community_id: int):
    """The community's kiosk tokens, for whoever may issue and revoke them."""
    return ScreenToken.objects.restrict(user, Action.SCREEN_MANAGE).filter(community_id=community_id)
