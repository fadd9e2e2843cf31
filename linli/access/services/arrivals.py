"""Telling a host that their visitor came in: the pass they sent was used at a gate. The host who
invited hears it; for a pass the guard registered at the gate (no host named), the household."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from linli.access.models import AccessPoint, VisitorPass
from linli.notify.services import notify
from linli.registry.queries import household_user_ids

KIND = "access.visitor"


def tell_host_visitor_arrived(pass_id: int, point_id: int, at: datetime) -> int:
    visitor_pass = VisitorPass.objects.select_related("host").filter(pk=pass_id).first()
    gate = AccessPoint.objects.filter(pk=point_id).values_list("name", flat=True).first()
    if visitor_pass is None or visitor_pass.house_id is None or gate is None:
        return 0
    host_user = visitor_pass.host.user_id if visitor_pass.host else None
    users = [host_user] if host_user else household_user_ids(visitor_pass.house_id)
    return notify(
        users=users,
        kind=KIND,
        title=gettext("访客已到达"),
        body=gettext("%(kind)s %(name)s %(time)s 从%(gate)s进入。")
        % {
            "kind": visitor_pass.get_kind_display(),
            "name": visitor_pass.visitor_name,
            "time": timezone.localtime(at).strftime("%H:%M"),
            "gate": gate,
        },
        link=reverse("access:pass", args=[visitor_pass.pk]),
        community_id=visitor_pass.community_id,
    )
