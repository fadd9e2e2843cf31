"""The mini-program's sign-in (its front end is not part of linli): `wx.login()`'s code in, an
API token out if the openid is bound; else a ticket for the one-time phone check, which goes
through accounts' SMS code (POST /auth/sms-code) and POST /wechat/mini/bind. And a signed-in
user's own WeChat bindings, masked, which they may undo."""

from ninja import Router, Status

from linli.accounts import limits
from linli.accounts import services as accounts
from linli.accounts.api import sign_in_endpoint
from linli.accounts.queries import profile
from linli.accounts.sessions import client_ip
from linli.channels import queries
from linli.channels.schemas import (
    WeChatBindingOut,
    WeChatMiniBindIn,
    WeChatMiniSessionIn,
    WeChatMiniSessionOut,
)
from linli.channels.services import wechat_binding

router = Router(tags=["wechat"])

TOKEN_NAME = "wechat-mini"


def _with_token(user) -> dict:
    issued = accounts.do_issue_token(actor=user, name=TOKEN_NAME, expires_in_days=limits.TOKEN_DEFAULT_DAYS)
    return {
        "bound": True,
        "user": profile(user),
        "token": issued.raw,
        "token_expires_at": issued.token.expires_at,
    }


@router.post("/wechat/mini/session", response=WeChatMiniSessionOut, auth=None)
@sign_in_endpoint
def mini_session(request, data: WeChatMiniSessionIn):
    """`wechat_code_invalid` (a code used or made up), `wechat_not_configured`, 503
    `wechat_unavailable`; 403 `account_disabled`, `password_sign_in_required`."""
    outcome = wechat_binding.do_sign_in_with_mini_program(code=data.code, ip=client_ip(request))
    if outcome.user is not None:
        return _with_token(outcome.user)
    return {
        "bound": False,
        "ticket": outcome.ticket,
        "ticket_expires_in": int(wechat_binding.TICKET_TTL.total_seconds()),
    }


@router.post("/wechat/mini/bind", response=WeChatMiniSessionOut, auth=None)
@sign_in_endpoint
def mini_bind(request, data: WeChatMiniBindIn):
    """`wechat_ticket_invalid` (used, expired or made up), `invalid_code` (the SMS code), 409
    `wechat_openid_bound` (the WeChat is another account's), `wechat_account_bound`."""
    user = wechat_binding.do_bind_wechat(
        ticket=data.ticket, phone=data.phone, code=data.code, ip=client_ip(request)
    )
    return _with_token(user)


@router.get("/wechat/bindings", response=list[WeChatBindingOut])
def my_bindings(request):
    return queries.my_wechat_bindings(request.user)


@router.delete("/wechat/bindings/{identity_id}", response={204: None})
def unbind(request, identity_id: int):
    """404 for another user's binding."""
    wechat_binding.do_unbind_wechat(actor=request.user, identity_id=identity_id)
    return Status(204, None)
