"""Sign-in paths, tokens, two-step verification and the user's own settings (convention 1).

Failures are counted in `accounts.throttle` in their own small transaction and the error is
raised after it, so a refused attempt still counts. Sign-ins are audited; requests for codes
and failed attempts are not (they live in the throttle counters and the log), so that anyone
on the internet cannot grow the audit chain.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from pyotp.utils import strings_equal

from linli.accounts import limits, throttle
from linli.accounts.models import ApiToken, SmsCode, User, hash_token
from linli.core import audit
from linli.core.crypto import blind_index
from linli.core.errors import Conflict, NotFound, ServiceError
from linli.core.events import after_commit
from linli.core.masking import mask_phone
from linli.core.restrict import forget_scope
from linli.notify.sms import SmsNotSent, sms_provider
from linli.registry.models import Person
from linli.registry.validators import clean_phone

log = logging.getLogger(__name__)

TOTP_ISSUER = "邻里"


# --- residents: phone + SMS code --------------------------------------------------------------


def _code_hash(phone_bidx: str, code: str) -> str:
    return salted_hmac("linli.accounts.sms-code", f"{phone_bidx}:{code}", algorithm="sha256").hexdigest()


def do_request_sms_code(*, phone: str, ip: str) -> None:
    """Sends a 6-digit code valid for 5 minutes; earlier codes for the phone stop working.

    The answer is the same whether or not anyone is registered with the phone, so the endpoint
    does not reveal who lives here.
    """
    phone = clean_phone(phone)
    bidx = blind_index("phone", phone)
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        throttle.take_all(
            [
                (limits.SMS_SEND_IP_HOUR, ip),
                (limits.SMS_SEND_PHONE_MINUTE, bidx),
                (limits.SMS_SEND_PHONE_HOUR, bidx),
            ],
            now=now,
        )
        SmsCode.objects.filter(phone_bidx=bidx, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        SmsCode.objects.create(
            phone_bidx=bidx,
            code_hash=_code_hash(bidx, code),
            created_at=now,
            expires_at=now + limits.SMS_CODE_TTL,
        )
        after_commit(lambda: _text_code(phone, code))


def _text_code(phone: str, code: str) -> None:
    try:
        sms_provider().send(phone, "login_code", {"code": code})
    except SmsNotSent as refusal:  # the answer stays 202 either way; the person may ask again
        log.warning("sign-in code to %s not sent: %s", mask_phone(phone), refusal)


def _live_codes(bidx: str, now):
    return SmsCode.objects.filter(
        phone_bidx=bidx,
        used_at__isnull=True,
        expires_at__gt=now,
        attempts__lt=limits.SMS_CODE_MAX_ATTEMPTS,
    )


def do_sign_in_with_sms(*, phone: str, code: str, ip: str) -> User:
    """Consumes the code (once, even under races), then finds or creates the user by phone and
    links the registry's people with that phone to it.

    A phone nobody registered may sign in too: the user gets an empty home that tells them to
    ask the property office, which then registers them (or links them at the counter).
    """
    phone = clean_phone(phone)
    bidx = blind_index("phone", phone)
    now = timezone.now()
    limits.SMS_FAIL.refuse_if_locked(bidx, ip, now=now)
    row = _live_codes(bidx, now).order_by("-id").first()
    if row is not None and constant_time_compare(row.code_hash, _code_hash(bidx, (code or "").strip())):
        with transaction.atomic():
            if _live_codes(bidx, now).filter(pk=row.pk).update(used_at=now):
                user = _user_for_phone(phone, bidx)
                _link_people(user, bidx)
                audit.record(actor=user, action="sign_in", obj=user, after={"method": "sms"})
                limits.SMS_FAIL.succeeded(bidx, ip, now=now)
                return user
    with transaction.atomic():
        if row is not None:
            SmsCode.objects.filter(pk=row.pk, used_at__isnull=True).update(attempts=F("attempts") + 1)
    log.warning("sms sign-in failed for %s from %s", mask_phone(phone), ip)
    limits.SMS_FAIL.failed(bidx, ip, now=now)
    raise ServiceError(
        "invalid_code",
        _("验证码错误或已失效，请重新获取"),
        fields={"code": _("请输入短信中的6位验证码")},
    )


def _user_for_phone(phone: str, bidx: str) -> User:
    user = User.objects.filter(phone_bidx=bidx).first()
    if user is None:
        user = User(username=f"m{secrets.token_hex(6)}")
        user.set_phone(phone)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # someone else created the login for this phone just now
            user = User.objects.get(phone_bidx=bidx)
        else:
            audit.record(actor=user, action="create", obj=user, after={"via": "sms"})
    if not user.is_active:
        raise ServiceError("account_disabled", _("该账户已停用，请联系物业服务中心"), status=403)
    if user.totp_enabled:
        # A code by SMS is one factor; an account that chose two must not lose one this way.
        raise ServiceError(
            "password_sign_in_required", _("该账户已开启两步验证，请用账号密码登录"), status=403
        )
    return user


def _link_people(user: User, bidx: str) -> None:
    """People the property registered with this phone become this login's (first sign-in)."""
    people = list(
        Person.objects.filter(phone_bidx=bidx, user__isnull=True, erased_at__isnull=True).values_list(
            "id", "community_id", "name"
        )
    )
    for person_id, community_id, _name in people:
        if Person.objects.filter(pk=person_id, user__isnull=True).update(user=user):
            audit.record(
                actor=user,
                action="link_login",
                object_type="registry.person",
                object_id=person_id,
                community_id=community_id,
                after={"user": user.pk},
            )
    if people and not user.display_name:
        User.objects.filter(pk=user.pk).update(display_name=people[0][2])
        user.display_name = people[0][2]
    forget_scope(user)


# --- staff: username + password (+ TOTP) ------------------------------------------------------


def _invalid_credentials() -> ServiceError:
    # One message for an unknown username, a wrong password and a deactivated account.
    return ServiceError("invalid_credentials", _("用户名或密码错误"))


def authenticate_staff(*, username: str, password: str, totp: str = "", ip: str) -> User:
    subject = username.strip().lower()
    limits.STAFF_FAIL.refuse_if_locked(subject, ip)
    # Django's backend hashes even for an unknown username, so timing does not tell either.
    user = authenticate(None, username=username.strip(), password=password)
    if user is None:
        _staff_failed(subject, ip, _invalid_credentials())
    if user.totp_enabled:
        if not totp:
            raise ServiceError(
                "totp_required",
                _("请输入身份验证器中的6位动态码"),
                fields={"totp": _("必填")},
            )
        step = _totp_step(user.totp_secret, totp)
        if step is None or not _claim_totp_step(user, step):
            _staff_failed(
                subject,
                ip,
                ServiceError("invalid_totp", _("动态码不正确"), fields={"totp": _("请输入最新的动态码")}),
            )
    with transaction.atomic():
        audit.record(actor=user, action="sign_in", obj=user, after={"method": "password"})
    limits.STAFF_FAIL.succeeded(subject, ip)
    return user


def _staff_failed(subject: str, ip: str, error: ServiceError) -> NoReturn:
    log.warning("staff sign-in failed for %r from %s (%s)", subject[:40], ip, error.code)
    limits.STAFF_FAIL.failed(subject, ip)
    raise error


def _totp_step(secret: str, code: str) -> int | None:
    """The time step the code belongs to (now ± 30 s for clock drift), or None."""
    code = (code or "").strip()
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(timezone.now())
    for step in (current - 1, current, current + 1):
        if strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def _claim_totp_step(user: User, step: int) -> bool:
    """A TOTP code is accepted once: a newer step than the last accepted one wins the update."""
    return bool(
        User.objects.filter(pk=user.pk)
        .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
        .update(totp_last_step=step)
    )


@transaction.atomic
def do_enable_totp(*, actor: User) -> str:
    """Starts two-step verification: a new secret, active once `do_confirm_totp` sees a code
    from the authenticator app. Returns the otpauth:// provisioning URI (shown as a QR code)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if user.totp_enabled:
        raise Conflict("totp_already_enabled", _("已开启两步验证"))
    if not user.has_usable_password():
        raise ServiceError("password_required", _("短信登录的账户无需两步验证"))
    secret = pyotp.random_base32()
    User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_last_step=None)
    audit.record(actor=actor, action="totp_start", obj=user)
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


@transaction.atomic
def do_confirm_totp(*, actor: User, code: str) -> None:
    user = User.objects.select_for_update().get(pk=actor.pk)
    if user.totp_enabled:
        raise Conflict("totp_already_enabled", _("已开启两步验证"))
    if not user.totp_secret:
        raise ServiceError("totp_not_started", _("请先开启两步验证"))
    step = _totp_step(user.totp_secret, code)
    if step is None:
        raise ServiceError("invalid_totp", _("动态码不正确"), fields={"code": _("请输入最新的动态码")})
    User.objects.filter(pk=user.pk, totp_enabled=False).update(totp_enabled=True, totp_last_step=step)
    actor.totp_enabled = True
    audit.record(actor=actor, action="totp_enable", obj=user, after={"totp_enabled": True})


# --- tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once; only its hash is stored


@transaction.atomic
def do_issue_token(
    *, actor: User, name: str, expires_in_days: int = limits.TOKEN_DEFAULT_DAYS
) -> IssuedToken:
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ServiceError("invalid_name", _("请填写令牌名称（不超过60字）"), fields={"name": _("必填")})
    if not 1 <= expires_in_days <= limits.TOKEN_MAX_DAYS:
        raise ServiceError(
            "invalid_expiry",
            _("有效期应为1到%(max)d天") % {"max": limits.TOKEN_MAX_DAYS},
            fields={"expires_in_days": str(expires_in_days)},
        )
    now = timezone.now()
    live = ApiToken.objects.filter(user=actor, revoked_at__isnull=True, expires_at__gt=now)
    if live.count() >= limits.TOKENS_PER_USER:
        raise Conflict("too_many_tokens", _("有效令牌过多，请先吊销不用的令牌"))
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=raw[:12],
        key_hash=hash_token(raw),
        expires_at=now + timedelta(days=expires_in_days),
    )
    audit.record(
        actor=actor,
        action="create",
        obj=token,
        after={"name": name, "prefix": token.prefix, "expires_at": token.expires_at},
    )
    return IssuedToken(token, raw)


@transaction.atomic
def do_revoke_token(*, actor: User, token: ApiToken) -> None:
    """Revoking twice is fine; someone else's token is not found."""
    if token.user_id != actor.pk:
        raise NotFound()
    now = timezone.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
        audit.record(actor=actor, action="revoke", obj=token, after={"revoked_at": now})


# --- the user's own settings ------------------------------------------------------------------


@transaction.atomic
def do_update_profile(*, actor: User, elderly_mode: bool | None = None, language: str | None = None) -> User:
    changes: dict[str, object] = {}
    if elderly_mode is not None:
        changes["elderly_mode"] = elderly_mode
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ServiceError(
                "invalid_language",
                _("不支持该语言"),
                fields={"language": ", ".join(dict(settings.LANGUAGES))},
            )
        changes["language"] = language
    before = {field: getattr(actor, field) for field in changes}
    changes = {k: v for k, v in changes.items() if before[k] != v}
    if changes:
        User.objects.filter(pk=actor.pk).update(**changes, updated_at=timezone.now())
        for field, value in changes.items():
            setattr(actor, field, value)
        audit.record(
            actor=actor,
            action="update",
            obj=actor,
            before={k: before[k] for k in changes},
            after=changes,
        )
    return actor


# --- upkeep -----------------------------------------------------------------------------------


def do_prune_sign_in_state(*, now) -> None:
    """Ended throttle windows and codes expired a day ago count nothing any more."""
    with transaction.atomic():
        throttle.prune(now)
        SmsCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
