"""Smart fitness equipment (SVC-2): a person's consent to have their uses recorded, and the uses
recorded under it. Everyone's uses are counted by the machines themselves (IoT telemetry `uses`,
nobody named); a person's own only while they consent, and withdrawing erases them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths

__all__ = ["FitnessConsent", "FitnessUse"]


class FitnessConsent(Timestamped):
    """A resident's own "记录我的健身数据", withdrawn by setting `withdrawn_at` (a later consent is
    a new row, so the history of consent stays)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("健身记录授权")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(withdrawn_at__isnull=True), name="services_one_fitness_consent"
            )
        ]

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(person_id__in=scope.person_ids)


class FitnessUse(models.Model):
    """A consenting person's use of a machine (a card held to its reader)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("健身记录")
        indexes = [models.Index(fields=["person", "at"])]

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(person_id__in=scope.person_ids)
