"""The reporter's contact details: masked everywhere, shown in full only to the order's
assignee and to dispatchers, and each such read is written to the audit trail (SEC-1)."""

from django.db import transaction

from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Forbidden
from linli.core.masking import mask_name, mask_phone
from linli.core.permissions import may
from linli.core.roles import Action
from linli.workorders.models import Request


def masked(request: Request) -> str:
    return f"{mask_name(request.contact_name)} {mask_phone(request.contact_phone)}".strip()


@transaction.atomic
def do_reveal_contact(*, actor: Actor, request: Request) -> dict:
    dispatcher = may(actor, Action.WORKORDER_DISPATCH, request.community_id, request.building_id)
    if request.assignee_id != actor.pk and not dispatcher:
        raise Forbidden()
    audit.record(actor=actor, action="workorder_contact_read", obj=request, community_id=request.community_id)
    return {"name": request.contact_name, "phone": request.contact_phone}
