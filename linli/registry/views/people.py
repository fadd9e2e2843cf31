"""Staff console, people side: people, a person (masked, with a logged reveal), search, vehicles, care."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.masking import mask_phone, mask_plate
from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, staff_view
from linli.core.shell.formatting import moment_label
from linli.core.shell.tables import Cell, Column, Filter, Table, cells
from linli.core.shell.timeline import history
from linli.registry import privacy
from linli.registry import queries as registry
from linli.registry.forms import RevealForm
from linli.registry.models import Person
from linli.registry.validators import clean_plate

SEARCH_LIMIT = 50


def _person_cells(console: Console, p: Person) -> list[Cell]:
    return cells(
        Cell(p.name, href=console.reverse("registry:person", p.id)),
        p.get_gender_display() if p.gender else "—",
        Cell(mask_phone(p.phone) or "—", mono=True),
        Cell(_("本地户籍") if p.hukou_local else _("流动人口"), badge="muted" if p.hukou_local else "info"),
        " · ".join(
            _("%(house)s（%(relation)s）") % {"house": o.house.label, "relation": o.get_relation_display()}
            for o in p.current
        )
        or "—",
    )


def _people_columns() -> list[Column]:
    return [Column(_("姓名")), Column(_("性别")), Column(_("手机号")), Column(_("户籍")), Column(_("房屋"))]


@staff_view(Action.PEOPLE_VIEW, section="people")
def people(request, console: Console):
    q = request.GET.get("q", "").strip()
    cid = console.community.id
    qs = (
        registry.search_people(request.user, cid, q)
        if q
        else registry.people(request.user).filter(community_id=cid)
    )
    rows, next_url, first_url = page_of(request, registry.with_current_houses(request.user, qs))
    table = Table(
        _people_columns(),
        rows=[_person_cells(console, p) for p in rows],
        filters=[Filter("q", _("姓名、完整手机号或身份证号"), q)],
        next_url=next_url,
        first_url=first_url,
        empty_text=_("没有找到人员"),
    )
    return console.render(
        request, "linli/staff/table_page.html", {"title": pgettext("plural", "人员"), "table": table}
    )


def _person(request, console: Console, person_id: int) -> Person:
    return get_or_404(registry.people(request.user).filter(community_id=console.community.id), pk=person_id)


def _person_page(request, console: Console, person: Person, contact: dict):
    occupancies = registry.person_houses(request.user, person.pk)
    vehicles = registry.person_vehicles(request.user, person.pk)
    occupancy_ids = registry.occupancies(request.user).filter(person=person).values_list("id", flat=True)
    objects = {
        "registry.person": [person.pk],
        "registry.occupancy": occupancy_ids,
        "registry.vehicle": [v.pk for v in vehicles],
    }
    return console.render(
        request,
        "registry/console/person.html",
        {
            "person": person,
            "contact": contact,
            "revealed": not contact["masked"],
            "may_reveal": contact["masked"] and privacy.may_see_full(request.user, person),
            "purposes": RevealForm(),
            "occupancies": occupancies,
            "vehicles": vehicles,
            "care_tags": list(person.care_tags.filter(revoked_at__isnull=True))
            if console.can["care"]
            else [],
            "history": history(request.user, console, objects),
            "crumbs": [(pgettext("plural", "人员"), console.reverse("registry:people"))],
        },
    )


@staff_view(Action.PEOPLE_VIEW, section="people")
def person(request, console: Console, person_id: int):
    p = _person(request, console, person_id)
    return _person_page(request, console, p, privacy.person_contact(request.user, p, reveal=False))


@require_POST
@staff_view(Action.PEOPLE_VIEW, section="people")
def reveal(request, console: Console, person_id: int):
    """显示完整信息: the full phone and ID number, for a stated purpose, logged (SEC-1)."""
    p = _person(request, console, person_id)
    form = RevealForm(request.POST)
    purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
    contact = privacy.person_contact(request.user, p, reveal=bool(purpose), purpose=purpose)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "linli/components/masked.html",
            {
                **contact,
                "revealed": not contact["masked"],
                "reveal_url": console.reverse("registry:reveal", p.pk)
                if privacy.may_see_full(request.user, p)
                else "",
                "purposes": form,
            },
        )
    return _person_page(request, console, p, contact)


def _looks_like_plate(q: str) -> bool:
    try:
        clean_plate(q)
    except ServiceError:
        return False
    return True


@staff_view(Action.PEOPLE_VIEW, section="people")
def search(request, console: Console):
    """One box at the counter: name prefix, a full phone or ID number (blind index), a plate, a house number."""
    q = request.GET.get("q", "").strip()
    cid = console.community.id
    found_people, found_vehicles, found_houses = [], [], []
    if q:
        found_people = list(
            registry.with_current_houses(request.user, registry.search_people(request.user, cid, q))[
                :SEARCH_LIMIT
            ]
        )
        if _looks_like_plate(q):
            found_vehicles = list(registry.vehicles_by_plate(request.user, cid, q))
        found_houses = list(registry.houses_by_number(request.user, cid, q))
    people_table = Table(_people_columns(), rows=[_person_cells(console, p) for p in found_people])
    vehicle_table = Table(
        [Column(_("车牌号")), Column(_("车主")), Column(_("房屋"))],
        rows=[
            cells(
                Cell(v.plate, mono=True),
                Cell(v.person.name, href=console.reverse("registry:person", v.person_id)),
                Cell(v.house.label, href=console.reverse("registry:house", v.house_id)) if v.house else "—",
            )
            for v in found_vehicles
        ],
    )
    house_table = Table(
        [Column(_("房屋")), Column(_("类型"))],
        rows=[
            cells(Cell(h.label, href=console.reverse("registry:house", h.id)), h.get_type_display())
            for h in found_houses
        ],
    )
    return console.render(
        request,
        "registry/console/search.html",
        {
            "q": q,
            "people_table": people_table,
            "vehicle_table": vehicle_table,
            "house_table": house_table,
            "nothing": q and not (found_people or found_vehicles or found_houses),
        },
    )


@staff_view(Action.PEOPLE_VIEW, section="vehicles")
def vehicles(request, console: Console):
    plate = request.GET.get("plate", "").strip()
    cid = console.community.id
    qs = (
        registry.vehicles_by_plate(request.user, cid, plate)
        if plate
        else registry.community_vehicles(request.user, cid)
    )
    rows, next_url, first_url = page_of(request, qs)
    table = Table(
        [Column(_("车牌号")), Column(_("类型")), Column(_("车主")), Column(_("房屋"))],
        filters=[Filter("plate", _("完整车牌号"), plate)],
        next_url=next_url,
        first_url=first_url,
        empty_text=_("没有找到车辆"),
    )
    for v in rows:
        table.rows.append(
            cells(
                # A plate searched for in full is shown in full; a browsing list stays masked.
                Cell(v.plate if plate else mask_plate(v.plate), mono=True),
                v.get_kind_display(),
                Cell(v.person.name, href=console.reverse("registry:person", v.person_id)),
                Cell(v.house.label, href=console.reverse("registry:house", v.house_id)) if v.house else "—",
            )
        )
    return console.render(
        request, "linli/staff/table_page.html", {"title": pgettext("plural", "车辆"), "table": table}
    )


@staff_view(Action.CARE_VIEW, section="care")
def care(request, console: Console):
    rows, next_url, first_url = page_of(
        request, registry.community_care_tags(request.user, console.community.id)
    )
    table = Table(
        [
            Column(_("姓名")),
            Column(_("关爱类型")),
            Column(_("备注")),
            Column(_("同意人")),
            Column(_("同意方式")),
            Column(_("同意时间")),
            Column(_("紧急联系人")),
        ],
        next_url=next_url,
        first_url=first_url,
        empty_text=_("没有关爱对象"),
    )
    for t in rows:
        table.rows.append(
            cells(
                Cell(t.person.name, href=console.reverse("registry:person", t.person_id)),
                Cell(t.get_kind_display(), badge="warn"),
                t.note or "—",
                t.consent_by,
                t.consent_method,
                moment_label(t.consent_at),
                t.emergency_contact.name if t.emergency_contact else "—",
            )
        )
    return console.render(
        request,
        "linli/staff/table_page.html",
        {"title": _("关爱对象"), "sub": _("仅记录经本人或监护人同意的关爱标签"), "table": table},
    )
