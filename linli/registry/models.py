"""People and property (REG-1..REG-6). Personal data is encrypted; lookups use blind indexes."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField
from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.registry.choices import (
    AreaSource,
    CareKind,
    EndReason,
    Gender,
    HouseType,
    OrgKind,
    Relation,
    SpaceKind,
    VehicleKind,
)


class Building(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="buildings")
    name = models.CharField(_("楼栋"), max_length=40)
    floors = models.PositiveSmallIntegerField(_("层数"), default=1)
    # Position on the site plan (0..1000 grid), for the big screen and DASH-2.
    plan_x = models.PositiveSmallIntegerField(default=0)
    plan_y = models.PositiveSmallIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="pk")

    class Meta:
        verbose_name = _("楼栋")
        ordering = ["community_id", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="building_name_unique")]

    def __str__(self):
        return self.name

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(pk__in=House.objects.filter(pk__in=scope.house_ids).values("building_id"))


class Unit(Timestamped):
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("单元"), max_length=40)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="building__community", building="building")

    class Meta:
        verbose_name = _("单元")
        ordering = ["building_id", "id"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="unit_name_unique")]

    def __str__(self):
        return self.name

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(pk__in=House.objects.filter(pk__in=scope.house_ids).values("unit_id"))


class House(Timestamped):
    # Denormalised community/building so that scope filters need no joins on the hot paths.
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="houses")
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="houses")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="houses")
    number = models.CharField(_("房号"), max_length=20)
    floor = models.SmallIntegerField(_("楼层"))
    type = models.CharField(
        _("类型"), max_length=20, choices=HouseType.choices, default=HouseType.RESIDENTIAL
    )
    area = models.DecimalField(_("建筑面积(㎡)"), max_digits=9, decimal_places=2)
    area_source = models.CharField(
        _("面积来源"), max_length=20, choices=AreaSource.choices, default=AreaSource.REGISTRATION
    )
    # The developer's unsold or undelivered parts: they count once together in a vote's headcount.
    developer_held = models.BooleanField(_("开发商持有"), default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="building", resident="pk")

    class Meta:
        verbose_name = _("房屋")
        ordering = ["building_id", "unit_id", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="house_number_unique"),
            models.CheckConstraint(condition=Q(area__gt=0), name="house_area_positive"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return f"{self.building.name}-{self.unit.name}-{self.number}"


class Person(Timestamped):
    """A natural person known to one community. ID number unique per community (blind index)."""

    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("姓名"), max_length=60)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_number_bidx = models.CharField(max_length=32, null=True, blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_bidx = models.CharField(max_length=32, null=True, blank=True, db_index=True)
    # 户籍 in this community's district; people living here without it are floating population.
    hukou_local = models.BooleanField(_("本地户籍"), default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("人员")
        ordering = ["id"]
        indexes = [models.Index(fields=["community", "name"])]
        constraints = [
            models.UniqueConstraint(fields=["community", "id_number_bidx"], name="person_id_number_unique")
        ]

    def __str__(self):
        return self.name

    @classmethod
    def resident_scope_q(cls, scope):
        household = Occupancy.objects.active().filter(house_id__in=scope.house_ids).values("person_id")
        return Q(pk__in=household) | Q(pk__in=scope.person_ids)

    @classmethod
    def building_scope_q(cls, building_ids):
        return Q(pk__in=living_in(building_ids))


def living_in(building_ids):
    """Ids of the people living today in these buildings: what staff narrowed to buildings (a
    grid, a building) see of records that hang off a person (care tags, rules, alerts)."""
    return Occupancy.objects.active().filter(house__building_id__in=building_ids).values("person_id")


class OccupancyQuerySet(RestrictedQuerySet):
    def active(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(ended_at__isnull=True, valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class Occupancy(Timestamped):
    """A person's relation to a house for a period. Dates are inclusive, in local time.

    A tenant's (and a tenant's family's) rights are exactly this row being active: when
    valid_to passes, every right hung on it ends without anyone acting (REG-3).
    """

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="occupancies")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="occupancies")
    relation = models.CharField(_("关系"), max_length=20, choices=Relation.choices)
    lives_here = models.BooleanField(_("在此居住"), default=True)
    # A lease term: the tenant, not the owner, pays the fees billed to the occupant (billing).
    tenant_pays_fees = models.BooleanField(_("租客缴纳物业费"), default=False)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)
    # The occupancy this one depends on: a tenant's family ends with the tenant's lease.
    sponsor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="dependents"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=EndReason.choices, blank=True)

    objects = OccupancyQuerySet.as_manager()
    scope_paths = ScopePaths(community="house__community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("居住关系")
        ordering = ["house_id", "id"]
        indexes = [
            models.Index(fields=["person", "ended_at"]),
            models.Index(fields=["house", "ended_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="occupancy_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(relation="tenant") | Q(valid_to__isnull=False),
                name="tenant_has_lease_end",
            ),
        ]

    def is_active(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return (
            self.ended_at is None and self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)
        )


class Vehicle(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="vehicles")
    plate = EncryptedTextField(_("车牌号"))
    plate_bidx = models.CharField(max_length=32)
    kind = models.CharField(_("类型"), max_length=20, choices=VehicleKind.choices, default=VehicleKind.CAR)
    color = models.CharField(_("颜色"), max_length=20, blank=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vehicles")
    house = models.ForeignKey(
        House, null=True, blank=True, on_delete=models.SET_NULL, related_name="vehicles"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="house__building", resident="house")

    class Meta:
        verbose_name = _("车辆")
        constraints = [
            models.UniqueConstraint(fields=["community", "plate_bidx"], name="vehicle_plate_unique")
        ]


class ParkingSpace(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="parking_spaces")
    number = models.CharField(_("车位号"), max_length=20)
    kind = models.CharField(_("类型"), max_length=20, choices=SpaceKind.choices)
    area_name = models.CharField(_("区域"), max_length=40, blank=True)
    house = models.ForeignKey(House, null=True, blank=True, on_delete=models.SET_NULL, related_name="spaces")
    vehicle = models.ForeignKey(
        Vehicle, null=True, blank=True, on_delete=models.SET_NULL, related_name="spaces"
    )
    valid_to = models.DateField(_("租期至"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", resident="house")

    class Meta:
        verbose_name = _("车位")
        constraints = [models.UniqueConstraint(fields=["community", "number"], name="space_number_unique")]


class Organization(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="organizations")
    kind = models.CharField(_("类型"), max_length=30, choices=OrgKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)  # a business line, public
    house = models.ForeignKey(House, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("组织")

    @classmethod
    def resident_scope_q(cls, scope):
        return Q(community_id__in=scope.resident_community_ids)  # the yellow pages are public


class CareTag(Timestamped):
    """A consented care tag (REG-6). Without recorded consent there is no tag."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_tags")
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("关爱类型"), max_length=30, choices=CareKind.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    consent_at = models.DateTimeField(_("同意时间"))
    consent_by = models.CharField(_("同意人"), max_length=60)  # the person or their guardian
    consent_method = models.CharField(_("同意方式"), max_length=30)  # e.g. 书面, 现场口头, app
    emergency_contact = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("关爱标签")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(revoked_at__isnull=True),
                name="care_tag_unique_active",
            )
        ]

    @classmethod
    def building_scope_q(cls, building_ids):
        return Q(person_id__in=living_in(building_ids))
