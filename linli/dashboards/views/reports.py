"""报表 (DASH-3): choose a report and a month, download it as .xlsx or PDF. Reports are the
whole community's figures: a role narrowed to some buildings gets the 404 page."""

from django.http import Http404, HttpResponse
from django.utils import timezone

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, staff_view
from linli.dashboards import gov_period, report_pdf, report_xlsx, reports
from linli.registry.io.sheets import XLSX

MONTHS_OFFERED = 12
RENDERERS = {"xlsx": (report_xlsx.render, XLSX), "pdf": (report_pdf.render, "application/pdf")}


def _whole_community(console: Console) -> None:
    if not console.scope.covers_community(Action.STATS_VIEW, console.community.id):
        raise Http404


@staff_view(Action.STATS_VIEW, section="dashboards_reports")
def reports_page(request, console: Console):
    _whole_community(console)
    today = timezone.localdate()
    months = [gov_period.months_before(today, n) for n in range(MONTHS_OFFERED)]
    chosen = request.GET.get("month", "")
    try:
        month = gov_period.begun_month(chosen, today) if chosen else gov_period.previous_month(today)
    except ServiceError as refused:
        return console.render(
            request, "dashboards/reports.html", {"error": refused.message, "months": months}, status=422
        )
    issued = reports.issued_kinds(request.user, console.community.id, month)
    context = {
        "months": months,
        "month": month,
        "label": f"{month:%Y-%m}",
        "hidden": reports.HIDDEN,
        "kinds": [(kind, title, kind in issued) for kind, (title, _builder) in reports.KINDS.items()],
    }
    return console.render(request, "dashboards/reports.html", context)


@staff_view(Action.STATS_VIEW, section="dashboards_reports")
def report_download(request, console: Console, kind: str, fmt: str):
    _whole_community(console)
    if kind not in reports.KINDS or fmt not in RENDERERS:
        raise Http404
    try:
        month = gov_period.begun_month(request.GET.get("month", ""), timezone.localdate())
    except ServiceError as refused:
        return HttpResponse(str(refused.message), status=422, content_type="text/plain; charset=utf-8")
    report = reports.build(kind, console.community.id, console.community.name, month)
    render, content_type = RENDERERS[fmt]
    response = HttpResponse(render(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}.{fmt}"'
    return response
