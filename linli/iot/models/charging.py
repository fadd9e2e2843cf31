"""Chargers (PARK-3): the ports of e-bike chargers (MQTT) and the connectors of car chargers
(OCPP 1.6J), the charging sessions on them, and what a community charges for charging.

A session belongs to a house: that is who pays. Its money is worked out when it ends and
recorded on the session; the day's sessions of a house become one bill in `linli/billing`
when the community has chosen the fee item to bill them under (services/charging_bills.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.core.restrict import RestrictedQuerySet, ScopePaths
from linli.iot.choices import SESSION_OPEN, PortState, SessionStatus, StartedVia, StopReason


class Tariff(Timestamped):
    community = models.OneToOneField("core.Community", on_delete=models.CASCADE, related_name="+")
    ebike_fen_per_hour = models.PositiveIntegerField(_("电动自行车每小时(分)"), default=100)
    # "Until full" is this long at most: a charger never runs unattended all night and day.
    ebike_max_minutes = models.PositiveSmallIntegerField(_("电动自行车最长时长(分钟)"), default=480)
    car_fen_per_kwh = models.PositiveIntegerField(_("汽车每千瓦时(分)"), default=150)
    # Set by staff who may issue bills; the nightly run issues the day's bills as them.
    fee_item = models.ForeignKey(
        "billing.FeeItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    billed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community")

    class Meta:
        verbose_name = _("充电收费标准")


class ChargerPort(models.Model):
    """An e-bike charger's port or a car charger's connector, as the charger last reported it."""

    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="ports")
    number = models.PositiveSmallIntegerField(_("端口"))
    state = models.CharField(max_length=10, choices=PortState.choices, default=PortState.FREE)
    power_w = models.FloatField(default=0)
    updated_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["device_id", "number"]
        constraints = [models.UniqueConstraint(fields=["device", "number"], name="iot_port_unique")]


class ChargingSession(Timestamped):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="sessions")
    port = models.PositiveSmallIntegerField(_("端口"))
    house = models.ForeignKey(
        "registry.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=10, choices=StartedVia.choices)
    # OCPP's idTag (a card number or the tag linli sent in RemoteStartTransaction).
    id_tag = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=12, choices=SessionStatus.choices, default=SessionStatus.STARTING)
    planned_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # E-bikes: when the time bought runs out; pushed back by the length of a power cut.
    ends_at = models.DateTimeField(null=True, blank=True)
    interrupted_at = models.DateTimeField(null=True, blank=True)
    paused_s = models.PositiveIntegerField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=12, choices=StopReason.choices, blank=True)
    meter_start_wh = models.BigIntegerField(default=0)
    energy_wh = models.BigIntegerField(default=0)
    amount_fen = models.PositiveIntegerField(default=0)
    # The last start (or resume) asked of the charger: a session whose start nobody answered fails.
    command = models.ForeignKey(
        "iot.Command", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The billing.Bill the session went into (0 while a run is issuing it).
    bill_id = models.BigIntegerField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_paths = ScopePaths(community="community", building="device__building", resident="house")

    class Meta:
        verbose_name = _("充电记录")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "ends_at"]),
            models.Index(fields=["community", "bill_id", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "port"], condition=Q(status__in=SESSION_OPEN), name="iot_session_one_open"
            )
        ]
