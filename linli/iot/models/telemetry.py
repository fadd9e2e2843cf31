"""Telemetry history (IOT-2): raw readings for `LINLI_IOT_RAW_DAYS`, hourly aggregates for a year.

Readings are written in batches by the ingest service, never one row per request; the latest
value of each key also lives on `DeviceState` so that screens never scan this table for "now".
"""

from django.db import models


class Reading(models.Model):
    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="+", db_index=False)
    ts = models.DateTimeField()
    key = models.CharField(max_length=40)
    value = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["device", "key", "ts"]), models.Index(fields=["ts"])]


class HourlyAggregate(models.Model):
    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey("iot.Device", on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.DateTimeField()
    key = models.CharField(max_length=40)
    count = models.PositiveIntegerField()
    minimum = models.FloatField()
    maximum = models.FloatField()
    total = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "key", "hour"], name="iot_hourly_unique"),
        ]
        indexes = [models.Index(fields=["hour"])]
