"""Recommendations (ENG-7), the writes: a household's consent (any member living there opts the
household in or withdraws; each opt-in is a row with who and when, a withdrawal stamps it),
"不感兴趣" per household and rule (remembered), and the rules staff holding services.manage edit.
What is recommended is computed by `linli.services.queries.recommendations`."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, NotFound
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry import queries as registry_queries
from linli.services.models import RecommendationConsent, RecommendationDismissal, RecommendationRule


def _my_house(actor: Actor, house_id: int):
    house = registry_queries.my_houses(actor).filter(pk=house_id).first()
    if house is None:
        raise NotFound()
    return house


@transaction.atomic
def do_opt_in(*, actor: Actor, house_id: int) -> RecommendationConsent:
    """Refused: not_found (not the actor's home), already_opted_in."""
    house = _my_house(actor, house_id)
    try:
        with transaction.atomic():
            consent = RecommendationConsent.objects.create(
                community_id=house.community_id, house=house, given_by=actor, given_at=timezone.now()
            )
    except IntegrityError:
        raise Conflict("already_opted_in", _("您家已开启个性化推荐")) from None
    audit.record(
        actor=actor, action="services.recommendations_opted_in", obj=consent, community_id=house.community_id
    )
    return consent


@transaction.atomic
def do_withdraw_consent(*, actor: Actor, house_id: int) -> None:
    """From now on nothing is computed for the household. Refused: not_found, not_opted_in."""
    house = _my_house(actor, house_id)
    live = RecommendationConsent.objects.filter(house=house, withdrawn_at__isnull=True)
    consent = live.first()
    if consent is None or not live.update(withdrawn_at=timezone.now(), withdrawn_by=actor):
        raise Conflict("not_opted_in", _("您家未开启个性化推荐"))
    audit.record(
        actor=actor, action="services.recommendations_withdrawn", obj=consent, community_id=house.community_id
    )


@transaction.atomic
def do_dismiss(*, actor: Actor, house_id: int, rule_id: int) -> RecommendationDismissal:
    """不感兴趣: the rule is not shown to this household again (asking twice is harmless)."""
    house = _my_house(actor, house_id)
    rule = RecommendationRule.objects.filter(pk=rule_id, community_id=house.community_id).first()
    if rule is None:
        raise NotFound()
    dismissal, created = RecommendationDismissal.objects.get_or_create(
        house=house, rule=rule, defaults={"dismissed_by": actor}
    )
    if created:
        audit.record(
            actor=actor,
            action="services.recommendation_dismissed",
            obj=rule,
            community_id=house.community_id,
            after={"house_id": house.pk},
        )
    return dismissal


@transaction.atomic
def do_create_rule(
    *, actor: Actor, community_id: int, condition: str, category: str, reason: str
) -> RecommendationRule:
    require(actor, Action.SERVICES_MANAGE, community_id)
    rule = RecommendationRule.objects.create(
        community_id=community_id, condition=condition, category=category, reason=reason.strip()
    )
    audit.record(actor=actor, action="services.rule_created", obj=rule, community_id=community_id)
    return rule


def _snapshot(rule: RecommendationRule) -> dict:
    return {
        "condition": rule.condition,
        "category": rule.category,
        "reason": rule.reason,
        "active": rule.active,
    }


@transaction.atomic
def do_update_rule(*, actor: Actor, rule: RecommendationRule, **changes) -> RecommendationRule:
    """`changes`: any of condition, category, reason, active."""
    require(actor, Action.SERVICES_MANAGE, rule.community_id)
    before = _snapshot(rule)
    if "reason" in changes:
        changes["reason"] = changes["reason"].strip()
    RecommendationRule.objects.filter(pk=rule.pk).update(**changes, updated_at=timezone.now())
    rule.refresh_from_db()
    audit.record_change(
        actor=actor, obj=rule, community_id=rule.community_id, before=before, snapshot=_snapshot
    )
    return rule
