from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.restrict import RestrictedQuerySet, ScopePaths


class MonthlyReport(models.Model):
    """A month's report of one kind issued for a community by the monthly job: the row is the
    claim that makes the job deliver it once (a second run's insert fails on the constraint).
    The report itself is rendered from the month's daily figures when it is downloaded."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))  # its first day
    kind = models.CharField(_("报表"), max_length=20)
    issued_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("月度报表")
        constraints = [
            models.UniqueConstraint(fields=["community", "month", "kind"], name="monthly_report_once")
        ]
