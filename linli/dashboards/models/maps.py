"""The site map (DASH-2): a community's plan, where its buildings, gates and devices sit on it,
and where each community sits on the street map. Positions are fractions of the plan (0..1 from
the left and from the top), so that they hold whatever size the plan is drawn at."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths


def _within_unit_square(prefix: str) -> list[models.CheckConstraint]:
    inside = Q(x__gte=0) & Q(x__lte=1) & Q(y__gte=0) & Q(y__lte=1)
    return [models.CheckConstraint(condition=inside, name=f"{prefix}_within_plan")]


class SitePlan(Timestamped):
    """The community's plan: an uploaded image (re-encoded, stored under VAR_DIR/media/dashboards/
    and served only to those who may read the map), a drawn outline, or both. `width` and
    `height` are the image's pixels, or the drawing's proportions when there is no image."""

    community = models.OneToOneField("core.Community", on_delete=models.CASCADE, related_name="+")
    image_path = models.CharField(max_length=200, blank=True)
    image_type = models.CharField(max_length=20, blank=True)
    width = models.PositiveIntegerField(_("宽"), default=1000)
    height = models.PositiveIntegerField(pgettext_lazy("size", "高"), default=700)
    # [[x, y], …] as fractions of the plan: the community's boundary, closed by the last point.
    outline = models.JSONField(_("轮廓"), default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("小区平面图")


class PinKind(models.TextChoices):
    BUILDING = "building", _("楼栋")
    ACCESS_POINT = "access_point", _("出入口")
    DEVICE = "device", _("设备")


class MapPin(Timestamped):
    """Where one building, access point or device sits on its community's plan. `object_id`
    names the row in its own app (registry, access, iot), which dashboards reads through their
    queries; a pin whose object is gone is simply not drawn."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=PinKind.choices)
    object_id = models.PositiveBigIntegerField()
    x = models.FloatField()
    y = models.FloatField()

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("平面图标注")
        constraints = [
            models.UniqueConstraint(fields=["community", "kind", "object_id"], name="map_pin_unique"),
            *_within_unit_square("map_pin"),
        ]


class StreetPin(Timestamped):
    """Where a community sits on the street map of its street office."""

    community = models.OneToOneField("core.Community", on_delete=models.CASCADE, related_name="+")
    x = models.FloatField()
    y = models.FloatField()

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("街道地图标注")
        constraints = _within_unit_square("street_pin")
