"""The resident H5's WeChat pages: sign in from WeChat's browser (web authorisation), the phone
check that binds a first-time openid, and the binding shown masked with a way to undo it."""

import secrets

from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.forms import PhoneForm, SmsCodeForm
from linli.accounts.sessions import client_ip, send_sign_in_code, start_session
from linli.channels import queries, wechat_api, wechat_config
from linli.channels.services import wechat_binding
from linli.core.errors import ServiceError
from linli.core.masking import mask_phone
from linli.core.shell import nav
from linli.core.shell.common import resident_view, safe_next, show_service_error

STATE_KEY = "wechat_oauth_state"  # the session's one expected `state`: a callback uses it up
NEXT_KEY = "wechat_oauth_next"
TICKET_KEY = "wechat_binding_ticket"  # the phone check's ticket, in this browser's session only
STATE_SALT = "linli.channels.wechat.oauth-state"
STATE_MAX_AGE = 600  # seconds: WeChat's code lives 5 minutes, the resident may dawdle on its page


def oauth_start(request):
    """Off to WeChat's authorisation page with a signed, single-use `state` tied to this session."""
    app = wechat_config.official_account()
    if app is None:
        raise Http404
    nonce = secrets.token_urlsafe(16)
    request.session[STATE_KEY] = nonce
    request.session[NEXT_KEY] = safe_next(request, "")
    state = signing.TimestampSigner(salt=STATE_SALT).sign(nonce)
    callback = request.build_absolute_uri(reverse("channels:wechat_callback"))
    return redirect(wechat_api.authorize_url(app, callback, state))


def oauth_callback(request):
    """Signed in if the openid is bound; else on to the phone check."""
    expected = request.session.pop(STATE_KEY, None)
    try:
        nonce = signing.TimestampSigner(salt=STATE_SALT).unsign(
            request.GET.get("state", ""), max_age=STATE_MAX_AGE
        )
    except signing.BadSignature:
        nonce = None
    if expected is None or nonce != expected:
        return _refused(request, _("微信授权已失效，请从微信重新进入"))
    try:
        outcome = wechat_binding.do_sign_in_with_official_account(
            code=request.GET.get("code", ""), ip=client_ip(request)
        )
    except ServiceError as exc:
        return _refused(request, exc.message, status=exc.status)
    if outcome.user is not None:
        return _signed_in(request, outcome.user)
    request.session[TICKET_KEY] = outcome.ticket
    return redirect("channels:wechat_bind")


def _refused(request, message, *, status: int = 400):
    return render(request, "channels/wechat_refused.html", {"message": message}, status=status)


def _signed_in(request, user):
    target = request.session.pop(NEXT_KEY, "") or nav.entrance("home")
    start_session(request, user)
    return redirect(target)


def bind(request):
    """The phone check: the phone, then the SMS code (accounts' sign-in code), then bound."""
    if not request.session.get(TICKET_KEY):
        return _refused(request, _("请从微信重新进入后再绑定手机号"))
    if request.method != "POST":
        return _bind_page(request, PhoneForm())
    if "code" not in request.POST:
        form = PhoneForm(request.POST)
        phone = send_sign_in_code(request, form)
        if phone is not None:
            return _bind_page(request, SmsCodeForm(initial={"phone": phone}), phone=phone)
        return _bind_page(request, form, status=422)
    form = SmsCodeForm(request.POST)
    if form.is_valid():
        try:
            user = wechat_binding.do_bind_wechat(
                ticket=request.session[TICKET_KEY],
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            del request.session[TICKET_KEY]
            messages.success(request, _("微信已绑定，下次在微信中打开可直接登录"))
            return _signed_in(request, user)
    return _bind_page(request, form, phone=request.POST.get("phone", ""), status=422)


def _bind_page(request, form, *, phone: str = "", status: int = 200):
    context = {"form": form, "code_step": isinstance(form, SmsCodeForm), "phone_masked": mask_phone(phone)}
    return render(request, "channels/wechat_bind.html", context, status=status)


@resident_view
def bindings(request):
    """The resident's WeChat, masked, with 解除绑定; SMS sign-in works with or without it."""
    context = {"bindings": queries.my_wechat_bindings(request.user), "back": reverse("web:me"), "tab": "me"}
    return render(request, "channels/wechat_bindings.html", context)


@require_POST
@resident_view
def unbind(request, identity_id: int):
    try:
        wechat_binding.do_unbind_wechat(actor=request.user, identity_id=identity_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404 from None
        raise
    messages.success(request, _("已解除微信绑定"))
    return redirect("channels:wechat_bindings")
