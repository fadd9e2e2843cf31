"""Intercom (ACC-5): a visitor at a gate calls a house; the household's phones ring (SSE over
the outbox); the first tap on 开门 opens that gate once, and the terminal learns the outcome."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.access.choices import SITE_WIDE_KINDS, CallStatus, Method, Reason
from linli.access.household import lived_in, member_user_ids, own_occupancy
from linli.access.models import IntercomCall, Terminal
from linli.access.services.decisions import Decision, open_command, record_event
from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.events import publish
from linli.registry.models import House

RING_SECONDS = 60


def reachable(terminal: Terminal, house: House) -> bool:
    """A unit door calls its own unit, a building door its building, a gate the whole site."""
    point = terminal.point
    if house.community_id != point.community_id:
        return False
    if point.kind in SITE_WIDE_KINDS:
        return True
    if point.unit_id:
        return house.unit_id == point.unit_id
    return house.building_id == point.building_id


def effective_status(call: IntercomCall, now: datetime) -> str:
    if call.status == CallStatus.RINGING and call.expires_at <= now:
        return CallStatus.MISSED
    return call.status


@transaction.atomic
def do_start_call(*, terminal: Terminal, house: House, now: datetime | None = None) -> IntercomCall:
    if not reachable(terminal, house):
        raise ServiceError(
            "house_not_reachable", _("此门不能呼叫该房屋"), fields={"house": house.pk}, status=404
        )
    now = now or timezone.now()
    call = IntercomCall.objects.create(
        community_id=house.community_id,
        point_id=terminal.point_id,
        terminal=terminal,
        house=house,
        created_at=now,
        expires_at=now + timedelta(seconds=RING_SECONDS),
    )
    users = member_user_ids(house.pk)
    if users:
        publish(
            "access.intercom_call",
            {
                "call": call.pk,
                "house": house.pk,
                "point": terminal.point_id,
                "point_name": terminal.point.name,
                "expires_at": call.expires_at.isoformat(),
            },
            users=users,
            community_id=house.community_id,
        )
    return call


@transaction.atomic
def do_answer_call(
    *, actor: User, call: IntercomCall, open_door: bool, now: datetime | None = None
) -> IntercomCall:
    """Only someone living in the called house may answer; a call is answered once."""
    now = now or timezone.now()
    occupancy = own_occupancy(actor, call.house_id)
    if occupancy is None:
        if lived_in(actor, call.house_id):
            # The right to let visitors in ended with the answerer's residence (REG-3).
            raise Forbidden(Reason.INTERCOM_ANSWERER_LEFT.label, code=Reason.INTERCOM_ANSWERER_LEFT)
        raise Forbidden(_("只有本户住户可以接听"))
    status = CallStatus.OPENED if open_door else CallStatus.DECLINED
    answered = IntercomCall.objects.filter(pk=call.pk, status=CallStatus.RINGING, expires_at__gt=now).update(
        status=status, answered_at=now, answered_by=actor
    )
    if not answered:
        call.refresh_from_db()
        raise Conflict("call_not_ringing", _("该呼叫已结束"), fields={"status": effective_status(call, now)})
    call.refresh_from_db()
    if open_door:
        point = call.point
        decision = record_event(
            point=point,
            terminal=None,
            method=Method.INTERCOM,
            decision=Decision(True, Reason.INTERCOM_OPENED, person_id=occupancy.person_id),
            now=now,
            event_uuid=None,
        )
        open_command(point, Method.INTERCOM, decision.event_id, now)
    publish(
        "access.intercom_answered",
        {"call": call.pk, "status": status},
        users=member_user_ids(call.house_id),
        community_id=call.community_id,
    )
    audit.record(actor=actor, action=status, obj=call, community_id=call.community_id)
    return call
