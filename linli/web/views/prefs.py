"""Elderly mode switch (长辈模式), usable from the very first page, signed in or not."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linli.accounts.services import do_update_profile
from linli.core.shell.common import safe_next
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
