"""Console pages of fee setup: fee items and their standards, billing runs (preview, then post)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from linli.billing import queries
from linli.billing.choices import METERED, Cycle, FeeKind, PayerRule, RunStatus
from linli.billing.services import readings, runs, setup
from linli.billing.views.common import YuanField
from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.roles import Action
from linli.core.shell.common import Console, show_service_error, staff_view
from linli.registry import queries as registry_queries
from linli.registry.choices import HouseType
from linli.registry.io.reader import check_size
from linli.registry.io.services import ImportRejected


class FeeItemForm(forms.Form):
    name = forms.CharField(label=_("收费项目"), max_length=60)
    kind = forms.ChoiceField(label=_("类型"), choices=FeeKind.choices)
    cycle = forms.ChoiceField(label=_("周期"), choices=Cycle.choices)
    payer_rule = forms.ChoiceField(label=_("缴费人"), choices=PayerRule.choices)
    due_days = forms.IntegerField(label=_("缴费期限(天)"), min_value=0, max_value=366, initial=30)


class StandardForm(forms.Form):
    house_type = forms.ChoiceField(
        label=_("房屋类型"), choices=[("", _("全部房屋")), *HouseType.choices], required=False
    )
    effective_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    unit_price_fen = forms.DecimalField(label=_("单价(分)"), min_value=0, max_digits=14, decimal_places=4)
    basis = forms.CharField(label=_("测算依据"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RunForm(forms.Form):
    period_start = forms.DateField(
        label=_("账期开始（某月1日）"), widget=forms.DateInput(attrs={"type": "date"})
    )
    total_fen = YuanField(label=_("公摊总额(元)"), required=False)


@staff_view(Action.BILLING_SETUP, "billing_setup")
def setup_items(request, console: Console):
    form = FeeItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = setup.do_create_fee_item(
                actor=request.user, community=console.community, **form.cleaned_data
            )
            messages.success(request, _("收费项目已创建"))
            return redirect(console.reverse("billing:setup_item", item.pk))
        except ServiceError as exc:
            show_service_error(form, exc)
    context = {
        "form": form,
        "items": queries.fee_items(request.user, Action.BILLING_SETUP).filter(community=console.community),
        "runs": queries.billing_runs(request.user, Action.BILLING_SETUP).filter(community=console.community)[
            :30
        ],
    }
    return console.render(request, "billing/setup_items.html", context)


@staff_view(Action.BILLING_SETUP, "billing_setup")
def setup_item(request, console: Console, fee_item_id: int):
    item = get_or_404(
        queries.fee_items(request.user, Action.BILLING_SETUP).filter(community=console.community),
        pk=fee_item_id,
    )
    form, run_form = StandardForm(prefix="std"), RunForm(prefix="run")
    if request.method == "POST" and "std-effective_from" in request.POST:
        form = StandardForm(request.POST, prefix="std")
        if form.is_valid():
            try:
                setup.do_create_standard(actor=request.user, fee_item=item, **form.cleaned_data)
                messages.success(request, _("新版本已保存，公布后才会用于出账"))
                return redirect(console.reverse("billing:setup_item", item.pk))
            except ServiceError as exc:
                show_service_error(form, exc)
    elif request.method == "POST" and "run-period_start" in request.POST:
        run_form = RunForm(request.POST, prefix="run")
        if run_form.is_valid():
            try:
                preview = runs.do_preview_run(actor=request.user, fee_item=item, **run_form.cleaned_data)
                return redirect(console.reverse("billing:setup_run", preview.run.pk))
            except ServiceError as exc:
                show_service_error(run_form, exc)
    context = {
        "item": item,
        "standards": queries.fee_standards(request.user, Action.BILLING_SETUP).filter(fee_item=item),
        "form": form,
        "run_form": run_form,
    }
    return console.render(request, "billing/setup_item.html", context)


@require_POST
@staff_view(Action.BILLING_SETUP, "billing_setup")
def setup_publish(request, console: Console, standard_id: int):
    standard = get_or_404(
        queries.fee_standards(request.user, Action.BILLING_SETUP).filter(community=console.community),
        pk=standard_id,
    )
    try:
        setup.do_publish_standard(actor=request.user, standard=standard)
        messages.success(request, _("已公布，已通知业主"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(console.reverse("billing:setup_item", standard.fee_item_id))


@staff_view(Action.BILLING_SETUP, "billing_setup")
def setup_run(request, console: Console, run_id: int):
    """A preview shows what posting would bill (computed again now); a posted run its totals."""
    run = get_or_404(
        queries.billing_runs(request.user, Action.BILLING_SETUP).filter(community=console.community),
        pk=run_id,
    )
    if request.method == "POST" and run.status == RunStatus.PREVIEW:
        try:
            if request.POST.get("action") == "discard":
                runs.do_discard_run(actor=request.user, run=run)
            else:
                computed = runs.do_post_run(actor=request.user, run=run)
                messages.success(request, _("已出账 %(n)d 张账单") % {"n": len(computed.bills)})
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect(console.reverse("billing:setup_run", run.pk))
    computed = None
    if run.status == RunStatus.PREVIEW:
        total = run.total_fen if run.fee_item.kind == FeeKind.SHARED_AREA else None
        computed = runs.compute(run.fee_item, run.period_start, total_fen=total)
    return console.render(request, "billing/setup_run.html", {"run": run, "computed": computed})


class ReadingsImportForm(forms.Form):
    file = forms.FileField(label=_("抄表文件（.xlsx 或 .csv）"))
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False, initial=True)


class ReadingForm(forms.Form):
    building = forms.CharField(label=_("楼栋"), max_length=40)
    unit = forms.CharField(label=_("单元"), max_length=40)
    number = forms.CharField(label=_("房号"), max_length=20)
    kind = forms.ChoiceField(label=_("表类型"), choices=[(k.value, k.label) for k in METERED])
    read_on = forms.DateField(label=_("抄表日期"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label=_("读数"), min_value=0, max_digits=14, decimal_places=3)
    meter_replaced = forms.BooleanField(label=_("换表"), required=False)
    old_meter_final = forms.DecimalField(
        label=_("旧表止码"), required=False, min_value=0, max_digits=14, decimal_places=3
    )


@staff_view(Action.BILLING_SETUP, "billing_readings")
def setup_readings(request, console: Console):
    """Enter one reading, or import a file: checked first, then all rows or none."""
    form, upload, report = ReadingForm(prefix="one"), ReadingsImportForm(prefix="file"), None
    if request.method == "POST" and request.POST.get("form") == "file":
        upload = ReadingsImportForm(request.POST, request.FILES, prefix="file")
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            try:
                check_size(file.size)
                report = readings.do_import_readings(
                    actor=request.user,
                    community=console.community,
                    filename=file.name,
                    data=file.read(),
                    dry_run=upload.cleaned_data["dry_run"],
                )
            except ImportRejected as exc:
                report = exc.report
            except ServiceError as exc:
                show_service_error(upload, exc)
    elif request.method == "POST":
        form = ReadingForm(request.POST, prefix="one")
        if form.is_valid():
            data = form.cleaned_data
            house = (
                registry_queries.houses(request.user)
                .filter(
                    community=console.community,
                    building__name=data.pop("building").strip(),
                    unit__name=data.pop("unit").strip(),
                    number=data.pop("number").strip(),
                )
                .first()
            )
            if house is None:
                form.add_error("number", _("系统中没有这套房屋"))
            else:
                try:
                    readings.do_record_reading(actor=request.user, house=house, **data)
                    messages.success(request, _("读数已保存"))
                    return redirect(console.reverse("billing:setup_readings"))
                except ServiceError as exc:
                    show_service_error(form, exc)
    context = {
        "form": form,
        "upload": upload,
        "report": report,
        "errors": report.errors[:500] if report else [],
    }
    return console.render(request, "billing/setup_readings.html", context)
