"""Resident H5: my home, my household, my vehicles, and the landlord's tenant flow (REG-3)."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.channels.wechat_config import wechat_status
from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.masking import mask_phone
from linli.core.restrict import scope_of
from linli.core.shell.common import is_staff, page_of, resident_view, show_service_error
from linli.core.shell.formatting import day_label
from linli.core.shell.nav import home_cards
from linli.notify import services as notify
from linli.notify.queries import inbox
from linli.registry import queries, services
from linli.registry.choices import OWNING, EndReason, Relation
from linli.registry.forms import EndOccupancyForm, ResidentForm, relations_a_household_may_register
from linli.registry.models import House, Occupancy


@dataclass
class Member:
    """One person of my household as I may see them: my own phone in full, the others masked."""

    occupancy: Occupancy
    house: House
    is_me: bool
    phone: str
    may_end: bool

    @property
    def period(self) -> str:
        if self.occupancy.valid_to is None:
            return ""
        return _("至 %(day)s") % {"day": day_label(self.occupancy.valid_to)}


def _members(user, house: House) -> list[Member]:
    mine = scope_of(user).person_ids
    rows = []
    for occ in house.household:
        is_me = occ.person_id in mine
        rows.append(
            Member(
                occupancy=occ,
                house=house,
                is_me=is_me,
                phone=occ.person.phone if is_me else mask_phone(occ.person.phone),
                may_end=_may_end(house.my_relation, occ, is_me),
            )
        )
    return rows


@dataclass
class Housemate:
    """One person across all my houses (I may own one flat and live in another with them)."""

    name: str
    is_me: bool
    phone: str
    stays: list[Member]


def _housemates(user, houses: list[House]) -> list[Housemate]:
    people: dict[int, Housemate] = {}
    for house in houses:
        for m in _members(user, house):
            mate = people.setdefault(
                m.occupancy.person_id, Housemate(m.occupancy.person.name, m.is_me, m.phone, [])
            )
            mate.stays.append(m)
    return sorted(people.values(), key=lambda mate: not mate.is_me)


def _may_end(my_relation: str | None, occ: Occupancy, is_me: bool) -> bool:
    """Offer the action the service will accept: the landlord ends a tenancy, a tenant or family member
    moves out. An owner's own title ends at the counter (sale), not from the phone."""
    if occ.relation not in (Relation.TENANT, Relation.FAMILY):
        return False
    return is_me or my_relation in OWNING


def _my_house(user, house_id: int) -> House:
    house = next((h for h in queries.my_households(user) if h.pk == house_id), None)
    if house is None:
        raise Http404
    return house


@resident_view
def home(request):
    houses = queries.my_households(request.user)
    if not houses and is_staff(request.user):
        return redirect("web:staff_home")
    mine = scope_of(request.user).person_ids
    for house in houses:
        house.my_occupancy = next((o for o in house.household if o.person_id in mine), None)
    return render(
        request,
        "linli/resident/home.html",
        {
            "tab": "home",
            "today": timezone.localdate(),
            "houses": houses,
            "household": _housemates(request.user, houses),
            "several_houses": len(houses) > 1,
            "vehicles": list(
                queries.my_vehicles(request.user).select_related("house__building", "house__unit")
            ),
        },
    )


@resident_view
def house_detail(request, house_id: int):
    house = _my_house(request.user, house_id)
    return render(
        request,
        "linli/resident/house.html",
        {
            "tab": "home",
            "back": reverse("web:home"),
            "house": house,
            "members": _members(request.user, house),
            "may_register": bool(relations_a_household_may_register(house.my_relation)),
        },
    )


@resident_view
def register_resident(request, house_id: int):
    house = _my_house(request.user, house_id)
    relations = relations_a_household_may_register(house.my_relation)
    if not relations:
        raise Http404
    form = ResidentForm(request.POST or None, relations=relations, initial={"relation": relations[0]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            occupancy = services.do_register_resident(actor=request.user, house=house, **data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _registered_message(occupancy))
            return redirect("web:house", house_id=house.pk)
    return render(
        request,
        "linli/resident/register.html",
        {"tab": "home", "back": reverse("web:house", args=[house.pk]), "house": house, "form": form},
    )


def _registered_message(occupancy: Occupancy) -> str:
    relation = occupancy.get_relation_display()
    if occupancy.valid_to:
        return _("已登记%(relation)s %(name)s，至 %(day)s") % {
            "relation": relation,
            "name": occupancy.person.name,
            "day": day_label(occupancy.valid_to),
        }
    return _("已登记%(relation)s %(name)s") % {"relation": relation, "name": occupancy.person.name}


@resident_view
def member_detail(request, house_id: int, occupancy_id: int):
    """One person of my household, with the one thing I may do about them (end the stay)."""
    house = _my_house(request.user, house_id)
    member = next((m for m in _members(request.user, house) if m.occupancy.pk == occupancy_id), None)
    if member is None:
        raise Http404
    form = EndOccupancyForm(request.POST or None)
    if request.method == "POST" and member.may_end and form.is_valid():
        occ = member.occupancy
        reason = EndReason.LEASE_ENDED_EARLY if occ.relation == Relation.TENANT else EndReason.MOVED_OUT
        try:
            services.do_end_occupancy(
                actor=request.user, occupancy=occ, reason=reason, on=form.cleaned_data["on"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s 的居住登记已结束") % {"name": occ.person.name})
            if member.is_me:
                return redirect("web:home")
            return redirect("web:house", house_id=house.pk)
    return render(
        request,
        "linli/resident/member.html",
        {"tab": "home", "back": reverse("web:house", args=[house.pk]), "member": member, "form": form},
    )


@resident_view
def services_page(request):
    # Inviting a visitor, passes, codes and face enrolment need a home here; opening a door explains
    # itself (its page says to register with the property office).
    has_home = bool(scope_of(request.user).house_ids)
    cards = home_cards(has_home=has_home)
    return render(request, "linli/resident/services.html", {"tab": "services", "cards": cards})


@resident_view
def messages_page(request):
    rows, next_url, first_url = page_of(request, inbox(request.user), newest_first=True, limit=30)
    return render(
        request,
        "linli/resident/messages.html",
        {"tab": "messages", "notifications": rows, "next_url": next_url, "first_url": first_url},
    )


@require_POST
@resident_view
def open_message(request, notification_id: int):
    """Marks one message read and follows its link (a path on this site only)."""
    notification = get_or_404(inbox(request.user), pk=notification_id)
    notify.do_mark_read(actor=request.user, notification=notification)
    link = notification.link
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("web:messages")


@require_POST
@resident_view
def read_all_messages(request):
    notify.do_mark_all_read(actor=request.user)
    return redirect("web:messages")


@resident_view
def me(request):
    return render(
        request,
        "linli/resident/me.html",
        {
            "tab": "me",
            "is_staff": is_staff(request.user),
            "phone": request.user.phone,
            "wechat": wechat_status()["configured"],
        },
    )
