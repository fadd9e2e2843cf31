"""Health links (SVC-2) and recommendations (ENG-7): a household's consent, the staff's rules
and the household's "not interested"."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.services.choices import Category, Condition

__all__ = ["HealthLink", "RecommendationConsent", "RecommendationDismissal", "RecommendationRule"]


class HealthLink(Timestamped):
    """A clinic's appointment page (https only), listed for the community's residents."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=60)
    url = models.CharField(_("预约网址"), max_length=300)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("健康服务链接")
        ordering = ["order", "id"]

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids)


class RecommendationConsent(Timestamped):
    """A household's opt-in: who, when; withdrawn by setting `withdrawn_at` (a later opt-in is
    a new row, so the history of consent stays)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    house = models.ForeignKey("registry.House", on_delete=models.CASCADE, related_name="+")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["house"], condition=Q(withdrawn_at__isnull=True), name="services_one_live_consent"
            )
        ]


class RecommendationRule(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    condition = models.CharField(_("条件"), max_length=30, choices=Condition.choices)
    category = models.CharField(_("推荐服务类别"), max_length=30, choices=Category.choices)
    reason = models.CharField(_("推荐理由"), max_length=100)  # shown to the household as is
    active = models.BooleanField(_("启用"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("推荐规则")
        ordering = ["id"]


class RecommendationDismissal(Timestamped):
    """ "不感兴趣": this household is not shown this rule again."""

    house = models.ForeignKey("registry.House", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(RecommendationRule, on_delete=models.CASCADE, related_name="dismissals")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["house", "rule"], name="services_dismiss_once")]
