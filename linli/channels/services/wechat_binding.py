"""Signing in with WeChat and binding it to an account (convention 1).

An openid alone never opens an account, let alone a house: WeChat only says who the phone's
WeChat user is, not which resident. The first time, the openid waits in a single-use ticket
(ten minutes) until the resident proves their phone with the SMS code of accounts' own sign-in;
that sign-in decides the account, and the openid is bound to it. Afterwards the openid signs that
account in, unless it was disabled or needs its second factor.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts import services as accounts
from linli.accounts import throttle
from linli.accounts.models import User
from linli.accounts.throttle import Limit
from linli.channels import wechat_api, wechat_config
from linli.channels.models import WeChatBindingTicket, WeChatIdentity
from linli.channels.wechat_config import WeChatApp
from linli.core import audit
from linli.core.crypto import blind_index
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.masking import mask_openid

log = logging.getLogger(__name__)

TICKET_TTL = timedelta(minutes=10)
# Each sign-in is a call to WeChat's servers (and counts against the AppID's quota there): a
# client making up codes is stopped here, long before WeChat stops the installation.
SIGN_IN_PER_IP = Limit("wechat.sign_in.ip.15m", 30, timedelta(minutes=15))


@dataclass(frozen=True)
class WeChatSignIn:
    """Either the account the openid is bound to, or the ticket of its phone check."""

    user: User | None = None
    ticket: str = ""


def do_sign_in_with_official_account(*, code: str, ip: str) -> WeChatSignIn:
    """The web authorisation's code (the H5 opened inside WeChat)."""
    app = _configured(wechat_config.official_account())
    return _sign_in(app, _exchange(wechat_api.oauth_user, app, code, ip))


def do_sign_in_with_mini_program(*, code: str, ip: str) -> WeChatSignIn:
    """The mini-program's `wx.login` code (code2session)."""
    app = _configured(wechat_config.mini_program())
    return _sign_in(app, _exchange(wechat_api.mini_program_user, app, code, ip))


def _configured(app: WeChatApp | None) -> WeChatApp:
    if app is None:
        raise ServiceError("wechat_not_configured", _("本小区未开通微信登录，请用手机号登录"))
    return app


def _exchange(
    exchange: Callable[[WeChatApp, str], wechat_api.WeChatUser], app: WeChatApp, code: str, ip: str
) -> wechat_api.WeChatUser:
    code = (code or "").strip()
    if not code or len(code) > 128:
        raise _code_refused()
    throttle.take_all([(SIGN_IN_PER_IP, ip)])
    try:
        return exchange(app, code)
    except wechat_api.WeChatError as error:
        log.warning("wechat code exchange for %s refused: %s", app.app_id, error)
        if error.errcode in (wechat_api.UNREACHABLE, wechat_api.BUSY):
            raise ServiceError(
                "wechat_unavailable", _("微信服务暂时不可用，请稍后重试或用手机号登录"), status=503
            ) from None
        raise _code_refused() from None  # 40029 invalid code, 40163 code used, ...


def _code_refused() -> ServiceError:
    return ServiceError("wechat_code_invalid", _("微信授权已失效，请重新进入"))


def _sign_in(app: WeChatApp, who: wechat_api.WeChatUser) -> WeChatSignIn:
    identity = (
        WeChatIdentity.objects.filter(app_id=app.app_id, openid_bidx=blind_index("openid", who.openid))
        .select_related("user")
        .first()
    )
    if identity is None:
        return WeChatSignIn(ticket=_new_ticket(app, who))
    user = identity.user
    if not user.is_active:
        raise ServiceError("account_disabled", _("该账户已停用，请联系物业服务中心"), status=403)
    if user.totp_enabled:
        # WeChat vouches for one factor; an account that chose two must not lose one this way.
        raise ServiceError(
            "password_sign_in_required", _("该账户已开启两步验证，请用账号密码登录"), status=403
        )
    with transaction.atomic():
        audit.record(actor=user, action="sign_in", obj=user, after={"method": "wechat", "app_id": app.app_id})
    return WeChatSignIn(user=user)


def _new_ticket(app: WeChatApp, who: wechat_api.WeChatUser) -> str:
    raw = WeChatBindingTicket.new_raw()
    now = timezone.now()
    WeChatBindingTicket.objects.create(
        key_hash=WeChatBindingTicket.hash(raw),
        app_id=app.app_id,
        openid=who.openid,
        unionid=who.unionid,
        created_at=now,
        expires_at=now + TICKET_TTL,
    )
    return raw


def _live_tickets(now):
    return WeChatBindingTicket.objects.filter(used_at__isnull=True, expires_at__gt=now)


def do_bind_wechat(*, ticket: str, phone: str, code: str, ip: str) -> User:
    """The phone check that binds the ticket's openid: accounts' SMS sign-in (the code is used up
    there, and counted when wrong), then the ticket is used up and the openid bound to the account
    the phone signed in. A ticket is checked before the code, so a dead ticket spends no code."""
    now = timezone.now()
    pending = _live_tickets(now).filter(key_hash=WeChatBindingTicket.hash(ticket or "")).first()
    if pending is None:
        raise _ticket_refused()
    user = accounts.do_sign_in_with_sms(phone=phone, code=code, ip=ip)
    with transaction.atomic():
        if not _live_tickets(now).filter(pk=pending.pk).update(used_at=now):
            raise _ticket_refused()  # used by a request that raced this one
        bidx = blind_index("openid", pending.openid)
        bound = WeChatIdentity.objects.filter(app_id=pending.app_id, openid_bidx=bidx).first()
        if bound is not None and bound.user_id == user.pk:
            return user  # bound meanwhile, to this very account
        _refuse_taken(bound, user, pending.app_id)
        identity = WeChatIdentity(user=user, app_id=pending.app_id, unionid=pending.unionid, bound_at=now)
        identity.set_openid(pending.openid)
        try:
            with transaction.atomic():
                identity.save()
        except IntegrityError:  # bound by a request that raced this one
            raise _openid_taken() from None
        audit.record(
            actor=user,
            action="wechat_bind",
            obj=identity,
            after={"app_id": pending.app_id, "openid": mask_openid(pending.openid)},
        )
    return user


def _refuse_taken(bound: WeChatIdentity | None, user: User, app_id: str) -> None:
    if bound is not None:
        log.warning("wechat openid of %s already bound to another account, refused for %s", app_id, user.pk)
        raise _openid_taken()
    if WeChatIdentity.objects.filter(user=user, app_id=app_id).exists():
        raise Conflict("wechat_account_bound", _("该账户已绑定另一个微信，请先在“我的”中解绑"))


def _ticket_refused() -> ServiceError:
    return ServiceError("wechat_ticket_invalid", _("微信授权已失效，请从微信重新进入"))


def _openid_taken() -> Conflict:
    return Conflict("wechat_openid_bound", _("该微信已绑定其他账户，请先在原账户中解绑"))


@transaction.atomic
def do_unbind_wechat(*, actor: User, identity_id: int) -> None:
    """The account's own binding only; another's is not found. SMS sign-in keeps working."""
    identity = WeChatIdentity.objects.restrict(actor).filter(pk=identity_id).first()
    if identity is None:
        raise NotFound()
    WeChatIdentity.objects.filter(pk=identity.pk).delete()
    audit.record(
        actor=actor,
        action="wechat_unbind",
        object_type="channels.wechatidentity",
        object_id=identity_id,
        before={"app_id": identity.app_id, "openid": mask_openid(identity.openid)},
    )


def do_prune_binding_tickets(*, now) -> int:
    """Tickets expired a day ago bind nothing any more (kept that long for the log's sake)."""
    return WeChatBindingTicket.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()[0]


def erase_wechat_of(user_id: int) -> None:
    """A person erased (registry's right to erasure): their account's WeChat goes with them.
    Runs in the erasure's transaction, which audits it."""
    WeChatIdentity.objects.filter(user_id=user_id).delete()
