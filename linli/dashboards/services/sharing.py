"""Data sharing with city systems (SEC-4): issuing and revoking tokens, and serving a token's
calls, each one logged (`SharingCall`) whether it is served or refused.

A token reads only what it was given: its datasets, its communities, its finest level (a
coarser one may be read too), at its rate per minute. It never reads an arbitrary subset of its
communities: one of them, or all of them, and at the street level only streets it holds whole,
so that no two answers can be subtracted to isolate a community it was not given or a cell
that was hidden (docs/data-sharing.md)."""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User, hash_token
from linli.accounts.throttle import Limit, take_all
from linli.core import audit
from linli.core.errors import Conflict, Forbidden, NotFound, ServiceError
from linli.core.permissions import require
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.dashboards.models.sharing import LEVEL_ORDER, Level, SharingCall, SharingToken
from linli.dashboards.sharing_cells import read, streets_held
from linli.dashboards.sharing_datasets import DATASETS, schema

log = logging.getLogger("linli.dashboards.sharing")

KEY_PREFIX = "lns_"
MAX_RATE_PER_MINUTE = 600
MAX_DAYS = 366
DEFAULT_DAYS = 30
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Issued:
    token: SharingToken
    key: str  # shown once


@transaction.atomic
def do_issue_sharing_token(
    *,
    actor: User,
    community_id: int,
    name: str,
    datasets: list[str],
    community_ids: list[int],
    level: str,
    rate_per_minute: int,
) -> Issued:
    require(actor, Action.SHARING_MANAGE, community_id)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ServiceError("invalid_name", _("请填写接入系统名称（不超过60字）"), fields={"name": _("必填")})
    unknown = sorted(set(datasets) - set(DATASETS))
    if not datasets or unknown:
        raise ServiceError(
            "invalid_datasets", _("请至少选择一个数据集"), fields={"datasets": ", ".join(unknown)}
        )
    if level not in Level.values:
        raise ServiceError("invalid_level", _("层级无效"), fields={"level": level})
    if not 1 <= rate_per_minute <= MAX_RATE_PER_MINUTE:
        raise ServiceError(
            "invalid_rate",
            _("每分钟调用上限应为1到%(max)d") % {"max": MAX_RATE_PER_MINUTE},
            fields={"rate_per_minute": str(rate_per_minute)},
        )
    scope = scope_of(actor)
    # Only communities whose data the actor may share as a whole: a role narrowed to a
    # building cannot give a city system a community's figures.
    outside = [c for c in set(community_ids) if not scope.covers_community(Action.SHARING_MANAGE, c)]
    if not community_ids or outside:
        raise Forbidden(_("只能共享您有权管理数据共享的社区"), code="community_not_yours")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = SharingToken.objects.create(
        community_id=community_id,
        name=name,
        prefix=key[:12],
        key_hash=hash_token(key),
        datasets=sorted(set(datasets)),
        level=level,
        rate_per_minute=rate_per_minute,
        created_by=actor,
    )
    token.communities.set(set(community_ids))
    audit.record(
        actor=actor,
        action="dashboards.sharing_token_issued",
        obj=token,
        community_id=community_id,
        after={
            "name": name,
            "datasets": token.datasets,
            "level": level,
            "communities": sorted(set(community_ids)),
        },
    )
    return Issued(token, key)


@transaction.atomic
def do_revoke_sharing_token(*, actor: User, community_id: int, token_id: int) -> SharingToken:
    """Revokes at once: the next call with the key is refused (`token_revoked`)."""
    require(actor, Action.SHARING_MANAGE, community_id)
    found = SharingToken.objects.restrict(actor, Action.SHARING_MANAGE).filter(
        pk=token_id, community_id=community_id
    )
    if not found.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=actor):
        if not found.exists():
            raise NotFound()
        raise Conflict("token_already_revoked", _("该令牌已吊销"))
    token = found.get()
    audit.record(actor=actor, action="dashboards.sharing_token_revoked", obj=token, community_id=community_id)
    return token


# --- serving a city system's calls -----------------------------------------------------------------


class Refused(ServiceError):
    status = 403


def serve_catalogue(key: str) -> dict:
    """`GET /sharing/datasets`: what the token may read, with each dataset's schema."""

    def work(token: SharingToken, _call: SharingCall) -> dict:
        return {
            "name": token.name,
            "level": token.level,
            "rate_per_minute": token.rate_per_minute,
            "communities": list(token.communities.order_by("id").values("id", "name", "district", "street")),
            "datasets": [schema(DATASETS[d], token.level) for d in token.datasets if d in DATASETS],
        }

    return _serve(key, SharingCall(), work)


def serve_dataset(
    key: str, dataset: str, level: str, community: str, since: date | None, until: date | None
) -> dict:
    """`GET /sharing/datasets/{dataset}`: the dataset's cells at `level`, suppressed."""
    params = {"level": level, "community": community, "since": str(since or ""), "until": str(until or "")}

    def work(token: SharingToken, call: SharingCall) -> dict:
        found = DATASETS.get(dataset)
        if found is None or dataset not in token.datasets:
            raise Refused(
                "dataset_not_granted", _("该令牌无权读取此数据集"), fields={"dataset": dataset[:40]}
            )
        chosen = level or token.level
        call.level = chosen[:10]
        if chosen not in Level.values:
            raise ServiceError("invalid_level", _("层级无效"), fields={"level": chosen[:40]})
        if LEVEL_ORDER.index(chosen) > LEVEL_ORDER.index(token.level):
            raise Refused("level_not_granted", _("该令牌无权读取这么细的层级"), fields={"level": chosen})
        if LEVEL_ORDER.index(chosen) > LEVEL_ORDER.index(found.finest):
            raise ServiceError("level_not_available", _("该数据集没有这一层级"), fields={"level": chosen})
        granted = set(token.communities.values_list("id", flat=True))
        one = _community(community, granted)
        if chosen == Level.STREET and one is not None and not streets_held(granted, one):
            raise Refused(
                "street_not_granted", _("该令牌未获得此街道全部社区的授权"), fields={"community": community}
            )
        start, end = _period(since, until)
        answer = read(found, granted, chosen, one, start, end)
        call.withheld = answer.withheld
        return answer.body

    return _serve(key, SharingCall(dataset=dataset[:20], params=params), work)


def _community(text: str, granted: set[int]) -> int | None:
    """One of the token's communities, or None for all of them. A list of some of them is an
    arbitrary subset: refused, since all of them minus some is the others (differencing)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise Refused(
            "subset_not_served", _("只能查询令牌的全部社区或其中一个社区"), fields={"community": text[:40]}
        )
    if int(text) not in granted:
        raise Refused("community_not_granted", _("该令牌无权读取此社区"), fields={"community": text[:40]})
    return int(text)


def _period(since: date | None, until: date | None) -> tuple[date, date]:
    until = until or timezone.localdate()
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until or (until - since).days >= MAX_DAYS:
        raise ServiceError(
            "invalid_period",
            _("起止日期无效（起始不晚于结束，跨度不超过%(days)d天）") % {"days": MAX_DAYS},
            fields={"since": str(since), "until": str(until)},
        )
    return since, until


def _token(key: str, call: SharingCall) -> SharingToken:
    key = key.strip()
    found = None
    if key.startswith(KEY_PREFIX) and len(key) <= 100:
        found = SharingToken.objects.select_related("created_by").filter(key_hash=hash_token(key)).first()
    if found is None:
        raise ServiceError("invalid_token", _("数据共享令牌无效"), status=401)
    call.token = found
    if found.revoked_at is not None:
        raise ServiceError("token_revoked", _("该数据共享令牌已吊销"), status=401)
    if not _issuer_still_shares(found):
        raise ServiceError("token_lapsed", _("签发该令牌的人员已无权共享其中的社区数据"), status=401)
    return found


def _issuer_still_shares(token: SharingToken) -> bool:
    """A token is worth no more than its issuer's sharing.manage today, over every community it
    was given: all or nothing, since serving fewer communities under the same key would let two
    answers (before and after) be subtracted."""
    issuer = token.created_by
    if issuer is None or not issuer.is_active:
        return False
    scope = scope_of(issuer)
    given = token.communities.values_list("id", flat=True)
    return all(scope.covers_community(Action.SHARING_MANAGE, c) for c in given)


def _serve(key: str, call: SharingCall, work: Callable[[SharingToken, SharingCall], dict]) -> dict:
    """Resolves the key, counts the call against the token's rate, does the work, and logs the
    call: served, or refused with the refusal's code (the row is written either way; nothing
    else was). A key that is no token is logged only, so that guessing keys cannot fill the table."""
    try:
        token = _token(key, call)
        take_all([(Limit("sharing", token.rate_per_minute, timedelta(minutes=1)), str(token.pk))])
        body = work(token, call)
    except ServiceError as refusal:
        if call.token_id is None:
            log.warning("sharing: a key that is no token was refused (%s)", key.strip()[:8])
            raise
        call.status, call.refused = refusal.status, refusal.code
        call.save()
        raise
    call.status = 200
    call.save()
    # Written at most once a minute, decided on the row already read, so that a busy city system
    # does not turn each read into a write.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        SharingToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return body
