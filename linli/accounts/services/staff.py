"""The first day of a property company: the platform operator, a community with its first admin,
and the staff accounts an admin creates, invites and disables (convention 1: all writes here).

A staff account signs in either by password, which the person sets themselves through a one-time
invitation link (no one else ever knows it), or by SMS code to the phone on the account. Leaving
ends the person's roles in the community at once; an account left with no role anywhere is
deactivated, which also stops its sessions and tokens (both check `is_active` on every request).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import ApiToken, User
from linli.core import audit
from linli.core.crypto import blind_index
from linli.core.errors import Conflict, Forbidden, ServiceError
from linli.core.models import Community, Membership
from linli.core.permissions import require
from linli.core.restrict import forget_scope, scope_of
from linli.core.roles import ROLE_ACTIONS, Action, Role
from linli.core.services import do_add_membership, do_end_membership
from linli.registry.models import Person
from linli.registry.services import do_create_community
from linli.registry.validators import clean_phone


class SignIn:
    INVITE = "invite"  # password, set by the person through a one-time link
    SMS = "sms"  # a code sent to the account's phone

    choices = ((INVITE, _("密码登录（发送设置密码链接）")), (SMS, _("短信验证码登录")))
    values = (INVITE, SMS)


@dataclass(frozen=True)
class RoleGrant:
    role: str
    building: object = None
    grid: object = None


@dataclass(frozen=True)
class StaffAccount:
    user: User
    invite_url: str  # empty for SMS sign-in; shown once to whoever created the account


USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


def clean_username(raw: str) -> str:
    username = (raw or "").strip().lower()
    if not 3 <= len(username) <= 40 or not set(username) <= USERNAME_CHARS:
        raise ServiceError(
            "invalid_username",
            _("登录名为3到40位小写字母、数字或 . _ -"),
            fields={"username": _("例如 zhang.san")},
        )
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("duplicate_username", _("该登录名已被使用"), fields={"username": _("请换一个")})
    return username


MIN_PASSWORD_LENGTH = 10


def _clean_password(password: str, user: User | None = None) -> str:
    """At least 10 characters, plus whatever AUTH_PASSWORD_VALIDATORS add."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            "weak_password",
            _("密码至少%(n)d位") % {"n": MIN_PASSWORD_LENGTH},
            fields={"password": _("请设置更长的密码")},
        )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(
            "weak_password", _("密码不够安全"), fields={"password": " ".join(exc.messages)}
        ) from exc
    return password


# --- the platform operator (console only) -----------------------------------------------------


@transaction.atomic
def do_create_operator(*, username: str, password: str, display_name: str = "") -> User:
    """Run from the server's console by whoever installs linli; there is no actor yet."""
    username = clean_username(username)
    user = User(username=username, display_name=(display_name or "").strip()[:60], is_operator=True)
    user.set_password(_clean_password(password, user))
    user.save()
    audit.record(actor=None, action="create_operator", obj=user, after={"username": username})
    return user


# --- staff accounts ---------------------------------------------------------------------------


def grantable_roles(actor: User, community: Community) -> list[str]:
    """The roles the actor may hand out here: none without community-wide members.change, and
    never one with rights the actor lacks in the community (no one hands out more than they hold)."""
    scope = scope_of(actor)
    if scope.is_operator:
        return list(Role.values)
    if community.id not in scope.communities_for(Action.MEMBERS_CHANGE):
        return []
    held = {
        action
        for role, community_id, buildings in scope.memberships
        if community_id == community.id and buildings is None
        for action in ROLE_ACTIONS.get(role, ())
    }
    return [role for role in Role.values if ROLE_ACTIONS.get(role, frozenset()) <= held]


def _require_may_grant(actor: User, community: Community, grants: list[RoleGrant]) -> None:
    require(actor, Action.MEMBERS_CHANGE, community.id)
    allowed = grantable_roles(actor, community)
    if any(grant.role not in allowed for grant in grants):
        raise Forbidden(_("不能授予超出自身权限的岗位"), code="role_above_actor")


def invite_url(user: User) -> str:
    """A one-time link: the token covers the password hash and last login, so it stops working
    once the password is set (or the person has signed in), and after PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:invite", args=[uid, default_token_generator.make_token(user)])
    return settings.LINLI_PUBLIC_URL.rstrip("/") + path


@transaction.atomic
def do_create_staff_account(
    *,
    actor: User,
    community: Community,
    username: str,
    display_name: str,
    phone: str = "",
    grants: list[RoleGrant],
    sign_in: str = SignIn.INVITE,
) -> StaffAccount:
    if not grants:
        raise ServiceError("role_required", _("请至少选择一个岗位"), fields={"role": _("必填")})
    for grant in grants:
        if grant.role not in Role.values:
            raise ServiceError("invalid_role", _("角色不正确"), fields={"role": grant.role})
    _require_may_grant(actor, community, grants)
    if sign_in not in SignIn.values:
        raise ServiceError("invalid_sign_in", _("登录方式不正确"), fields={"sign_in": sign_in})
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 60:
        raise ServiceError("invalid_name", _("请填写姓名（不超过60字）"), fields={"display_name": _("必填")})
    phone = clean_phone(phone) if phone else ""
    if sign_in == SignIn.SMS and not phone:
        raise ServiceError("phone_required", _("短信登录需要手机号"), fields={"phone": _("必填")})
    if phone and User.objects.filter(phone_bidx=blind_index("phone", phone)).exists():
        raise Conflict("duplicate_phone", _("该手机号已有账户"), fields={"phone": _("请换一个")})
    user = User(username=clean_username(username), display_name=display_name)
    user.set_phone(phone)
    user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor,
        action="create_staff",
        obj=user,
        community_id=community.id,
        after={"username": user.username, "display_name": display_name, "sign_in": sign_in},
    )
    for grant in grants:
        do_add_membership(
            actor=actor,
            community=community,
            user=user,
            role=grant.role,
            building=grant.building,
            grid=grant.grid,
        )
    return StaffAccount(user, invite_url(user) if sign_in == SignIn.INVITE else "")


def _invited_user(uidb64: str, token: str) -> User:
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        pk = None
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None or not default_token_generator.check_token(user, token):
        raise ServiceError("invalid_invitation", _("链接无效或已使用，请联系管理员重新发送"), status=404)
    return user


def check_invitation(uidb64: str, token: str) -> User:
    return _invited_user(uidb64, token)


@transaction.atomic
def do_accept_invitation(*, uidb64: str, token: str, password: str) -> User:
    user = _invited_user(uidb64, token)
    old_hash = user.password
    user.set_password(_clean_password(password, user))
    # The conditional update makes the link single-use under races: the second caller finds the
    # password already changed and writes nothing.
    if not User.objects.filter(pk=user.pk, password=old_hash).update(
        password=user.password, updated_at=timezone.now()
    ):
        raise ServiceError("invalid_invitation", _("链接无效或已使用，请联系管理员重新发送"), status=404)
    audit.record(actor=user, action="set_password", obj=user, after={"via": "invitation"})
    return user


@transaction.atomic
def do_reinvite_staff(*, actor: User, community: Community, user: User) -> str:
    """A new link for someone who lost theirs (the old one keeps working until a password is set).

    Only while the invitation is pending: a link for an account in use would let whoever asks
    for it set the password and sign in as that person."""
    require(actor, Action.MEMBERS_CHANGE, community.id)
    if not _live_memberships(user).filter(community=community).exists() or not user.is_active:
        raise ServiceError("not_staff_here", _("该账户不在本社区任职"), status=404)
    if user.has_usable_password() or user.last_login is not None:
        raise Conflict("invitation_accepted", _("该账户已在使用，无需邀请；忘记密码请由本人联系平台运营方"))
    audit.record(actor=actor, action="invite", obj=user, community_id=community.id)
    return invite_url(user)


def _live_memberships(user: User):
    today = timezone.localdate()
    return Membership.objects.filter(user=user).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


@transaction.atomic
def do_disable_staff_account(*, actor: User, community: Community, user: User) -> bool:
    """Ends every role the person holds here; with no role left anywhere (and no home: a
    resident keeps their login) the account is deactivated and its tokens revoked. Returns
    whether the account was deactivated."""
    require(actor, Action.MEMBERS_CHANGE, community.id)
    here = list(_live_memberships(user).filter(community=community))
    if not here:
        raise ServiceError("not_staff_here", _("该账户不在本社区任职"), status=404)
    if user.pk == getattr(actor, "pk", None):
        raise ServiceError("cannot_disable_self", _("不能停用自己的账户"))
    for membership in here:
        do_end_membership(actor=actor, membership=membership)
    forget_scope(user)
    if user.is_operator or _live_memberships(user).exists() or Person.objects.filter(user=user).exists():
        return False
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(is_active=False, updated_at=now)
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    audit.record(
        actor=actor,
        action="disable",
        obj=user,
        community_id=community.id,
        after={"is_active": False, "tokens_revoked": revoked},
    )
    return True


# --- a new community with its first admin -----------------------------------------------------


@transaction.atomic
def do_open_community(
    *,
    actor: User,
    name: str,
    code: str,
    admin_username: str,
    admin_name: str,
    admin_phone: str = "",
    admin_sign_in: str = SignIn.INVITE,
    **details,
) -> tuple[Community, StaffAccount]:
    """The operator opens a community and names the admin who runs it from then on; both or neither."""
    community = do_create_community(actor=actor, name=name, code=code, **details)
    account = do_create_staff_account(
        actor=actor,
        community=community,
        username=admin_username,
        display_name=admin_name,
        phone=admin_phone,
        grants=[RoleGrant(Role.COMMUNITY_ADMIN)],
        sign_in=admin_sign_in,
    )
    return community, account
