"""The console's own pages, above every app: /staff/ opens the first community the user works in
(the operator's first day: the new-community page), and the top bar's community switcher."""

from django.http import Http404
from django.shortcuts import redirect

from linli.core import queries as core_queries
from linli.core.restrict import scope_of
from linli.core.shell.common import is_staff, to_staff_sign_in


def staff_home(request):
    if not request.user.is_authenticated:
        return to_staff_sign_in(request)
    if not is_staff(request.user):
        return redirect("web:home")
    first = core_queries.staff_communities(request.user).order_by("id").first()
    if first is None and scope_of(request.user).is_operator:
        return redirect("accounts:new_community")  # the first day: nothing to run yet
    if first is None:
        raise Http404
    return redirect("registry:overview", cid=first.id)


def switch_community(request):
    raw = request.GET.get("community", "")
    if not raw.isdigit():
        return redirect("web:staff_home")
    return redirect("registry:overview", cid=int(raw))
