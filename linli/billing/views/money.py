"""Money screens: the console's waiver queue, deposits, one-off charges and late-fee policy;
the resident's prepaid balance per house. Reads through queries, writes through services;
a refused service call reads as a form error or a message. People type yuan; `YuanField` reads
it into the fen the services take."""

from functools import partial

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.shortcuts import render as render_page
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.billing import queries
from linli.billing.choices import ApprovalStatus, FeeKind, RefundStatus
from linli.billing.services import charges, late_fees, waivers
from linli.billing.views.common import YuanField
from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.roles import Action
from linli.core.shell.common import Console, resident_view, show_service_error, staff_view
from linli.core.text import Form
from linli.registry.queries import house_by_label


class WaiverForm(Form):
    bill = forms.IntegerField(label=gettext_lazy("账单号"), min_value=1, max_value=2**62)
    amount = YuanField(label=gettext_lazy("减免金额（元）"))
    reason = forms.CharField(label=gettext_lazy("减免原因"), max_length=200)


class ChargeForm(Form):
    house = forms.CharField(
        label=gettext_lazy("房屋"), max_length=100, help_text=gettext_lazy("格式如 1号楼-1单元-301")
    )
    fee_item = forms.TypedChoiceField(label=gettext_lazy("收费项目"), coerce=int)
    amount = YuanField(
        label=gettext_lazy("金额（元）"), required=False, help_text=gettext_lazy("不填则按收费标准")
    )
    note = forms.CharField(label=gettext_lazy("收费说明"), max_length=200)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fee_item"].choices = [(i.pk, i.name) for i in items]


class RefundForm(Form):
    refund = YuanField(label=gettext_lazy("退还金额（元）"), allow_zero=True)
    deduct = YuanField(label=gettext_lazy("扣除金额（元）"), allow_zero=True, required=False)
    reason = forms.CharField(label=gettext_lazy("扣除原因"), max_length=200, required=False)


class PolicyForm(Form):
    daily_bp = forms.IntegerField(label=gettext_lazy("日费率（万分之）"), min_value=0, max_value=32767)
    cap_bp = forms.IntegerField(label=gettext_lazy("上限（占本金万分之）"), min_value=0, max_value=32767)


# --- console ---------------------------------------------------------------------------------------


@staff_view(Action.BILLING_VIEW, "billing_waivers")
def waiver_queue(request, console: Console):
    user = request.user
    form = WaiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        bill = get_or_404(queries.money_bills(user).filter(community=console.community), pk=data["bill"])
        try:
            waivers.do_request_waiver(actor=user, bill=bill, amount_fen=data["amount"], reason=data["reason"])
            messages.success(request, _("减免申请已提交，等待经理审批"))
            return redirect(console.reverse("billing:money_waivers"))
        except ServiceError as exc:
            show_service_error(form, exc)
    rows = queries.waivers(user).filter(community=console.community)
    decided = list(rows.exclude(status=ApprovalStatus.REQUESTED)[:50])
    for waiver in decided:
        waiver.tone = "brand" if waiver.status == ApprovalStatus.APPROVED else "danger"
    context = {
        "pending": rows.filter(status=ApprovalStatus.REQUESTED),
        "decided": decided,
        "form": form,
        "may_ask": console.may(Action.BILLING_COLLECT) or console.may(Action.BILLING_SETUP),
        "may_approve": console.may(Action.BILLING_APPROVE),
    }
    return console.render(request, "billing/money_waivers.html", context)


def _act(request, call, done: str) -> None:
    """Runs the service call of a one-button form; a refusal becomes the page's message."""
    try:
        call()
        messages.success(request, done)
    except ServiceError as exc:
        messages.error(request, exc.message)


def _decide(request, console: Console, waiver_id: int, decide, done: str):
    waiver = get_or_404(queries.waivers(request.user).filter(community=console.community), pk=waiver_id)
    _act(request, lambda: decide(actor=request.user, waiver=waiver), done)
    return redirect(console.reverse("billing:money_waivers"))


@require_POST
@staff_view(Action.BILLING_APPROVE, "billing_waivers")
def waiver_approve(request, console: Console, waiver_id: int):
    return _decide(request, console, waiver_id, waivers.do_approve_waiver, _("已批准，减免已入账"))


@require_POST
@staff_view(Action.BILLING_APPROVE, "billing_waivers")
def waiver_reject(request, console: Console, waiver_id: int):
    return _decide(request, console, waiver_id, waivers.do_reject_waiver, _("已驳回"))


def _charges_page(request, console: Console, kind: str):
    user = request.user
    items = queries.money_fee_items(user, console.community.id).filter(kind=kind, active=True)
    form = ChargeForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        house = house_by_label(queries.money_houses(user), console.community.id, data["house"])
        if house is None:
            form.add_error("house", _("找不到该房屋，格式如 1号楼-1单元-301"))
        else:
            try:
                charges.do_issue_charge(
                    actor=user,
                    house=house,
                    fee_item=get_or_404(items, pk=data["fee_item"]),
                    note=data["note"],
                    amount_fen=data["amount"],
                )
                messages.success(request, _("账单已开具"))
                return redirect(request.path)
            except ServiceError as exc:
                show_service_error(form, exc)
    listed = queries.deposits if kind == FeeKind.DEPOSIT else queries.one_off_charges
    bills = list(listed(user, console.community.id).order_by("-id")[:100])
    for bill in bills:
        bill.held_fen = charges.held_fen(bill)
    context = {
        "kind": kind,
        "bills": bills,
        "form": form,
        "may_issue": console.may(Action.BILLING_COLLECT) or console.may(Action.BILLING_SETUP),
        "may_refund": console.may(Action.BILLING_APPROVE),
        "refund_form": RefundForm(),
    }
    return console.render(request, "billing/money_charges.html", context)


@staff_view(Action.BILLING_VIEW, "billing_deposits")
def deposits(request, console: Console):
    return _charges_page(request, console, FeeKind.DEPOSIT)


@staff_view(Action.BILLING_VIEW, "billing_charges")
def one_off_charges(request, console: Console):
    return _charges_page(request, console, FeeKind.ONE_OFF)


@require_POST
@staff_view(Action.BILLING_APPROVE, "billing_deposits")
def deposit_refund(request, console: Console, bill_id: int):
    bill = get_or_404(queries.deposits(request.user, console.community.id), pk=bill_id)
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])  # the amount's, said as the API does
    else:
        data = form.cleaned_data
        try:
            started = charges.do_refund_deposit(
                actor=request.user,
                bill=bill,
                refund_fen=data["refund"],
                deduct_fen=data["deduct"] or 0,
                reason=data["reason"],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            _tell_refund_outcome(request, {r.status for r in started})
    return redirect(console.reverse("billing:money_deposits"))


def _tell_refund_outcome(request, statuses: set[str]) -> None:
    """An online refund may still be on its way, or refused by the provider (the deposit then
    holds the money again): the message says which."""
    if RefundStatus.FAILED in statuses:
        messages.error(request, _("支付渠道拒绝了原路退款，押金余额已恢复，请稍后重试"))
    elif RefundStatus.PENDING in statuses:
        messages.success(request, _("已提交原路退款，支付渠道确认后完成"))
    else:
        messages.success(request, _("押金已退还"))


@staff_view(Action.BILLING_VIEW, "billing_late_fees")
def late_fee_policies(request, console: Console):
    items = queries.money_fee_items(request.user, console.community.id).exclude(kind=FeeKind.DEPOSIT)
    context = {"items": items, "may_setup": console.may(Action.BILLING_SETUP)}
    return console.render(request, "billing/money_late_fees.html", context)


@require_POST
@staff_view(Action.BILLING_SETUP, "billing_late_fees")
def late_fee_policy(request, console: Console, fee_item_id: int):
    item = get_or_404(queries.money_fee_items(request.user, console.community.id), pk=fee_item_id)
    form = PolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("费率和上限应为整数"))
    else:
        data = form.cleaned_data
        policy = partial(
            late_fees.do_set_late_fee_policy,
            actor=request.user,
            fee_item=item,
            daily_bp=data["daily_bp"],
            cap_bp=data["cap_bp"],
        )
        _act(request, policy, _("滞纳金规则已保存"))
    return redirect(console.reverse("billing:money_late_fees"))


# --- resident --------------------------------------------------------------------------------------


@resident_view
def my_prepaid(request):
    return render_page(request, "billing/money_my_prepaid.html", {"rows": queries.my_prepaid(request.user)})
