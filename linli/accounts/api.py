"""Sign-in endpoints for apps, plus the signed-in user's own settings and tokens.

The sign-in endpoints take no auth and accept only `application/json` from a same-origin page
or a native app (no Origin header): an HTML form on another site can send neither, which is
what keeps them safe from login CSRF without a CSRF token. The web's own login pages are
Django views that call the services directly.
"""

import functools
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from linli.accounts import limits, queries, services
from linli.accounts.schemas import (
    MeOut,
    MePatch,
    SignedInOut,
    SmsCodeIn,
    SmsCodeOut,
    SmsLoginIn,
    StaffLoginIn,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    TotpConfirmIn,
    TotpEnableOut,
)
from linli.accounts.sessions import client_ip, end_session, start_session
from linli.core.errors import Forbidden, UnsupportedMediaType
from linli.core.http import get_or_404

router = Router(tags=["accounts"])


def _refuse_cross_site(request) -> None:
    if request.content_type != "application/json":  # the API's parser refuses it first, with this code
        raise UnsupportedMediaType(request.content_type)
    origin = request.headers.get("Origin")
    own = f"{request.scheme}://{request.get_host()}"
    if origin and origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS:
        raise Forbidden(_("不接受来自其他网站的登录请求"), code="cross_origin")


def sign_in_endpoint(view):
    """Same-site JSON only (the API's error handler adds Retry-After to a 429)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        _refuse_cross_site(request)
        return view(request, *args, **kwargs)

    return wrapper


def _signed_in(request, user, *, want_token: bool, token_name: str) -> dict:
    start_session(request, user)
    body = {"user": queries.profile(user)}
    if want_token:
        issued = services.do_issue_token(
            actor=user, name=token_name, expires_in_days=limits.TOKEN_DEFAULT_DAYS
        )
        body.update(token=issued.raw, token_expires_at=issued.token.expires_at)
    return body


@router.post("/auth/sms-code", response={202: SmsCodeOut}, auth=None)
@sign_in_endpoint
def request_sms_code(request, data: SmsCodeIn):
    services.do_request_sms_code(phone=data.phone, ip=client_ip(request))
    return Status(
        202,
        {
            "expires_in": int(limits.SMS_CODE_TTL.total_seconds()),
            "resend_after": int(limits.SMS_SEND_PHONE_MINUTE.window.total_seconds()),
        },
    )


@router.post("/auth/sms-login", response=SignedInOut, auth=None)
@sign_in_endpoint
def sms_login(request, data: SmsLoginIn):
    user = services.do_sign_in_with_sms(phone=data.phone, code=data.code, ip=client_ip(request))
    return _signed_in(request, user, want_token=data.want_token, token_name=data.token_name)


@router.post("/auth/login", response=SignedInOut, auth=None)
@sign_in_endpoint
def staff_login(request, data: StaffLoginIn):
    user = services.authenticate_staff(
        username=data.username, password=data.password, totp=data.totp, ip=client_ip(request)
    )
    return _signed_in(request, user, want_token=data.want_token, token_name=data.token_name)


@router.post("/auth/logout", response={204: None})
def sign_out(request):
    """Ends the session; called with a bearer token, revokes that token too."""
    token = getattr(request, "api_token", None)
    if token is not None:
        services.do_revoke_token(actor=request.user, token=token)
    end_session(request)
    return Status(204, None)


@router.get("/auth/me", response=MeOut)
def me(request):
    return queries.profile(request.user)


@router.patch("/auth/me", response=MeOut)
def update_me(request, data: MePatch):
    user = services.do_update_profile(actor=request.user, **data.dict(exclude_unset=True))
    return queries.profile(user)


@router.get("/auth/tokens", response=list[TokenOut])
def list_tokens(request):
    return list(queries.live_tokens(request.user)[: limits.TOKENS_PER_USER * 2])


@router.post("/auth/tokens", response={201: TokenCreatedOut})
def issue_token(request, data: TokenIn):
    issued = services.do_issue_token(actor=request.user, name=data.name, expires_in_days=data.expires_in_days)
    return Status(201, {**TokenOut.model_validate(issued.token).model_dump(), "token": issued.raw})


@router.delete("/auth/tokens/{token_id}", response={204: None})
def revoke_token(request, token_id: int):
    token = get_or_404(queries.live_tokens(request.user), pk=token_id)
    services.do_revoke_token(actor=request.user, token=token)
    return Status(204, None)


@router.post("/auth/totp/enable", response=TotpEnableOut)
def enable_totp(request):
    uri = services.do_enable_totp(actor=request.user)
    return {"provisioning_uri": uri, "secret": parse_qs(urlsplit(uri).query)["secret"][0]}


@router.post("/auth/totp/confirm", response={204: None})
def confirm_totp(request, data: TotpConfirmIn):
    services.do_confirm_totp(actor=request.user, code=data.code)
    return Status(204, None)
