"""The console's 工单 pages: the dispatch board (filter, accept, assign; the order page does the
rest), the SLA board, the performance report, and the setup (categories with their SLAs, teams
and handlers, the price list, the community's settings)."""

from datetime import timedelta

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts import queries as accounts_queries
from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, show_service_error, staff_view
from linli.core.shell.formatting import yuan
from linli.core.shell.tables import Cell, Column, Filter, Table, cells
from linli.registry import queries as registry_queries
from linli.workorders import queries
from linli.workorders.choices import OPEN, Kind, Priority, Status
from linli.workorders.forms import (
    CategoryForm,
    HandlerForm,
    PriceForm,
    SettingsForm,
    SlaForm,
    StaffReportForm,
    TeamForm,
)
from linli.workorders.services import intake, setup
from linli.workorders.views import common

PERIODS = (7, 30, 90)  # days the SLA board and the report look back


def _since(request) -> tuple[int, object]:
    raw = request.GET.get("days", "")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else 30
    return days, timezone.now() - timedelta(days=days)


# --- dispatch board ---------------------------------------------------------------------------


@staff_view(Action.WORKORDER_VIEW, "workorders_dispatch")
def dispatch(request, console: Console):
    user, community_id = request.user, console.community.id
    found = (
        queries.requests(user)
        .filter(community_id=community_id)
        .select_related("house__unit", "house__building")
    )
    status, overdue, building = (request.GET.get(k, "") for k in ("status", "overdue", "building"))
    if status in Status.values:
        found = found.filter(status=status)
    elif status != "all":
        found = found.filter(status__in=OPEN)
    if overdue == "1":
        found = found.filter(Q(response_overdue=True) | Q(resolution_overdue=True))
    buildings = registry_queries.buildings(user, community_id)
    if building.isdigit():
        found = found.filter(building_id=int(building))
    rows, next_url, first_url = page_of(request, found, newest_first=True)
    filters = [
        Filter("status", _("状态"), status, (("", _("未完成")), ("all", _("全部")), *Status.choices)),
        Filter("overdue", _("超时"), overdue, (("", _("不限是否超时")), ("1", _("只看超时")))),
        Filter(
            "building", _("楼栋"), building, (("", _("全部楼栋")), *((str(b.pk), b.name) for b in buildings))
        ),
    ]
    dispatcher = console.may(Action.WORKORDER_DISPATCH)
    context = {
        "rows": [
            (r, common.tone(r.status), common.list_buttons(r, ("accept", "assign")) if dispatcher else ())
            for r in rows
        ],
        "filters": filters,
        "next_url": next_url,
        "first_url": first_url,
        "handlers": queries.handlers(user, community_id) if dispatcher else (),
        "actions": [{"label": _("代报工单"), "href": console.reverse("workorders:new_request")}]
        if dispatcher
        else (),
    }
    return console.render(request, "workorders/console/dispatch.html", context)


@staff_view(Action.WORKORDER_DISPATCH, "workorders_dispatch")
def new_request(request, console: Console):
    """代报: the desk enters a request for a resident (by phone, at the counter) or of its own."""
    user, community_id = request.user, console.community.id
    active = queries.categories(user, community_id).filter(active=True)
    buildings = registry_queries.buildings(user, community_id)
    form = StaffReportForm(request.POST or None, categories=active, buildings=buildings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = intake.open_request(
                actor=user,
                community_id=community_id,
                category=get_or_404(active, pk=data["category"]),
                description=data["description"],
                priority=data["priority"] or None,
                building_id=data["building"],
                place=data["place"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("工单已创建"))
            return redirect(console.reverse("workorders:order", order.pk))
    return console.render(request, "workorders/console/new_request.html", {"form": form})


# --- SLA board and performance ----------------------------------------------------------------


@staff_view(Action.WORKORDER_VIEW, "workorders_sla")
def sla(request, console: Console):
    user, community_id = request.user, console.community.id
    days, since = _since(request)
    summary = queries.sla_summary(user, community_id, since)
    resolved = summary["resolved"]
    context = {
        "days": days,
        "periods": PERIODS,
        "summary": summary,
        "on_time": f"{summary['on_time'] * 100 // resolved}%" if resolved else "—",
        "rating": f"{summary['rating']:.1f}" if summary["rating"] else "—",
        "overdue": [(r, common.tone(r.status)) for r in queries.overdue(user, community_id)[:50]],
        "board": queries.board_for(user, community_id),
        "statuses": common.STATUS_LABELS,
    }
    return console.render(request, "workorders/console/sla.html", context)


PERFORMANCE_COLUMNS = [
    Column(gettext_lazy("处理人")),
    Column(gettext_lazy("工单"), numeric=True),
    Column(gettext_lazy("已解决"), numeric=True),
    Column(gettext_lazy("按时解决"), numeric=True),
    Column(gettext_lazy("响应超时"), numeric=True),
    Column(gettext_lazy("解决超时"), numeric=True),
    Column(gettext_lazy("平均评分")),
    Column(gettext_lazy("平均转手")),
    Column(gettext_lazy("维修收费")),
]


def _average(value) -> str:
    return f"{value:.1f}" if value is not None else "—"


@staff_view(Action.WORKORDER_DISPATCH, "workorders_performance")
def performance(request, console: Console):
    user, community_id = request.user, console.community.id
    days, since = _since(request)
    rows = [
        cells(
            r["responsible__display_name"] or r["responsible__username"],
            r["total"],
            r["resolved"],
            r["on_time"],
            r["response_overdue"],
            r["resolution_overdue"],
            _average(r["rating"]),
            _average(r["hops"]),
            yuan(r["charged_fen"] or 0),
        )
        for r in queries.performance(user, community_id, since)
    ]
    context = {
        "days": days,
        "periods": PERIODS,
        "table": Table(PERFORMANCE_COLUMNS, rows, empty_text=_("这段时间还没有工单")),
        "hops": queries.hops_report(user, community_id, since),
    }
    return console.render(request, "workorders/console/performance.html", context)


# --- setup ------------------------------------------------------------------------------------


def _saved(request, console: Console, url_name: str, *args):
    messages.success(request, _("已保存"))
    return redirect(console.reverse(url_name, *args))


CATEGORY_COLUMNS = [
    Column(gettext_lazy("名称")),
    Column(gettext_lazy("类型")),
    Column(gettext_lazy("所需技能")),
    Column(gettext_lazy("默认班组")),
    Column(gettext_lazy("默认优先级")),
    Column(gettext_lazy("对外开放")),
]
KINDS = dict(Kind.choices)
PRIORITIES = dict(Priority.choices)


@staff_view(Action.WORKORDER_VIEW, "workorders_categories")
def categories(request, console: Console):
    user, community_id = request.user, console.community.id
    may_setup = console.may(Action.WORKORDER_SETUP)
    teams = queries.teams(user, community_id)
    form = CategoryForm(request.POST or None, teams=teams) if may_setup else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            setup.do_create_category(actor=user, community_id=community_id, **form.cleaned_data)
            return _saved(request, console, "workorders:categories")
        except ServiceError as exc:
            show_service_error(form, exc)
    rows = [
        cells(
            Cell(c.name, href=console.reverse("workorders:category", c.pk)),
            KINDS.get(c.kind, c.kind),
            c.skill or "—",
            c.default_team.name if c.default_team_id else "—",
            PRIORITIES.get(c.default_priority, c.default_priority),
            _("是") if c.public else _("否"),
        )
        for c in queries.categories(user, community_id).select_related("default_team")
    ]
    context = {"table": Table(CATEGORY_COLUMNS, rows), "form": form}
    return console.render(request, "workorders/console/categories.html", context)


@staff_view(Action.WORKORDER_VIEW, "workorders_categories")
def category(request, console: Console, category_id: int):
    """A category's deadlines, one row per priority, each editable by whoever sets up."""
    found = get_or_404(queries.categories(request.user, console.community.id), pk=category_id)
    policies = {p.priority: p for p in found.slas.all()}
    may_setup = console.may(Action.WORKORDER_SETUP)
    posted = request.POST.get("priority") if request.method == "POST" and may_setup else None
    forms = []
    for priority, label in Priority.choices:
        form = SlaForm(
            request.POST if posted == priority else None, prefix=priority, instance=policies.get(priority)
        )
        if posted == priority and form.is_valid():
            try:
                setup.do_set_sla(actor=request.user, category=found, priority=priority, **form.cleaned_data)
                return _saved(request, console, "workorders:category", found.pk)
            except ServiceError as exc:
                show_service_error(form, exc)
        forms.append((priority, label, form))
    crumbs = [(_("类别与时限"), console.reverse("workorders:categories"))]
    context = {"category": found, "forms": forms, "may_setup": may_setup, "crumbs": crumbs}
    return console.render(request, "workorders/console/category.html", context)


@staff_view(Action.WORKORDER_VIEW, "workorders_teams")
def teams(request, console: Console):
    user, community_id = request.user, console.community.id
    found = queries.teams(user, community_id)
    may_setup = console.may(Action.WORKORDER_SETUP)
    staff = accounts_queries.staff_members(user, community_id).order_by("id") if may_setup else ()
    posted = request.POST if request.method == "POST" and may_setup else None
    team_form = TeamForm(posted if posted and "team-name" in posted else None, prefix="team")
    handler_form = HandlerForm(
        posted if posted and "handler-user" in posted else None, prefix="handler", teams=found, users=staff
    )
    try:
        if team_form.is_bound and team_form.is_valid():
            setup.do_create_team(actor=user, community_id=community_id, **team_form.cleaned_data)
            return _saved(request, console, "workorders:teams")
        if handler_form.is_bound and handler_form.is_valid():
            data = handler_form.cleaned_data
            setup.do_add_handler(
                actor=user,
                team=get_or_404(found, pk=data["team"]),
                user=get_or_404(staff, pk=data["user"]),
                skills=handler_form.skill_list(),
            )
            return _saved(request, console, "workorders:teams")
    except ServiceError as exc:
        show_service_error(team_form if team_form.is_bound else handler_form, exc)
    context = {
        "teams": found.select_related("supervisor"),
        "handlers": queries.handlers(user, community_id),
        "team_form": team_form if may_setup else None,
        "handler_form": handler_form if may_setup else None,
    }
    return console.render(request, "workorders/console/teams.html", context)


PRICE_COLUMNS = [Column(gettext_lazy("名称")), Column(gettext_lazy("单位")), Column(gettext_lazy("单价"))]


@staff_view(Action.WORKORDER_VIEW, "workorders_prices")
def prices(request, console: Console):
    user, community_id = request.user, console.community.id
    form = PriceForm(request.POST or None) if console.may(Action.WORKORDER_SETUP) else None
    if form is not None and request.method == "POST" and form.is_valid():
        setup.do_create_price(actor=user, community_id=community_id, **form.cleaned_data)
        return _saved(request, console, "workorders:prices")
    rows = [cells(p.name, p.unit, yuan(p.price_fen)) for p in queries.prices(user, community_id)]
    context = {"table": Table(PRICE_COLUMNS, rows), "form": form}
    return console.render(request, "workorders/console/prices.html", context)


@staff_view(Action.WORKORDER_SETUP, "workorders_settings")
def settings(request, console: Console):
    community_id = console.community.id
    current = setup.settings_of(community_id)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            setup.do_update_settings(actor=request.user, community_id=community_id, **form.cleaned_data)
            return _saved(request, console, "workorders:settings")
        except ServiceError as exc:
            show_service_error(form, exc)
    context = {"form": form, "work_start": current.work_start, "work_end": current.work_end}
    return console.render(request, "workorders/console/settings.html", context)
