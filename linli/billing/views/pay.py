"""Pay screens: the resident's bills by house and paying them (≤ 3 taps through the sandbox:
缴费 → 去支付 → 确认支付), the order page that turns to 支付成功 when `billing.paid` arrives over
the event stream, payment history; the console's payments, refunds and reconciliation."""

from datetime import date
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.billing import providers, queries
from linli.billing.choices import Channel, MatchResult, PaymentPurpose, PaymentStatus, RefundStatus
from linli.billing.services import amounts, pay, reconcile, refunds
from linli.billing.views.common import YuanField
from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell import nav
from linli.core.shell.common import Console, page_of, resident_view, show_service_error, staff_view
from linli.core.shell.formatting import moment_label, yuan
from linli.core.shell.qr import qr_svg
from linli.core.shell.tables import Cell, Column, Table, cells

CHANNEL_LABELS = dict(Channel.choices)
START_KEY = "billing_starts"  # the session keeps the page an open order is paid on (the QR is the order's)


def _channels() -> list[tuple[str, str]]:
    return [(c, CHANNEL_LABELS[c]) for c in providers.enabled()]


def _scene(request, asked: str) -> str:
    return pay.scene_for(asked, request.headers.get("User-Agent", ""))


def _form_may_reach_cashier(response):
    """A pay form's POST is answered, on a phone, with a redirect to Alipay's cashier, and the
    browser follows a form's redirects only to the origins its page's `form-action` allows."""
    policy = settings.LINLI_CONTENT_SECURITY_POLICY
    if "alipay" in providers.enabled() and "form-action" in policy:
        gateway = urlsplit(settings.LINLI_ALIPAY_GATEWAY)
        origin = f"{gateway.scheme}://{gateway.netloc}"
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action", f"form-action {origin}", 1
        )
    return response


def _remember_start(request, no: str, start) -> None:
    starts = dict(list(request.session.get(START_KEY, {}).items())[-9:])
    starts[no] = {"redirect_url": start.redirect_url, "jsapi": start.jsapi}
    request.session[START_KEY] = starts


# --- the resident's ----------------------------------------------------------------------


@resident_view
def home(request):
    houses = queries.my_open_bills_by_house(request.user)
    page = render(
        request,
        "billing/pay_home.html",
        {
            "houses": houses,
            "channels": _channels(),
            "scene": _scene(request, request.GET.get("scene", "")),
            "back": nav.entrance("home"),
            "tab": "services",
        },
    )
    return _form_may_reach_cashier(page)


@require_POST
@resident_view
def start_payment(request):
    channel = request.POST.get("channel") or (providers.enabled() or [""])[0]
    try:
        house_id = int(request.POST.get("house", "0"))
        bill_ids = [int(b) for b in request.POST.getlist("bill")]
    except ValueError:
        raise Http404 from None
    prepay = request.POST.get("purpose") == PaymentPurpose.PREPAY
    purpose = PaymentPurpose.PREPAY if prepay else PaymentPurpose.BILLS
    try:
        amount = amounts.fen_from_yuan(request.POST.get("amount")) if prepay else None
        started = pay.do_create_order(
            actor=request.user,
            house_id=house_id,
            channel=channel,
            purpose=purpose,
            bill_ids=bill_ids,
            amount_fen=amount,
            client_ip=request.META.get("REMOTE_ADDR", ""),
            payer_openid=pay.payer_openid(request.user, request.headers.get("User-Agent", "")),
            scene=_scene(request, request.POST.get("scene", "")),
            **pay.callback_urls(request.build_absolute_uri, channel),
        )
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.message)
        return redirect("billing:prepay" if prepay else "billing:home")
    _remember_start(request, started.payment.out_trade_no, started.start)
    if started.start.kind == "wap":  # a phone goes straight to the provider's cashier
        return redirect(started.start.redirect_url)
    return redirect("billing:order", started.payment.out_trade_no)


@resident_view
def prepay(request):
    houses = queries.my_open_bills_by_house(request.user)
    page = render(
        request,
        "billing/pay_prepay.html",
        {
            "houses": houses,
            "channels": _channels(),
            "scene": _scene(request, request.GET.get("scene", "")),
            "back": reverse("billing:home"),
        },
    )
    return _form_may_reach_cashier(page)


def _my_order(request, no: str):
    payment = queries.my_order(request.user, no[:32])
    if payment is None:
        raise Http404
    return payment


@resident_view
def order(request, no: str):
    payment = _my_order(request, no)
    start = request.session.get(START_KEY, {}).get(payment.out_trade_no, {})
    code_url = payment.code_url_for(request.user)
    if payment.channel == Channel.SANDBOX and payment.status == PaymentStatus.PENDING:
        # Another phone can pay it too: the sandbox page's address as a QR, like a real one.
        code_url = request.build_absolute_uri(reverse("billing:sandbox_pay", args=[payment.out_trade_no]))
    context = {
        "payment": payment,
        "channel": CHANNEL_LABELS.get(payment.channel, payment.channel),
        "redirect_url": start.get("redirect_url", ""),
        "jsapi": start.get("jsapi") or None,  # inside WeChat: the page opens WeChat Pay in place
        "qr": qr_svg(code_url) if code_url and payment.status == PaymentStatus.PENDING else "",
        "back": reverse("billing:home"),
    }
    return render(request, "billing/pay_order.html", context)


@resident_view
def order_status(request, no: str):
    """The live part of the order page (htmx: on load, on `billing.paid`, and every few seconds)."""
    return render(request, "billing/pay_order_status.html", {"payment": _my_order(request, no)})


@resident_view
def alipay_return(request):
    """Where Alipay's cashier sends the payer back: to their order page, which turns to 支付成功
    once the notification (or the order query) has settled it — never because of this visit."""
    try:
        no = pay.verified_return(request.GET.dict())
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("billing:home")
    return redirect("billing:order", _my_order(request, no).out_trade_no)


@resident_view
def payments(request):
    rows, next_url, first_url = page_of(request, queries.my_payments(request.user), newest_first=True)
    return render(
        request,
        "billing/pay_history.html",
        {
            "rows": [(p, CHANNEL_LABELS.get(p.channel, p.channel)) for p in rows],
            "next_url": next_url,
            "first_url": first_url,
            "back": reverse("billing:home"),
        },
    )


def sandbox_pay(request, no: str):
    """The sandbox's cashier (沙箱收银台): it stands where WeChat's or Alipay's page would. A
    resident's order needs them signed in; a parking stay's is paid by whoever holds its link,
    who goes back to `next` (the stay's page) once paid."""
    payment = queries.payable_order(request.user, no[:32])
    if payment is None and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), nav.entrance("login"))
    if payment is None or payment.channel != Channel.SANDBOX:
        raise Http404
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if request.method == "POST":
        try:
            pay.do_confirm_sandbox(actor=request.user, out_trade_no=payment.out_trade_no)
        except ServiceError as exc:
            messages.error(request, exc.message)
        if payment.house_id is None:
            return redirect(back or request.get_full_path())
        return redirect("billing:order", payment.out_trade_no)
    return render(request, "billing/pay_sandbox.html", {"payment": payment, "back": back})


# --- the console's -----------------------------------------------------------------------

STATUS_TONE = {
    PaymentStatus.PAID: "brand",
    PaymentStatus.CLOSED: "muted",
    RefundStatus.REQUESTED: "info",
    RefundStatus.PENDING: "info",
    RefundStatus.DONE: "brand",
    RefundStatus.FAILED: "danger",
    RefundStatus.REJECTED: "muted",
    MatchResult.MATCHED: "brand",
    MatchResult.MISSING: "danger",
    MatchResult.EXTRA: "danger",
    MatchResult.DIFFERENT: "danger",
}


def _house_label(house) -> str:
    return str(house) if house else "—"


@staff_view(Action.BILLING_VIEW, "billing_payments")
def console_payments(request, console: Console):
    rows, next_url, first_url = page_of(
        request, queries.community_payments(request.user, console.community.id), newest_first=True
    )
    table = Table(
        [
            Column(_("订单号")),
            Column(_("房屋")),
            Column(_("渠道")),
            Column(_("金额")),
            Column(_("已退")),
            Column(_("状态")),
            Column(_("支付时间")),
        ],
        [
            cells(
                Cell(p.out_trade_no, mono=True),
                _house_label(p.house),
                CHANNEL_LABELS.get(p.channel, p.channel),
                yuan(p.amount_fen),
                yuan(p.refunded_fen) if p.refunded_fen else "—",
                Cell(p.get_status_display(), badge=STATUS_TONE.get(p.status, "muted")),
                moment_label(p.paid_at),
            )
            for p in rows
        ],
        next_url=next_url,
        first_url=first_url,
    )
    flagged = list(queries.flagged_notifications(request.user, console.community.id)[:20])
    return console.render(
        request,
        "billing/pay_console_payments.html",
        {"title": _("收款记录"), "table": table, "flagged": flagged},
    )


class RefundForm(forms.Form):
    out_trade_no = forms.CharField(label=gettext_lazy("订单号"), max_length=32)
    amount = YuanField(label=gettext_lazy("退款金额(元)"))
    reason = forms.CharField(label=gettext_lazy("退款原因"), max_length=200)


@staff_view(Action.BILLING_VIEW, "billing_refunds")
def console_refunds(request, console: Console):
    form = RefundForm(request.POST or None, initial={"out_trade_no": request.GET.get("no", "")})
    if request.method == "POST" and console.may(Action.BILLING_COLLECT) and form.is_valid():
        data = form.cleaned_data
        payment = (
            queries.community_payments(request.user, console.community.id)
            .filter(out_trade_no=data["out_trade_no"])
            .first()
        )
        if payment is None:
            form.add_error("out_trade_no", _("找不到该订单"))
        else:
            try:
                refunds.do_request_refund(
                    actor=request.user,
                    payment_id=payment.pk,
                    amount_fen=data["amount"],
                    reason=data["reason"],
                )
                messages.success(request, _("退款申请已提交，待经理审批"))
                return redirect(console.reverse("billing:console_refunds"))
            except ServiceError as exc:
                show_service_error(form, exc)
    rows, next_url, first_url = page_of(
        request, queries.refunds(request.user, console.community.id), newest_first=True
    )
    return console.render(
        request,
        "billing/pay_console_refunds.html",
        {
            "form": form,
            "rows": rows,
            "tones": STATUS_TONE,
            "next_url": next_url,
            "first_url": first_url,
            "may_request": console.may(Action.BILLING_COLLECT),
            "may_approve": console.may(Action.BILLING_APPROVE),
        },
    )


@require_POST
@staff_view(Action.BILLING_APPROVE, "billing_refunds")
def console_decide_refund(request, console: Console, refund_id: int, verb: str):
    decide = {"approve": refunds.do_approve_refund, "reject": refunds.do_reject_refund}.get(verb)
    if (
        decide is None
        or not queries.refunds(request.user, console.community.id).filter(pk=refund_id).exists()
    ):
        raise Http404
    try:
        refund = decide(actor=request.user, refund_id=refund_id)
        messages.success(request, _("已处理：%(status)s") % {"status": refund.get_status_display()})
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(console.reverse("billing:console_refunds"))


class DownloadForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("支付渠道"))
    day = forms.DateField(label=gettext_lazy("账单日期"), widget=forms.DateInput(attrs={"type": "date"}))


class UploadForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("支付渠道"))
    file = forms.FileField(label=gettext_lazy("对账单文件"))


@staff_view(Action.BILLING_APPROVE, "billing_reconcile")
def console_reconcile(request, console: Console):
    cid = console.community.id
    choices = _channels()
    download = DownloadForm(request.POST if "d-day" in request.POST else None, prefix="d")
    upload = UploadForm(
        request.POST if "u-provider" in request.POST else None, request.FILES or None, prefix="u"
    )
    download.fields["provider"].choices = upload.fields["provider"].choices = choices
    try:
        if download.is_bound and download.is_valid():
            data = download.cleaned_data
            reconcile.do_download_statement(
                actor=request.user, community_id=cid, provider=data["provider"], day=data["day"]
            )
            return redirect(console.reverse("billing:console_reconcile") + f"?day={data['day']}")
        if upload.is_bound and upload.is_valid():
            data = upload.cleaned_data
            days = reconcile.do_import_statement(
                actor=request.user, community_id=cid, provider=data["provider"], data=data["file"].read()
            )
            messages.success(request, _("已导入 %(n)s 天的对账单") % {"n": len(days)})
            return redirect(console.reverse("billing:console_reconcile"))
    except ServiceError as exc:
        show_service_error(download if download.is_bound else upload, exc)
    try:
        day = date.fromisoformat(request.GET["day"]) if request.GET.get("day") else None
    except ValueError:
        day = None
    results = dict(MatchResult.choices)
    lines = Table(
        [Column(_("渠道")), Column(_("订单号")), Column(_("类型")), Column(_("金额")), Column(_("结果"))],
        [
            cells(
                CHANNEL_LABELS.get(line.provider, line.provider),
                Cell(line.out_trade_no, mono=True),
                _("退款") if line.kind == "refund" else _("收款"),
                yuan(line.amount_fen),
                Cell(results.get(line.result, line.result), badge=STATUS_TONE.get(line.result, "muted")),
            )
            for line in (queries.statement_lines(request.user, cid, day) if day else [])
        ],
    )
    report = [
        {
            **row,
            "label": results.get(row["result"], row["result"]),
            "tone": STATUS_TONE.get(row["result"], "muted"),
            "channel": CHANNEL_LABELS.get(row["provider"], row["provider"]),
        }
        for row in queries.statement_days(request.user, cid)[:200]
    ]
    return console.render(
        request,
        "billing/pay_console_reconcile.html",
        {"download": download, "upload": upload, "report": report, "day": day, "lines": lines},
    )
