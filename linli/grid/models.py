from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths


class Grid(Timestamped):
    """A governance grid (网格): a set of buildings with grid workers assigned (GRID-1)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="grids")
    name = models.CharField(_("网格名称"), max_length=60)
    buildings = models.ManyToManyField("registry.Building", related_name="grids", blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("网格")
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="grid_name_unique")]

    def __str__(self):
        return self.name
