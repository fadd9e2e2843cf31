"""Paid repairs (WO-2): materials and labour from the published price list, the resident's
agreement to the quote, and the bill that billing issues for it. A device under warranty goes
to the brand's after-sales and is never charged."""

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from linli.billing.services import charges as billing_charges
from linli.core import audit
from linli.core.actor import Actor
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.workorders.choices import Status
from linli.workorders.models import ChargeLine, PriceItem, Request

CHARGEABLE = (Status.IN_PROGRESS, Status.NEEDS_PAYMENT)


@transaction.atomic
def do_add_charge(*, actor: Actor, request: Request, price_item: PriceItem, quantity: int) -> ChargeLine:
    if request.assignee_id != actor.pk:
        raise Forbidden(_("这不是您的工单"), code="not_your_order")
    if request.under_warranty:
        raise ServiceError("under_warranty", _("保修期内的设备免费维修，不能收费"))
    if request.status not in CHARGEABLE:
        raise Conflict("invalid_transition", _("工单当前状态不能添加费用"), fields={"status": request.status})
    if price_item.community_id != request.community_id or not price_item.active:
        raise ServiceError("unknown_price", _("价目表中没有该项目"), fields={"price_item": price_item.pk})
    if not 1 <= quantity <= 99:
        raise ServiceError("invalid_quantity", _("数量应为1到99"), fields={"quantity": _("应为1到99")})
    line = ChargeLine.objects.create(
        request=request, price_item=price_item, quantity=quantity, amount_fen=price_item.price_fen * quantity
    )
    total = request.charges.aggregate(s=Sum("amount_fen"))["s"] or 0
    Request.objects.filter(pk=request.pk).update(charge_fen=total)
    audit.record(actor=actor, action="workorder_charge_added", obj=request, community_id=request.community_id)
    return line


@transaction.atomic
def do_issue_bill(*, actor: Actor, request: Request, fee_item) -> int:
    """Issues the repair's bill through billing (the actor needs billing's rights there) once
    the work is done; a second call finds it issued."""
    if request.house is None:
        raise ServiceError("no_house", _("公共区域的维修不向住户收费"))
    if request.status not in (Status.DONE, Status.CHECKED, Status.CLOSED) or request.charge_fen <= 0:
        raise Conflict("nothing_to_bill", _("工单尚未完成或没有费用"), fields={"status": request.status})
    claimed = Request.objects.filter(pk=request.pk, bill_id__isnull=True).update(bill_id=0)
    if not claimed:
        raise Conflict("already_billed", _("该工单已开具账单"))
    bill = billing_charges.do_issue_charge(
        actor=actor,
        house=request.house,
        fee_item=fee_item,
        note=f"维修工单 {request.number}",
        amount_fen=request.charge_fen,
    )
    Request.objects.filter(pk=request.pk).update(bill_id=bill.pk)
    audit.record(actor=actor, action="workorder_billed", obj=request, community_id=request.community_id)
    return bill.pk
