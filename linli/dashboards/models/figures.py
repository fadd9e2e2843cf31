from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.restrict import RestrictedQuerySet, ScopePaths


class DailyFigure(models.Model):
    """One number about one community on one day, written by the daily job (`services/daily_figures.py`): what
    the government view, reports and data sharing read, so that none of them scans events.

    `metric` is a key of `metrics.METRICS`; `part` narrows it: "" is the whole community,
    "building:<id>" one building, "<dimension>:<value>" a breakdown (category, severity, band)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    metric = models.CharField(_("指标"), max_length=40)
    part = models.CharField(_("分项"), max_length=80, blank=True, default="")
    value = models.BigIntegerField(_("数值"))

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("每日指标")
        constraints = [
            models.UniqueConstraint(fields=["community", "day", "metric", "part"], name="daily_figure_unique")
        ]
        indexes = [
            models.Index(fields=["metric", "day", "community"]),
            # The government view's reads across communities name the part ("" the whole
            # community, "severity:" the breakdown) and want the value: a covering index reads
            # exactly those rows, not every building's of the same metric (bench/dashboards_gov.py).
            models.Index(fields=["metric", "part", "day", "community", "value"], name="daily_figure_part"),
        ]
