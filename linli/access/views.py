"""Access screens: the resident's (open a door, my codes, invite a visitor, my passes, face
enrolment, my household's helpers), the console's (points, grants, live events, visitor log,
care alerts, parking) and the gate screen of the demo. Reads through queries, writes through
services; service refusals read as form errors or messages."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from linli.access import faces, jws, pass_tokens, queries, services
from linli.access.choices import PASS_PRESETS, AlertStatus, GrantSource, Reason, SecurityStatus
from linli.access.forms import (
    CareRuleForm,
    FaceForm,
    HelperForm,
    InviteForm,
    PointForm,
    SimulateForm,
    TerminalForm,
    WalkInForm,
)
from linli.access.household import own_occupancy
from linli.access.models import VisitorPass
from linli.access.schedule import describe
from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.masking import mask_name
from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, resident_view, show_service_error, staff_view
from linli.core.shell.qr import qr_svg
from linli.core.shell.tables import Cell, Column, Filter, Table, cells
from linli.registry import queries as registry_queries
from linli.registry.models import House, Person

# Labels for the codes stored on events and passes (module level, so lazy: each request's language).
REASON_LABELS = dict(Reason.choices)
PASS_STATUS = {
    "valid": (gettext_lazy("有效"), "brand"),
    "not_yet_valid": (gettext_lazy("未到时间"), "info"),
    "used_up": (gettext_lazy("次数已用完"), "muted"),
    "revoked": (gettext_lazy("已撤销"), "danger"),
    "expired": (gettext_lazy("已过期"), "muted"),
    "ended": (gettext_lazy("已失效"), "danger"),  # its host moved out or its issuer left
}  # status -> (label, badge tone)


def _pass_status_cell(visitor_pass: VisitorPass) -> Cell:
    label, tone = PASS_STATUS[pass_tokens.status(visitor_pass)]
    return Cell(label, badge=tone)


def _partial(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- resident -------------------------------------------------------------------------------


def _my_houses(user) -> list[House]:
    return list(registry_queries.my_houses(user))


def _my_person_in(user, house: House) -> Person | None:
    occupancy = own_occupancy(user, house.pk)
    return occupancy.person if occupancy else None


@resident_view
def home(request):
    user = request.user
    houses = _my_houses(user)
    pins = {c.house_id: c for c in queries.my_credentials(user).filter(kind="pin")}
    context = {
        "points": queries.my_points(user),
        "houses": [
            (h, pins.get(h.pk), own_occupancy(user, h.pk, heads_only=True) is not None) for h in houses
        ],
        "has_face": queries.my_credentials(user).filter(kind="face").exists(),
        "alerts": [a for a in queries.my_care_alerts(user)[:10] if a.status == AlertStatus.OPEN],
        "tab": "services",
        "back": reverse("web:services"),
    }
    return render(request, "access/resident/home.html", context)


@require_POST
@resident_view
def open_door(request, point_id: int):
    point = get_or_404(queries.points_reachable(request.user), pk=point_id)
    decision = services.do_remote_open(actor=request.user, point=point)
    if _partial(request):
        return render(request, "access/resident/_opened.html", {"decision": decision, "point": point})
    (messages.success if decision.allowed else messages.error)(
        request, _("%(point)s：%(result)s") % {"point": point.name, "result": decision.message}
    )
    return redirect("access:home")


@resident_view
def my_qr(request):
    """The resident's one-minute QR code; the page swaps in a fresh one every 30 seconds."""
    person = queries.my_people(request.user).order_by("id").first()
    if person is None:
        raise Http404
    token, expires = pass_tokens.resident_token(person.community_id, person.pk, timezone.now())
    return render(request, "access/resident/_qr.html", {"svg": qr_svg(token), "expires": expires})


@require_POST
@resident_view
def new_pin(request, house_id: int):
    house = get_or_404(registry_queries.houses(request.user), pk=house_id)
    person = _my_person_in(request.user, house)
    if person is None:
        raise Http404
    try:
        _credential, pin = services.do_issue_pin(actor=request.user, person=person, house=house)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("access:home")
    return render(
        request, "access/resident/pin.html", {"pin": pin, "house": house, "back": reverse("access:home")}
    )


@resident_view
def calls(request):
    """Polled by the access home page: a visitor ringing at a gate for my house."""
    return render(request, "access/resident/_calls.html", {"calls": queries.my_calls(request.user)})


@require_POST
@resident_view
def answer_call(request, call_id: int, verb: str):
    call = get_or_404(queries.calls_to_my_houses(request.user), pk=call_id)
    try:
        services.do_answer_call(actor=request.user, call=call, open_door=verb == "open")
        messages.success(request, _("已为访客开门") if verb == "open" else _("已拒绝"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("access:home")


@resident_view
def invite(request):
    houses = _my_houses(request.user)
    if not houses:
        raise Http404
    form = InviteForm(request.POST or None, houses=houses, initial={"house": houses[0].pk})
    if request.method == "POST" and form.is_valid():
        house = next(h for h in houses if h.pk == form.cleaned_data["house"])
        valid_from, valid_until, uses = form.window()
        try:
            visitor_pass = services.do_create_pass(
                actor=request.user,
                house=house,
                visitor_name=form.cleaned_data["visitor_name"],
                kind=form.cleaned_data["kind"],
                valid_from=valid_from,
                valid_until=valid_until,
                max_uses=uses,
                plate=form.cleaned_data["plate"],
            )
            return redirect("access:pass", visitor_pass.pk)
        except ServiceError as exc:
            show_service_error(form, exc)
    presets = {
        k: {"hours": int(span.total_seconds() // 3600), "uses": uses}
        for k, (span, uses) in PASS_PRESETS.items()
    }
    return render(
        request,
        "access/resident/invite.html",
        {"form": form, "presets": presets, "back": reverse("access:home")},
    )


def _pass_view(visitor_pass: VisitorPass) -> dict:
    """A pass as the resident's screens show it: its status badge, and why it ended when its
    source did (the host moved out, the issuer left)."""
    status = pass_tokens.status(visitor_pass)
    ended = pass_tokens.source_ended(visitor_pass) if status == "ended" else ""
    return {
        "p": visitor_pass,
        "status": status,
        "badge": PASS_STATUS[status],
        "why": REASON_LABELS.get(ended, ""),
    }


@resident_view
def my_passes(request):
    rows, next_url, first_url = page_of(
        request, queries.with_pass_state(queries.my_passes(request.user)), newest_first=True
    )
    return render(
        request,
        "access/resident/passes.html",
        {
            "passes": [_pass_view(p) for p in rows],
            "next_url": next_url,
            "first_url": first_url,
            "back": reverse("access:home"),
        },
    )


@resident_view
def pass_detail(request, pass_id: int):
    visitor_pass = get_or_404(queries.my_passes(request.user), pk=pass_id)
    token = pass_tokens.pass_token(visitor_pass)
    shown = _pass_view(visitor_pass)
    status = shown["status"]
    link = request.build_absolute_uri(reverse("access:shared_pass", args=[token]))
    context = {
        "p": visitor_pass,
        "status": status,
        "status_badge": shown["badge"],
        "why": shown["why"],
        "svg": qr_svg(token),
        "link": link,
        "gates": visitor_pass.gates.all(),
        "back": reverse("access:passes"),
    }
    return render(request, "access/resident/pass.html", context)


@require_POST
@resident_view
def revoke_pass(request, pass_id: int):
    visitor_pass = get_or_404(queries.my_passes(request.user), pk=pass_id)
    try:
        services.do_revoke_pass(actor=request.user, visitor_pass=visitor_pass)
        messages.success(request, _("通行证已撤销"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("access:pass", pass_id)


def shared_pass(request, token: str):
    """The link a resident shares: the visitor opens it, no sign-in, and shows the QR at the gate.
    Only what the signed token says is shown, plus whether it was revoked or used up."""
    try:
        _header, claims = jws.peek(token)
        visitor_pass = queries.shared_pass(int(claims["sub"]), claims.get("jti", ""))
    except (jws.JwsError, KeyError, ValueError):
        raise Http404 from None
    if visitor_pass is None:
        raise Http404
    status = pass_tokens.status(visitor_pass)
    context = {
        "p": visitor_pass,
        "name": mask_name(visitor_pass.visitor_name),
        "status": status,
        "status_badge": PASS_STATUS[status],
        "svg": qr_svg(token),
        "gates": visitor_pass.gates.all(),
    }
    return render(request, "access/shared_pass.html", context)


@resident_view
def face(request):
    person = queries.my_people(request.user).order_by("id").first()
    if person is None:
        raise Http404
    form = FaceForm(request.POST or None, request.FILES or None, initial={"consent_by": person.name})
    if request.method == "POST" and form.is_valid():
        try:
            embedding = faces.embed_photo(form.cleaned_data["photo"].read(faces.MAX_PHOTO_BYTES + 1))
            services.do_enrol_face(
                actor=request.user,
                person=person,
                embedding_b64=embedding,
                consent_by=form.cleaned_data["consent_by"],
                consent_method="app",
            )
            messages.success(request, _("人脸已录入。照片未保存，只保存了加密的特征。"))
            return redirect("access:face")
        except ServiceError as exc:
            show_service_error(form, exc)
    context = {
        "form": form,
        "enrolled": queries.face_of(person),
        "back": reverse("access:home"),
    }
    return render(request, "access/resident/face.html", context)


@require_POST
@resident_view
def delete_face(request):
    person = queries.my_people(request.user).order_by("id").first()
    if person is None:
        raise Http404
    try:
        services.do_delete_face(actor=request.user, person=person)
        messages.success(request, _("人脸特征已删除"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("access:face")


@resident_view
def household(request, house_id: int):
    house = get_or_404(registry_queries.my_houses(request.user), pk=house_id)
    is_head = own_occupancy(request.user, house.pk, heads_only=True) is not None
    form = HelperForm(request.POST or None)
    if request.method == "POST" and is_head and form.is_valid():
        try:
            services.do_add_household_helper(
                actor=request.user,
                house=house,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                label=form.cleaned_data["label"],
                schedule=form.schedule(),
                valid_until=form.valid_until(),
            )
            messages.success(request, _("已添加，请为其生成门禁密码或到物业办卡"))
            return redirect("access:household", house.pk)
        except ServiceError as exc:
            show_service_error(form, exc)
    grants = [(g, describe(g.schedule)) for g in queries.household_grants(request.user, house.pk)]
    context = {
        "house": house,
        "grants": grants,
        "form": form,
        "is_head": is_head,
        "back": reverse("access:home"),
    }
    return render(request, "access/resident/household.html", context)


@require_POST
@resident_view
def revoke_grant(request, grant_id: int):
    grant = get_or_404(queries.grants_of_my_houses(request.user), pk=grant_id)
    try:
        services.do_revoke_grant(actor=request.user, grant=grant)
        messages.success(request, _("授权已撤销"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("access:household", grant.house_id)


@require_POST
@resident_view
def ack_alert(request, alert_id: int):
    alert = get_or_404(queries.care_alerts_visible(request.user), pk=alert_id)
    try:
        services.do_acknowledge_care_alert(actor=request.user, alert=alert, note=request.POST.get("note", ""))
        messages.success(request, _("已确认"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "access:home")


# --- console --------------------------------------------------------------------------------
# The 门禁与访客 entries of the console's navigation come from linli.core.shell.common.Console.


def _points(console: Console, user):
    return queries.points(user).filter(community=console.community)


@staff_view(Action.ACCESS_VIEW, "access_points")
def console_points(request, console: Console):
    user = request.user
    buildings = registry_queries.buildings(user, console.community.id)
    point_form = PointForm(prefix="point", buildings=buildings)
    terminal_form = TerminalForm(prefix="terminal", points=_points(console, user))
    new_token = None
    if request.method == "POST" and console.may(Action.ACCESS_ADMIN):
        if "point-name" in request.POST:
            point_form = PointForm(request.POST, prefix="point", buildings=buildings)
            if point_form.is_valid():
                data = point_form.cleaned_data
                building = get_or_404(buildings, pk=data["building"]) if data["building"] else None
                try:
                    services.do_create_point(
                        actor=user,
                        community=console.community,
                        name=data["name"],
                        kind=data["kind"],
                        building=building,
                        direction=data["direction"],
                    )
                    messages.success(request, _("门禁点已添加"))
                    return redirect(console.reverse("access:console_points"))
                except ServiceError as exc:
                    show_service_error(point_form, exc)
        else:
            terminal_form = TerminalForm(request.POST, prefix="terminal", points=_points(console, user))
            if terminal_form.is_valid():
                point = get_or_404(_points(console, user), pk=terminal_form.cleaned_data["point"])
                _terminal, new_token = services.do_register_terminal(
                    actor=user, point=point, name=terminal_form.cleaned_data["name"]
                )
    terminals = {}
    for t in queries.terminals(user).filter(community=console.community):
        terminals.setdefault(t.point_id, []).append(t)
    rows = [
        (p, terminals.get(p.pk, []))
        for p in _points(console, user).order_by("kind", *registry_queries.natural("name"))
    ]
    context = {
        "rows": rows,
        "point_form": point_form,
        "terminal_form": terminal_form,
        "new_token": new_token,
        "may_admin": console.may(Action.ACCESS_ADMIN),
        "jwks_url": f"/api/v1/communities/{console.community.id}/jwks.json",
    }
    return console.render(request, "access/console/points.html", context)


@require_POST
@staff_view(Action.ACCESS_ADMIN, "access_points")
def console_revoke_terminal(request, console: Console, terminal_id: int):
    terminal = get_or_404(queries.terminals(request.user).filter(community=console.community), pk=terminal_id)
    try:
        services.do_revoke_terminal(actor=request.user, terminal=terminal)
        messages.success(request, _("终端已注销"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(console.reverse("access:console_points"))


def _event_rows(events) -> list:
    return [
        cells(
            timezone.localtime(e.at).strftime("%m-%d %H:%M:%S"),
            e.point.name,
            e.person.name if e.person_id else "—",
            e.get_method_display(),
            Cell(_("通过") if e.allowed else _("拒绝"), badge="brand" if e.allowed else "danger"),
            REASON_LABELS.get(e.reason, e.reason),
        )
        for e in events
    ]


EVENT_COLUMNS = [
    Column(gettext_lazy("时间")),
    Column(gettext_lazy("门禁点")),
    Column(gettext_lazy("人员")),
    Column(gettext_lazy("方式")),
    Column(gettext_lazy("结果")),
    Column(gettext_lazy("原因")),
]


@staff_view(Action.ACCESS_VIEW, "access_events")
def console_events(request, console: Console):
    qs = queries.events(request.user).filter(community=console.community)
    if request.GET.get("allowed") in ("0", "1"):
        qs = qs.filter(allowed=request.GET["allowed"] == "1")
    rows, next_url, first_url = page_of(request, qs, newest_first=True, time_key="at")
    table = Table(EVENT_COLUMNS, _event_rows(rows), next_url=next_url, first_url=first_url)
    if _partial(request):
        return render(request, "linli/components/table.html", {"table": table})
    security = queries.security_events(request.user).filter(
        community=console.community, status=SecurityStatus.OPEN
    )[:20]
    context = {"table": table, "security": security, "reasons": REASON_LABELS}
    return console.render(request, "access/console/events.html", context)


@require_POST
@staff_view(Action.ACCESS_VIEW, "access_events")
def console_ack_security(request, console: Console, event_id: int):
    event = get_or_404(queries.security_events(request.user).filter(community=console.community), pk=event_id)
    try:
        services.do_acknowledge_security_event(actor=request.user, event=event)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(console.reverse("access:console_events"))


@staff_view(Action.ACCESS_VIEW, "access_grants")
def console_grants(request, console: Console):
    qs = queries.grants(request.user).filter(community=console.community, revoked_at__isnull=True)
    source = request.GET.get("source", "")
    if source:
        qs = qs.filter(source=source)
    rows, next_url, first_url = page_of(request, qs)
    table = Table(
        [
            Column(_("人员")),
            Column(_("分区")),
            Column(_("来源")),
            Column(_("说明")),
            Column(_("时段")),
            Column(_("有效期至")),
        ],
        [
            cells(
                g.person.name,
                g.zone.name,
                g.get_source_display(),
                g.label or "—",
                describe(g.schedule),
                timezone.localtime(g.valid_until).strftime("%Y-%m-%d %H:%M") if g.valid_until else _("长期"),
            )
            for g in rows
        ],
        next_url=next_url,
        first_url=first_url,
    )
    table.filters = [Filter("source", _("来源"), source, (("", _("全部来源")), *GrantSource.choices))]
    return console.render(
        request, "access/console/table.html", {"title": pgettext("plural", "门禁授权"), "table": table}
    )


@staff_view(Action.ACCESS_VIEW, "access_visitors")
def console_visitors(request, console: Console):
    user = request.user
    gates = _points(console, user).filter(is_active=True)
    form = WalkInForm(request.POST or None, points=gates)
    created = None
    if request.method == "POST" and console.may(Action.VISITOR_REGISTER) and form.is_valid():
        data = form.cleaned_data
        house = registry_queries.house_by_label(
            registry_queries.houses(user), console.community.id, data["house"]
        )
        if house is None:
            form.add_error("house", _("找不到该房屋，格式如 1号楼-1单元-301"))
        else:
            try:
                created = services.do_register_walk_in(
                    actor=user,
                    house=house,
                    visitor_name=data["visitor_name"],
                    id_number=data["id_number"],
                    visitor_phone=data["visitor_phone"],
                    plate=data["plate"],
                    purpose=data["purpose"],
                )
                if data["open_point"]:
                    point = get_or_404(gates, pk=data["open_point"])
                    services.do_manual_open(actor=user, point=point, visitor_pass=created)
                messages.success(request, _("访客已登记"))
                return redirect(console.reverse("access:console_visitors"))
            except ServiceError as exc:
                show_service_error(form, exc)
    rows, next_url, first_url = page_of(
        request,
        queries.with_pass_state(queries.passes(user).filter(community=console.community)),
        newest_first=True,
    )
    table = Table(
        [
            Column(_("访客")),
            Column(_("类型")),
            Column(_("到访房屋")),
            Column(_("有效期")),
            Column(_("已用/可用"), numeric=True),
            Column(_("状态")),
        ],
        [
            cells(
                mask_name(p.visitor_name),
                p.get_kind_display(),
                p.house.label if p.house_id else "—",
                f"{timezone.localtime(p.valid_from):%m-%d %H:%M} – {timezone.localtime(p.valid_until):%m-%d %H:%M}",
                Cell(f"{p.uses}/{p.max_uses}", numeric=True),
                _pass_status_cell(p),
            )
            for p in rows
        ],
        next_url=next_url,
        first_url=first_url,
    )
    context = {"form": form, "table": table, "may_register": console.may(Action.VISITOR_REGISTER)}
    return console.render(request, "access/console/visitors.html", context)


@staff_view(Action.ACCESS_VIEW, "access_parking")
def console_parking(request, console: Console):
    qs = queries.parking(request.user).filter(community=console.community)
    rows, next_url, first_url = page_of(request, qs, newest_first=True)
    table = Table(
        [Column(_("车牌")), Column(_("入场")), Column(_("出场")), Column(_("入口")), Column(_("访客证"))],
        [
            cells(
                Cell(r.plate[:2] + "***" + r.plate[-2:], mono=True),
                timezone.localtime(r.entered_at).strftime("%m-%d %H:%M"),
                timezone.localtime(r.exited_at).strftime("%m-%d %H:%M") if r.exited_at else _("在场"),
                r.entry_point.name,
                _("有") if r.visitor_pass_id else "—",
            )
            for r in rows
        ],
        next_url=next_url,
        first_url=first_url,
    )
    return console.render(request, "access/console/table.html", {"title": _("临时停车"), "table": table})


@staff_view(Action.CARE_VIEW, "access_care")
def console_care(request, console: Console):
    user = request.user
    tagged = registry_queries.care_tagged_people(user, console.community.id)
    form = CareRuleForm(request.POST or None, people=tagged)
    if request.method == "POST" and form.is_valid():
        person = get_or_404(tagged, pk=form.cleaned_data["person"])
        try:
            services.do_set_care_rule(
                actor=user, person=person, kind=form.cleaned_data["kind"], hours=form.cleaned_data["hours"]
            )
            messages.success(request, _("提醒规则已保存"))
            return redirect(console.reverse("access:console_care"))
        except ServiceError as exc:
            show_service_error(form, exc)
    context = {
        "form": form,
        "rules": queries.care_rules(user).filter(community=console.community, is_active=True),
        "alerts": queries.care_alerts(user).filter(community=console.community)[:50],
        "may_change": console.may(Action.CARE_CHANGE),
    }
    return console.render(request, "access/console/care.html", context)


# --- the gate screen (demo) -----------------------------------------------------------------


@staff_view(Action.ACCESS_VIEW, "access_points")
def gate_screen(request, console: Console, point_id: int):
    """A guard-house screen for one point: the last passages, live; a guard may open; an
    installer may simulate what the point's terminal would send (card number or QR)."""
    point = get_or_404(_points(console, request.user), pk=point_id)
    events = queries.events(request.user).filter(point=point)[:12]
    if _partial(request):
        return render(request, "access/gate/_feed.html", {"events": events, "reasons": REASON_LABELS})
    form = SimulateForm(request.POST or None)
    decision = None
    if request.method == "POST" and console.may(Action.ACCESS_ADMIN) and form.is_valid():
        terminal = queries.terminals(request.user).filter(point=point, revoked_at__isnull=True).first()
        if terminal is None:
            form.add_error(None, _("该门禁点还没有终端"))
        else:
            value = form.cleaned_data["credential"].strip()
            method = "qr" if value.count(".") == 2 else "card"
            decision = services.do_decide(terminal=terminal, method=method, card=value, qr=value)
            form = SimulateForm()  # empty for the next card: the guard must not resend the last one
    context = {
        "point": point,
        "events": events,
        "form": form,
        "decision": decision,
        "may_simulate": console.may(Action.ACCESS_ADMIN),
        "may_open": console.may(Action.VISITOR_REGISTER),
        "reasons": REASON_LABELS,
    }
    return console.render(request, "access/gate/screen.html", context)


@require_POST
@staff_view(Action.VISITOR_REGISTER, "access_points")
def gate_open(request, console: Console, point_id: int):
    point = get_or_404(_points(console, request.user), pk=point_id)
    services.do_manual_open(actor=request.user, point=point)
    messages.success(request, _("已远程开门：%(point)s") % {"point": point.name})
    return redirect("access:gate_screen", console.community.id, point.pk)
