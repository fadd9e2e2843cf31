"""Accounts' screens: the community's staff accounts in the console (adding and inviting one,
disabling one who leaves), the operator's page that opens a new community with its admin, and the
public page where an invited person sets their password."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts import queries as accounts_queries
from linli.accounts.forms import NewCommunityForm, SetPasswordForm, StaffAccountForm
from linli.accounts.models import User
from linli.accounts.services import staff
from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.models import Membership
from linli.core.restrict import scope_of
from linli.core.roles import Action, Role
from linli.core.shell import nav
from linli.core.shell.common import Console, show_service_error, staff_view, to_staff_sign_in
from linli.core.shell.tables import Cell, Column, Table, cells


def _live_memberships(user, community_id: int):
    return (
        accounts_queries.live_memberships(user, community_id)
        .select_related("user", "building", "grid")
        .order_by("user__username", "id")
    )


def _role_label(m: Membership) -> str:
    where = m.building.name if m.building_id else (m.grid.name if m.grid_id else "")
    return f"{Role(m.role).label}（{where}）" if where else str(Role(m.role).label)


@staff_view(Action.MEMBERS_CHANGE, section="team")
def team(request, console: Console):
    by_user: dict[int, list[Membership]] = {}
    for m in _live_memberships(request.user, console.community.id):
        by_user.setdefault(m.user_id, []).append(m)
    table = Table(
        [Column(_("登录名")), Column(_("姓名")), Column(_("岗位")), Column(_("状态")), Column("")],
        empty_text=_("还没有工作人员"),
    )
    for rows in by_user.values():
        user = rows[0].user
        state = _("已设置密码") if user.has_usable_password() else _("待接受邀请 / 短信登录")
        table.rows.append(
            cells(
                Cell(user.username, mono=True),
                user.display_name,
                "、".join(_role_label(m) for m in rows),
                state,
                Cell(_("管理"), href=console.reverse("accounts:member", user.pk)),
            )
        )
    return console.render(
        request,
        "linli/staff/table_page.html",
        {
            "title": _("工作人员"),
            "sub": _("本社区的员工账户与岗位"),
            "actions": [
                {
                    "label": _("添加工作人员"),
                    "href": console.reverse("accounts:team_new"),
                    "variant": "primary",
                }
            ],
            "table": table,
        },
    )


def _staff_form(request, console: Console, data=None) -> StaffAccountForm:
    community = console.community
    return StaffAccountForm(
        data,
        roles=staff.grantable_roles(request.user, community),
        buildings=community.buildings.order_by("id"),
        grids=community.grids.order_by("id"),
    )


@staff_view(Action.MEMBERS_CHANGE, section="team")
def new_member(request, console: Console):
    form = _staff_form(request, console, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = console.community
        building = get_or_404(community.buildings.all(), pk=data["building"]) if data["building"] else None
        grid = get_or_404(community.grids.all(), pk=data["grid"]) if data["grid"] else None
        try:
            account = staff.do_create_staff_account(
                actor=request.user,
                community=community,
                username=data["username"],
                display_name=data["display_name"],
                phone=data["phone"],
                grants=[staff.RoleGrant(role, building, grid) for role in data["roles"]],
                sign_in=data["sign_in"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            # Rendered, not redirected: the link is shown once and never stored in a message.
            return console.render(request, "accounts/staff_created.html", {"account": account})
    return console.render(
        request,
        "accounts/staff_form.html",
        {"form": form, "title": _("添加工作人员")},
        status=422 if form.errors else 200,
    )


def _member(request, console: Console, user_id: int) -> User:
    return get_or_404(accounts_queries.staff_members(request.user, console.community.id), pk=user_id)


@staff_view(Action.MEMBERS_CHANGE, section="team")
def member(request, console: Console, user_id: int):
    user = _member(request, console, user_id)
    roles = [_role_label(m) for m in _live_memberships(request.user, console.community.id).filter(user=user)]
    return console.render(request, "accounts/staff_member.html", {"member": user, "roles": roles})


@require_POST
@staff_view(Action.MEMBERS_CHANGE, section="team")
def reinvite_member(request, console: Console, user_id: int):
    user = _member(request, console, user_id)
    try:
        url = staff.do_reinvite_staff(actor=request.user, community=console.community, user=user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect(console.reverse("accounts:member", user.pk))
    account = staff.StaffAccount(user, url)
    return console.render(request, "accounts/staff_created.html", {"account": account})


@require_POST
@staff_view(Action.MEMBERS_CHANGE, section="team")
def disable_member(request, console: Console, user_id: int):
    user = _member(request, console, user_id)
    try:
        staff.do_disable_staff_account(actor=request.user, community=console.community, user=user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect(console.reverse("accounts:member", user.pk))
    messages.success(request, _("%(name)s 已离职：岗位已结束，无法再登录本社区") % {"name": user})
    return redirect(console.reverse("accounts:team"))


def new_community(request):
    """The operator opens a community; works with no community yet (the first day)."""
    if not request.user.is_authenticated:
        return to_staff_sign_in(request)
    if not scope_of(request.user).is_operator:
        raise Http404
    form = NewCommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            community, account = staff.do_open_community(actor=request.user, **data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return render(
                request, "accounts/community_created.html", {"community": community, "account": account}
            )
    return render(request, "accounts/community_form.html", {"form": form}, status=422 if form.errors else 200)


def accept_invitation(request, uidb64: str, token: str):
    """Public: the person named in the invitation sets their password (once)."""
    try:
        invited = staff.check_invitation(uidb64, token)
    except ServiceError as exc:
        return render(request, "accounts/invite.html", {"invalid": exc.message}, status=404)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff.do_accept_invitation(uidb64=uidb64, token=token, password=form.cleaned_data["password"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("密码已设置，请登录"))
            return redirect(nav.entrance("staff_login"))
    return render(
        request,
        "accounts/invite.html",
        {"form": form, "invited": invited},
        status=422 if form.errors else 200,
    )
