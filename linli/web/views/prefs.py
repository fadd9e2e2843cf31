"""Personal settings: elderly mode (长辈模式), usable from the very first page, signed in or not,
and which messages also come by SMS (消息提醒)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.services import do_update_profile
from linli.core.shell.common import is_staff, resident_view, safe_next
from linli.notify.queries import preferences
from linli.notify.services import do_set_preferences
from linli.notify.topics import Choice
from linli.web.prefs import COOKIE_MAX_AGE, ELDERLY_COOKIE


@require_POST
def elderly_mode(request):
    enabled = request.POST.get("enabled") == "1"
    response = redirect(safe_next(request, "/"))
    if request.user.is_authenticated:
        do_update_profile(actor=request.user, elderly_mode=enabled)
    # The cookie too: the login page after signing out keeps the large type.
    response.set_cookie(ELDERLY_COOKIE, "1" if enabled else "0", max_age=COOKIE_MAX_AGE, samesite="Lax")
    return response


def contact(request):
    """Where to reach the property office when no phone line is on record (or before sign-in)."""
    return render(request, "linli/resident/contact.html", {"tab": "services"})


@resident_view
def notifications(request):
    """A switch per topic and channel (SMS); the staff's topics to those who work for a community.
    Saving sets every switch shown: an unticked box is off."""
    staff = is_staff(request.user)
    rows = [row for row in preferences(request.user) if staff or not row["staff"]]
    if request.method == "POST":
        ticked = set(request.POST.getlist("on"))
        items = [Choice(r["topic"], r["channel"], f"{r['topic']}/{r['channel']}" in ticked) for r in rows]
        do_set_preferences(actor=request.user, items=items)
        messages.success(request, _("消息提醒设置已保存"))
        return redirect("web:notifications")
    return render(request, "linli/resident/notifications.html", {"tab": "me", "rows": rows})
