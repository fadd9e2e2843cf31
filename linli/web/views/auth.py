"""Sign-in pages: residents with phone + SMS code (two steps, htmx), staff with password (+TOTP)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts import services as accounts
from linli.accounts.forms import PhoneForm, SmsCodeForm
from linli.accounts.sessions import client_ip, end_session, send_sign_in_code, start_session
from linli.channels.wechat_config import official_account
from linli.core.errors import ServiceError
from linli.core.masking import mask_phone
from linli.core.shell.common import is_staff, safe_next, show_service_error
from linli.web.forms import StaffLoginForm
from linli.web.prefs import elderly_mode


def _signed_in(request, user, fallback: str):
    """Start the session; large type chosen before signing in stays on for the account."""
    wanted_elderly = elderly_mode(request)
    start_session(request, user)
    if wanted_elderly and not user.elderly_mode:
        accounts.do_update_profile(actor=user, elderly_mode=True)
    target = safe_next(request, fallback)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _login_page(request, step: str, form, *, phone: str = "", status: int = 200):
    context = {
        "step": step,
        "form": form,
        "phone_masked": mask_phone(phone),
        "next": safe_next(request, ""),
        # Inside WeChat's browser, its sign-in is one tap (the first time, with this phone check).
        "wechat": official_account() is not None
        and "MicroMessenger" in request.headers.get("User-Agent", ""),
    }
    template = "linli/auth/login_step.html" if request.headers.get("HX-Request") else "linli/auth/login.html"
    return render(request, template, context, status=status)


def resident_login(request):
    """Step 1: the phone number; a code is sent by SMS and step 2 replaces this form."""
    if request.method != "POST":
        return _login_page(request, "phone", PhoneForm())
    form = PhoneForm(request.POST)
    phone = send_sign_in_code(request, form)
    if phone is not None:
        return _login_page(request, "code", SmsCodeForm(initial={"phone": phone}), phone=phone)
    return _login_page(request, "phone", form, status=422)


@require_POST
def resident_code(request):
    """Step 2: the code from the SMS."""
    form = SmsCodeForm(request.POST)
    if form.is_valid():
        try:
            user = accounts.do_sign_in_with_sms(
                phone=form.cleaned_data["phone"], code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _signed_in(request, user, reverse("web:home"))
    return _login_page(request, "code", form, phone=request.POST.get("phone", ""), status=422)


def staff_login(request):
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.authenticate_staff(
                username=data["username"], password=data["password"], totp=data["totp"], ip=client_ip(request)
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _signed_in(request, user, reverse("web:staff_home"))
    status = 422 if form.errors else 200
    return render(
        request, "linli/auth/staff_login.html", {"form": form, "next": safe_next(request, "")}, status=status
    )


@require_POST
def logout_view(request):
    staff = is_staff(request.user)
    end_session(request)
    messages.info(request, _("您已退出登录"))
    return redirect("web:staff_login" if staff else "web:login")
