"""The counter's screens: find a house → its open bills → take a payment → print the receipt;
the daily close (日结); arrears and collection-rate reports with their .xlsx; a household's
statement. The resident's: my receipts (list + PDF), my statement. And the public page that
verifies a receipt from its QR code. Reads through queries, writes through services."""

import secrets
from datetime import date

from django import forms
from django.contrib import messages
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from linli.billing import queries
from linli.billing.choices import COUNTER, BillStatus, Channel, PaymentPurpose
from linli.billing.receipt_pdf import render as render_pdf
from linli.billing.services import counter as services
from linli.billing.services import reports
from linli.billing.services.receipts import receipt_view
from linli.billing.views.common import YuanField
from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.masking import mask_name
from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, resident_view, show_service_error, staff_view
from linli.core.shell.formatting import yuan, yuan_to_type
from linli.core.shell.qr import qr_svg
from linli.core.shell.tables import Cell, Column, Filter, Table, cells
from linli.registry import queries as registry_queries
from linli.registry.io.sheets import XLSX
from linli.registry.models import House

BILL_STATUS = dict(BillStatus.choices)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _verify_url(request, receipt) -> str:
    return request.build_absolute_uri(reverse("billing:verify", args=[receipt.verify_code]))


# --- the counter ----------------------------------------------------------------------------------


@staff_view(Action.BILLING_COLLECT, section="billing_counter")
def counter(request, console: Console):
    q = request.GET.get("q", "").strip()[:40]
    found = queries.counter_houses(request.user, console.community.id, q) if q else []
    table = Table(
        [Column(_("房屋")), Column(_("类型"))],
        [
            cells(
                Cell(h.label, href=console.reverse("billing:counter_house", h.pk)),
                h.get_type_display(),
            )
            for h in found
        ],
        filters=[Filter("q", _("房号、姓名或完整手机号"), q)],
        empty_text=_("没有找到房屋") if q else _("输入房号、住户姓名或完整手机号查找"),
    )
    return console.render(request, "billing/counter_find.html", {"table": table, "q": q})


class PaymentForm(forms.Form):
    purpose = forms.ChoiceField(
        label=gettext_lazy("收款用途"),
        choices=PaymentPurpose.choices,
        initial=PaymentPurpose.BILLS,
        widget=forms.RadioSelect,
    )
    bills = forms.TypedMultipleChoiceField(
        label=gettext_lazy("缴纳账单"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("收款方式"),
        choices=[(c.value, c.label) for c in Channel if c in COUNTER],
        widget=forms.RadioSelect,
    )
    amount = YuanField(label=gettext_lazy("实收金额（元）"))
    extra_to_prepayment = forms.BooleanField(label=gettext_lazy("多收部分转入预存"), required=False)
    on_behalf_of = forms.TypedChoiceField(
        label=gettext_lazy("代办：为哪位住户缴费"), coerce=int, required=False, empty_value=None
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, house, bills, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bills"].choices = [
            (
                b.pk,
                f"{b.fee_item.name} {b.period_start:%Y-%m-%d}~{b.period_end:%Y-%m-%d} "
                f"{_('应缴')} {yuan(b.owed_fen)}",
            )
            for b in bills
        ]
        self.fields["on_behalf_of"].choices = [("", _("本人到场，不是代办"))] + [
            (o.person_id, f"{mask_name(o.person.name)}（{o.get_relation_display()}）")
            for o in house.household
        ]
        if not self.is_bound:
            self.initial["key"] = secrets.token_urlsafe(16)
            self.initial["bills"] = [b.pk for b in bills]
            self.initial["amount"] = yuan_to_type(sum(b.owed_fen for b in bills)) if bills else ""


@staff_view(Action.BILLING_COLLECT, section="billing_counter")
def counter_house(request, console: Console, house_id: int):
    try:
        house = queries.counter_house(request.user, house_id)
    except House.DoesNotExist:
        raise Http404 from None
    if house.community_id != console.community.id:
        raise Http404
    if request.method == "POST":
        # A double click after the first submit went through: its bills are paid and no longer
        # choices of the form; answer with the first payment's receipt, as the API does.
        key = request.POST.get("key", "")
        taken = key and queries.counter_payment(
            request.user, house.pk, services.trade_no_of(request.user, key)
        )
        if taken:
            return redirect(console.reverse("billing:counter_receipt", taken.receipt.pk))
    bills = queries.open_bills(request.user, house.pk)
    form = PaymentForm(request.POST or None, house=house, bills=bills)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = next((o.person for o in house.household if o.person_id == data["on_behalf_of"]), None)
        try:
            result = services.do_take_counter_payment(
                actor=request.user,
                house=house,
                channel=data["channel"],
                amount_fen=data["amount"],
                idempotency_key=data["key"],
                purpose=data["purpose"],
                bill_ids=data["bills"],
                extra_to_prepayment=data["extra_to_prepayment"],
                on_behalf_of=person,
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            if not result.replayed:
                messages.success(
                    request, _("已收款 %(amount)s") % {"amount": yuan(result.payment.amount_fen)}
                )
            receipt = result.payment.receipt
            return redirect(console.reverse("billing:counter_receipt", receipt.pk))
    status = 422 if request.method == "POST" else 200
    context = {
        "house": house,
        "bills": bills,
        "owed": sum(b.owed_fen for b in bills),
        "prepaid": queries.prepaid_fen(request.user, house.pk),
        "household": [(mask_name(o.person.name), o.get_relation_display()) for o in house.household],
        "form": form,
        "statement_url": console.reverse("billing:counter_statement", house.pk),
    }
    return console.render(request, "billing/counter_house.html", context, status=status)


@staff_view(Action.BILLING_VIEW, section="billing_counter")
def counter_receipt(request, console: Console, receipt_id: int):
    """The counter's print view: the receipt as the payer gets it, with its QR and the PDF."""
    receipt = get_or_404(queries.receipts(request.user).filter(community=console.community), pk=receipt_id)
    url = _verify_url(request, receipt)
    context = {
        "r": receipt_view(receipt),
        "qr": qr_svg(url),
        "verify_url": url,
        "pdf_url": reverse("billing:receipt_pdf", args=[receipt.pk]),
        "back_url": console.reverse("billing:counter_house", receipt.payment.house_id)
        if receipt.payment.house_id
        else console.reverse("billing:counter"),
    }
    return console.render(request, "billing/counter_receipt.html", context)


# --- the daily close ------------------------------------------------------------------------------


class CloseForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("日结日期"), widget=forms.DateInput(attrs={"type": "date"}))
    cash = YuanField(label=gettext_lazy("现金实点（元）"), allow_zero=True, initial="0.00")
    card = YuanField(label=gettext_lazy("刷卡实收（元）"), allow_zero=True, initial="0.00")
    transfer = YuanField(label=gettext_lazy("转账实收（元）"), allow_zero=True, initial="0.00")
    note = forms.CharField(label=gettext_lazy("差异说明"), max_length=200, required=False)


@staff_view(Action.BILLING_COLLECT, section="billing_desk")
def desk(request, console: Console):
    cid = console.community.id
    day = _day(request.GET.get("day")) or timezone.localdate()
    form = CloseForm(request.POST or None, initial={"day": day})
    if request.method == "POST" and form.is_valid():
        try:
            services.do_close_desk(
                actor=request.user,
                community=console.community,
                day=form.cleaned_data["day"],
                counted={channel: form.cleaned_data[channel] for channel in COUNTER},
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("日结完成"))
            return redirect(console.reverse("billing:desk"))
    totals = services.desk_totals(request.user, cid, day)
    closes = (
        queries.desk_closes(request.user, cid)
        .select_related("staff")
        .annotate(handed_back=Sum("refunds__amount_fen"))
    )
    rows, next_url, first_url = page_of(request, closes, newest_first=True)
    labels = dict(Channel.choices)
    table = Table(
        [
            Column(_("日期")),
            Column(_("收银员")),
            Column(_("其中退款"), numeric=True),
            Column(_("系统应收"), numeric=True),
            Column(_("实点"), numeric=True),
            Column(_("差额"), numeric=True),
            Column(_("说明")),
        ],
        [
            cells(
                f"{c.day:%Y-%m-%d}",
                str(c.staff),
                Cell(yuan(-c.handed_back) if c.handed_back else "—", numeric=True),
                Cell(yuan(sum(c.expected.values())), numeric=True),
                Cell(yuan(sum(c.counted.values())), numeric=True),
                Cell(yuan(c.difference_fen), numeric=True, badge="danger" if c.difference_fen else ""),
                c.note or "—",
            )
            for c in rows
        ],
        next_url=next_url,
        first_url=first_url,
        empty_text=_("还没有日结记录"),
    )
    context = {
        "form": form,
        "day": day,
        "summary": _desk_summary(totals, labels),
        "pending_count": len(totals.payment_ids),
        "refund_count": len(totals.refund_ids),
        "table": table,
        "status": 422 if request.method == "POST" else 200,
    }
    return console.render(request, "billing/counter_desk.html", context, status=context["status"])


def _desk_summary(totals: services.DeskTotals, labels: dict) -> Table:
    """Taken, handed back (refunds, their own line) and so expected, per channel and in all."""
    channels = list(totals.taken)

    def row(label: str, by_channel: dict[str, int], sign: int = 1):
        amounts = [sign * by_channel[c] for c in channels]
        return cells(label, *[Cell(yuan(fen), numeric=True) for fen in [*amounts, sum(amounts)]])

    return Table(
        [Column(""), *[Column(labels[c], numeric=True) for c in channels], Column(_("合计"), numeric=True)],
        [
            row(pgettext("desk close", "收款"), totals.taken),
            row(pgettext("desk close", "退款"), totals.handed_back, sign=-1),
            row(pgettext("desk close", "应有"), totals.expected),
        ],
    )


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# --- reports --------------------------------------------------------------------------------------


@staff_view(Action.BILLING_VIEW, section="billing_arrears")
def arrears(request, console: Console):
    cid = console.community.id
    raw = request.GET.get("building", "")
    building_id = int(raw) if raw.isdigit() else None
    houses = queries.arrears_houses(request.user, cid, building_id)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(reports.arrears_xlsx(houses, mask_name), "arrears.xlsx")
    buildings = queries.arrears_by_building(request.user, cid)
    by_building = Table(
        [
            Column(_("楼栋")),
            Column(_("欠费户数"), numeric=True),
            Column(_("欠费金额"), numeric=True),
            Column(_("最早欠费")),
        ],
        [
            cells(
                Cell(b["building__name"] or "—", href=f"?building={b['building_id']}"),
                b["houses"],
                Cell(yuan(b["owed"]), numeric=True),
                f"{b['oldest']:%Y-%m}",
            )
            for b in buildings
        ],
        empty_text=_("没有欠费"),
    )
    by_house = Table(
        [
            Column(_("房屋")),
            Column(_("缴费人")),
            Column(_("欠费金额"), numeric=True),
            Column(_("账单数"), numeric=True),
            Column(_("最早欠费")),
        ],
        [
            cells(
                Cell(
                    f"{h['house__building__name']}-{h['house__unit__name']}-{h['house__number']}",
                    href=console.reverse("billing:counter_statement", h["house_id"]),
                ),
                mask_name(h["payer"]),
                Cell(yuan(h["owed"]), numeric=True),
                h["count"],
                f"{h['oldest']:%Y-%m}",
            )
            for h in houses[:500]
        ],
        empty_text=_("没有欠费"),
    )
    params = request.GET.copy()
    params["format"] = "xlsx"
    context = {
        "by_building": by_building,
        "by_house": by_house,
        "total": yuan(sum(b["owed"] for b in buildings)),
        "house_count": len(houses),
        "shown": min(len(houses), 500),
        "export_url": f"?{params.urlencode()}",
        "building_id": building_id,
    }
    return console.render(request, "billing/counter_arrears.html", context)


@staff_view(Action.BILLING_VIEW, section="billing_reports")
def collection(request, console: Console):
    year = request.GET.get("year", "")
    year_n = int(year) if year.isdigit() and 2000 <= int(year) <= 2999 else timezone.localdate().year
    rows = queries.collection_by_month(
        request.user, console.community.id, date(year_n, 1, 1), date(year_n, 12, 31)
    )
    report = reports.collection(rows)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(reports.collection_xlsx(report), f"collection-{year_n}.xlsx")

    def pct(due_paid) -> str:
        r = reports.rate(due_paid[1], due_paid[0])
        return "—" if r is None else f"{r}%"

    months = report.months
    table = Table(
        [Column(_("楼栋"))]
        + [Column(f"{m:%Y-%m}", numeric=True) for m in months]
        + [Column(_("全年"), numeric=True)],
        [
            cells(name, *[pct(report.cells.get((b, m), (0, 0))) for m in months], pct(report.by_building[b]))
            for b, name in report.buildings
        ]
        + [cells(_("全小区"), *[pct(report.by_month[m]) for m in months], pct(report.total))],
        filters=[Filter("year", _("年份"), str(year_n))],
        empty_text=_("该年没有账单"),
    )
    context = {
        "table": table,
        "year": year_n,
        "due": yuan(report.total[0]),
        "paid": yuan(report.total[1]),
        "rate": pct(report.total),
        "export_url": f"?year={year_n}&format=xlsx",
    }
    return console.render(request, "billing/counter_reports.html", context)


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()
    start = _day(request.GET.get("start")) or date(today.year, 1, 1)
    end = _day(request.GET.get("end")) or today
    return start, end


def _statement_context(request, statement) -> dict:
    return {
        "s": statement,
        "bill_status": BILL_STATUS,
        "export_url": f"?start={statement.start}&end={statement.end}&format=xlsx",
    }


@staff_view(Action.BILLING_VIEW, section="billing_arrears")
def counter_statement(request, console: Console, house_id: int):
    start, end = _period(request)
    try:
        s = reports.build_statement(request.user, house_id, start, end)
    except ServiceError as exc:
        messages.error(request, exc.message)
        s = reports.build_statement(request.user, house_id, date(end.year, 1, 1), end)
    if s.house.community_id != console.community.id:
        raise Http404
    if request.GET.get("format") == "xlsx":
        return xlsx_response(reports.statement_xlsx(s), f"statement-{house_id}.xlsx")
    return console.render(request, "billing/counter_statement.html", _statement_context(request, s))


# --- the resident's -------------------------------------------------------------------------------


@resident_view
def my_receipts(request):
    rows, next_url, first_url = page_of(request, queries.my_receipts(request.user), newest_first=True)
    return render(
        request,
        "billing/counter_my_receipts.html",
        {
            "receipts": rows,
            "next_url": next_url,
            "first_url": first_url,
            "back": "/services/",
            "tab": "services",
        },
    )


@resident_view
def my_statement(request):
    houses = list(registry_queries.my_houses(request.user))
    if not houses:
        return render(request, "billing/counter_my_statement.html", {"s": None, "back": "/services/"})
    raw = request.GET.get("house", "")
    house = next((h for h in houses if str(h.pk) == raw), houses[0])
    start, end = _period(request)
    try:
        s = reports.build_statement(request.user, house.pk, start, end)
    except ServiceError as exc:
        messages.error(request, exc.message)
        s = reports.build_statement(request.user, house.pk, date(end.year, 1, 1), end)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(reports.statement_xlsx(s), f"statement-{house.pk}.xlsx")
    context = {**_statement_context(request, s), "houses": houses, "back": "/services/", "tab": "services"}
    context["export_url"] += f"&house={house.pk}"
    context["extra_params"] = [("house", house.pk)]
    return render(request, "billing/counter_my_statement.html", context)


@resident_view
def receipt_pdf(request, receipt_id: int):
    """The receipt's PDF: for the people of its house and for staff in scope (404 otherwise)."""
    receipt = get_or_404(queries.receipts(request.user), pk=receipt_id)
    content = render_pdf(receipt_view(receipt), _verify_url(request, receipt))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.number}.pdf"'
    return response


def verify(request, verify_code: str):
    """Public: anyone holding the receipt (or its QR) can check it was issued, and for how much.
    Only the masked payer name is shown; no house number, no phone."""
    receipt = queries.receipt_by_code(verify_code[:32])
    if receipt is None:
        return render(request, "billing/counter_verify.html", {"r": None}, status=404)
    view = receipt_view(receipt)
    return render(request, "billing/counter_verify.html", {"r": view})
