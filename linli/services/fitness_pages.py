"""Fitness screens (SVC-2): the resident's 健身 page — the garden's machines and how busy they
have been, and their own record with its consent switch — and the console's 健身器材 page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, resident_view, staff_view
from linli.services import queries_fitness
from linli.services.services import fitness

WEEK = 7


def _week(rows: list[dict]) -> list[dict]:
    """Each machine with its last seven days, for a compact table."""
    return [{**row, "week": row["days"][-WEEK:]} for row in rows]


@resident_view
def resident(request):
    people = queries_fitness.my_people(request.user)
    if request.method == "POST":
        person = next((p for p in people if str(p.community_id) == request.POST.get("community")), None)
        if person is None:
            raise Http404
        try:
            if request.POST.get("action") == "withdraw":
                erased = fitness.do_withdraw_fitness(actor=request.user, community_id=person.community_id)
                messages.success(request, _("已关闭健身记录，已删除 %(n)s 条记录") % {"n": erased})
            else:
                fitness.do_consent_fitness(actor=request.user, community_id=person.community_id)
                messages.success(request, _("已开启健身记录"))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("services:fitness")
    communities = []
    for person in people:
        consented = queries_fitness.consented(person.pk)
        mine = queries_fitness.my_uses(person.pk) if consented else []
        communities.append(
            {
                "person": person,
                "consented": consented,
                "mine_total": sum(n for _day, n in mine),
                "mine_week": mine[-WEEK:],
                "machines": _week(queries_fitness.machines(person.community_id)),
            }
        )
    context = {"communities": communities, "tab": "services", "back": reverse("services:home")}
    return render(request, "services/resident_fitness.html", context)


@staff_view(Action.SERVICES_VIEW, "services_fitness")
def console(request, console: Console):
    context = {
        "machines": _week(queries_fitness.machines(console.community.id)),
        "days": queries_fitness.DAYS,
    }
    return console.render(request, "services/console_fitness.html", context)
