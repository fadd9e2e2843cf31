"""Device and charging screens, mounted at /iot/ by one line in linli/urls.py. Alarm notices link
`staff/<cid>/alarms/<alarm_id>` (services/alarms.py)."""

from django.urls import path

from linli.iot.views import charging, console, setup

app_name = "iot"

urlpatterns = [
    path("charging/", charging.charging, name="charging"),
    path("charging/mine", charging.my_charging, name="my_charging"),
    path("charging/<int:session_id>/stop", charging.stop_mine, name="stop_charging"),
    path("staff/<int:cid>/alarms/", console.alarm_centre, name="alarms"),
    path("staff/<int:cid>/alarms/<int:alarm_id>", console.alarm_detail, name="alarm"),
    path("staff/<int:cid>/devices/", console.devices, name="devices"),
    path("staff/<int:cid>/devices/new", setup.device_new, name="device_new"),
    path("staff/<int:cid>/devices/import", setup.device_import, name="device_import"),
    path("staff/<int:cid>/devices/<int:device_id>", console.device_detail, name="device"),
    path("staff/<int:cid>/devices/<int:device_id>/token", setup.device_token, name="device_token"),
    path("staff/<int:cid>/broadcast/", console.broadcast, name="broadcast"),
    path("staff/<int:cid>/rules/", console.rule_list, name="rules"),
    path("staff/<int:cid>/rules/new", setup.rule_new, name="rule_new"),
    path("staff/<int:cid>/rules/<int:rule_id>", setup.rule_edit, name="rule"),
    path("staff/<int:cid>/automations/", setup.automation_list, name="automations"),
    path("staff/<int:cid>/automations/new", setup.automation_new, name="automation_new"),
    path("staff/<int:cid>/automations/<int:automation_id>", setup.automation_edit, name="automation"),
    path("staff/<int:cid>/chargers/", charging.console_chargers, name="chargers"),
    path("staff/<int:cid>/chargers/tariff", charging.console_tariff, name="charging_tariff"),
    path("staff/<int:cid>/chargers/bill", charging.console_bill, name="charging_bill"),
    path("staff/<int:cid>/chargers/<int:session_id>/stop", charging.console_stop, name="charging_stop"),
]
