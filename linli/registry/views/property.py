"""Console, property side: overview, buildings → units → houses → a house and its household."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.context import on_behalf_of
from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.masking import mask_phone
from linli.core.roles import Action
from linli.core.shell import nav
from linli.core.shell.common import (
    Console,
    page_of,
    show_service_error,
    staff_view,
)
from linli.core.shell.formatting import area, day_label
from linli.core.shell.tables import Cell, Column, Table, cells
from linli.core.shell.timeline import history
from linli.registry import queries as registry
from linli.registry import services
from linli.registry.choices import Relation
from linli.registry.forms import CounterEndForm, CounterResidentForm
from linli.registry.models import House


@dataclass(frozen=True)
class HomeNumber:
    key: str
    label: str
    value: int | str | None
    url: str
    topics: tuple[str, ...]


def home_numbers(request, console: Console) -> list[HomeNumber]:
    """The figures apps registered for the console home (linli.core.shell.nav), those the user
    acts on, each computed in the user's scope."""
    return [
        HomeNumber(
            spec.key,
            str(spec.label),
            spec.compute(request.user, console.community.id),
            console.reverse(spec.url_name) if spec.url_name else "",
            spec.topics,
        )
        for spec in nav.home_figures()
        if console.may(spec.action)
    ]


@staff_view(section="overview")
def overview(request, console: Console):
    if request.GET.get("part") == "figures":  # the figures alone, polled by the page (htmx)
        return console.render(
            request, "registry/console/_home_figures.html", {"numbers": home_numbers(request, console)}
        )
    cid = console.community.id
    numbers = home_numbers(request, console)
    buildings = registry.building_summaries(request.user, cid)
    population, rows = registry.population_seen_by(request.user, cid)
    population = population if console.can["stats"] else None
    by_building = {row["building_id"]: row for row in rows}
    columns = [Column(_("楼栋")), Column(_("单元"), True), Column(_("房屋"), True)]
    if population is not None:
        columns += [Column(_("实有人口"), True), Column(_("流动人口"), True)]
    table = Table(columns, empty_text=_("还没有楼栋"))
    for b in buildings:
        row = cells(
            Cell(b.name, href=console.reverse("registry:building", b.id)), b.unit_count, b.house_count
        )
        if population is not None:
            counts = by_building.get(b.id, {})
            row += cells(counts.get("real", 0), counts.get("floating", 0))
        table.rows.append(row)
    return console.render(
        request,
        "registry/console/overview.html",
        {
            "buildings": len(buildings),
            "houses": sum(b.house_count for b in buildings),
            "population": population,
            "table": table,
            "numbers": numbers,
            # Read again at once when an event one of the shown numbers follows arrives.
            "live_topics": " ".join(sorted({t for number in numbers for t in number.topics})),
        },
    )


@staff_view(section="buildings")
def buildings(request, console: Console):
    table = Table(
        [Column(_("楼栋")), Column(_("层数"), True), Column(_("单元"), True), Column(_("房屋"), True)],
        empty_text=_("还没有楼栋"),
    )
    for b in registry.building_summaries(request.user, console.community.id):
        table.rows.append(
            cells(
                Cell(b.name, href=console.reverse("registry:building", b.id)),
                b.floors,
                b.unit_count,
                b.house_count,
            )
        )
    return console.render(request, "linli/staff/table_page.html", {"title": _("楼栋与房屋"), "table": table})


@staff_view(section="buildings")
def building(request, console: Console, building_id: int):
    b = get_or_404(registry.buildings(request.user, console.community.id), pk=building_id)
    table = Table([Column(_("单元")), Column(_("房屋"), True)], empty_text=_("该楼栋还没有单元"))
    for u in registry.units_with_counts(request.user, b.id):
        table.rows.append(cells(Cell(u.name, href=console.reverse("registry:unit", u.id)), u.house_count))
    return console.render(
        request,
        "linli/staff/table_page.html",
        {
            "title": b.name,
            "sub": _("%(floors)s 层") % {"floors": b.floors},
            "crumbs": [(_("楼栋与房屋"), console.reverse("registry:buildings"))],
            "table": table,
        },
    )


@staff_view(section="buildings")
def unit(request, console: Console, unit_id: int):
    u = get_or_404(
        registry.units_any(request.user).filter(building__community_id=console.community.id), pk=unit_id
    )
    rows, next_url, first_url = page_of(request, registry.houses_with_headcount(request.user, u.id))
    table = Table(
        [
            Column(_("房号")),
            Column(_("楼层"), True),
            Column(_("建筑面积"), True),
            Column(_("类型")),
            Column(_("住户"), True),
        ],
        next_url=next_url,
        first_url=first_url,
        empty_text=_("该单元还没有房屋"),
    )
    for h in rows:
        table.rows.append(
            cells(
                Cell(h.number, href=console.reverse("registry:house", h.id)),
                h.floor,
                area(h.area),
                h.get_type_display(),
                h.headcount,
            )
        )
    return console.render(
        request,
        "linli/staff/table_page.html",
        {
            "title": f"{u.building.name} {u.name}",
            "crumbs": [
                (_("楼栋与房屋"), console.reverse("registry:buildings")),
                (u.building.name, console.reverse("registry:building", u.building_id)),
            ],
            "table": table,
        },
    )


def _house(request, console: Console, house_id: int) -> House:
    try:
        house = registry.house_with_household(request.user, house_id)
    except House.DoesNotExist:
        raise Http404 from None
    if house.community_id != console.community.id:
        raise Http404
    return house


@staff_view(section="buildings")
def house(request, console: Console, house_id: int):
    return _house_page(request, console, _house(request, console, house_id))


def _house_page(request, console: Console, h: House, form=None):
    household = h.household if console.can["people"] else []
    if form is None and console.can["people_change"]:
        form = CounterResidentForm(household=household, initial={"relation": Relation.TENANT})
    occupancy_ids = registry.occupancies(request.user).filter(house=h).values_list("id", flat=True)
    return console.render(
        request,
        "registry/console/house.html",
        {
            "house": h,
            "household": [
                {
                    "occupancy": o,
                    "phone": mask_phone(o.person.phone),
                    "until": day_label(o.valid_to, with_year=True),
                }
                for o in household
            ],
            "form": form,
            "end_form": CounterEndForm(),
            "may_change_property": console.may(Action.PROPERTY_CHANGE),
            "history": history(
                request.user, console, {"registry.house": [h.pk], "registry.occupancy": occupancy_ids}
            ),
            "crumbs": [
                (_("楼栋与房屋"), console.reverse("registry:buildings")),
                (h.building.name, console.reverse("registry:building", h.building_id)),
                (h.unit.name, console.reverse("registry:unit", h.unit_id)),
            ],
        },
        status=422 if form is not None and form.errors else 200,
    )


@require_POST
@staff_view(Action.PEOPLE_CHANGE, section="buildings")
def register_at_counter(request, console: Console, house_id: int):
    """代办 at the counter: staff register a resident for the household in front of them."""
    h = _house(request, console, house_id)
    form = CounterResidentForm(request.POST, household=h.household)
    if form.is_valid():
        data = dict(form.cleaned_data)
        served_id = data.pop("on_behalf")
        served = next((o.person for o in h.household if o.person_id == served_id), None)
        try:
            with on_behalf_of(f"{served.name}#{served.pk}" if served else ""):
                occupancy = services.do_register_resident(actor=request.user, house=h, **data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已登记%(relation)s %(name)s")
                % {"relation": occupancy.get_relation_display(), "name": occupancy.person.name},
            )
            return redirect(console.reverse("registry:house", h.pk))
    return _house_page(request, console, h, form)


@require_POST
@staff_view(Action.PROPERTY_CHANGE, section="buildings")
def set_developer_held(request, console: Console, house_id: int):
    """Mark the house as the developer's unsold or undelivered part, or no longer."""
    h = _house(request, console, house_id)
    held = request.POST.get("held") == "1"
    try:
        services.do_set_developer_held(actor=request.user, house=h, held=held)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已标记为开发商持有") if held else _("已取消开发商持有标记"))
    return redirect(console.reverse("registry:house", h.pk))


@require_POST
@staff_view(Action.PEOPLE_CHANGE, section="buildings")
def end_occupancy(request, console: Console, occupancy_id: int):
    occupancy = get_or_404(
        registry.occupancies(request.user)
        .filter(house__community_id=console.community.id)
        .select_related("house", "person"),
        pk=occupancy_id,
    )
    form = CounterEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择结束原因和日期"))
        return redirect(console.reverse("registry:house", occupancy.house_id))
    try:
        services.do_end_occupancy(actor=request.user, occupancy=occupancy, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s 的居住登记已结束") % {"name": occupancy.person.name})
    return redirect(console.reverse("registry:house", occupancy.house_id))
