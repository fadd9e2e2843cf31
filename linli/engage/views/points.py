"""Points pages. The resident's: my points with their history, log volunteer hours, the catalogue
and redeeming, my redemptions. The console's: rules and the expiry policy, the volunteer-hours
queue, garbage check-ins, the catalogue and its stock, redemptions to hand over (and redeeming at
the counter on a resident's behalf)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, page_of, resident_view, staff_view
from linli.engage import queries_points as queries
from linli.engage.choices_points import ExpiryPolicy, RedemptionStatus, RuleKind, VolunteerStatus
from linli.engage.models import CatalogueItem, EarningRule
from linli.engage.services import points, points_catalogue
from linli.registry import queries as registry_queries


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


def _acting(request, call, done: str) -> bool:
    """Runs a service call from a form: its success or its refusal as a message."""
    try:
        call()
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return False
    messages.success(request, done)
    return True


def _resident(request, template: str, context: dict):
    return render(request, template, {"tab": "services", "back": reverse("engage:points_home"), **context})


# --- resident ------------------------------------------------------------------------------------


@resident_view
def home(request):
    mine = queries.my_accounts(request.user)
    chosen = next(
        (a for a in mine if a["house"].pk == _int(request.GET.get("house"))), mine[0] if mine else None
    )
    rows, next_url, first_url = [], "", ""
    if chosen is not None:
        account = queries.account_of_house(request.user, chosen["house"].pk)
        if account is not None:
            rows, next_url, first_url = page_of(request, queries.entries(account), newest_first=True)
    context = {
        "accounts": mine,
        "chosen": chosen,
        "entries": rows,
        "next_url": next_url,
        "first_url": first_url,
    }
    return render(
        request, "engage/points/home.html", {"tab": "services", "back": reverse("web:services"), **context}
    )


@resident_view
def earn(request):
    houses = list(registry_queries.my_houses(request.user))
    if request.method == "POST":
        post = request.POST
        house = _int(post.get("house")) or (houses[0].pk if houses else 0)
        ok = _acting(
            request,
            lambda: points.do_log_volunteer_hours(
                actor=request.user,
                house_id=house,
                day=_date(post.get("day")),
                hours=_hours(post.get("hours")),
                description=post.get("description", "")[:200],
            ),
            _("已提交，工作人员确认后积分到账"),
        )
        if ok:
            return redirect("engage:points_earn")
    rules = list(queries.rules(request.user, houses[0].community_id).filter(active=True)) if houses else []
    context = {"houses": houses, "rules": rules, "logs": queries.my_volunteer_logs(request.user)[:20]}
    return _resident(request, "engage/points/earn.html", context)


def _date(value):
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        raise ServiceError("invalid_day", _("请选择服务日期"), fields={"day": _("必填")}) from None


def _hours(value):
    try:
        return Decimal(str(value or "0"))
    except InvalidOperation:
        return Decimal("0")


@resident_view
def catalogue(request):
    accounts = queries.my_accounts(request.user)
    if request.method == "POST":
        item = queries.item(request.user, _int(request.POST.get("item")) or 0)
        house = _int(request.POST.get("house")) or (accounts[0]["house"].pk if accounts else 0)
        if item is None:
            raise Http404
        if _acting(
            request,
            lambda: points_catalogue.do_redeem(actor=request.user, item=item, house_id=house),
            _("兑换成功，请到物业服务中心领取"),
        ):
            return redirect("engage:points_redemptions")
        return redirect("engage:points_catalogue")
    items = (
        queries.catalogue(request.user, accounts[0]["house"].community_id, listed_only=True)
        if accounts
        else []
    )
    return _resident(request, "engage/points/catalogue.html", {"accounts": accounts, "items": items})


@resident_view
def redemptions(request):
    if request.method == "POST":
        found = (
            queries.my_redemptions(request.user).filter(pk=_int(request.POST.get("redemption")) or 0).first()
        )
        if found is None:
            raise Http404
        _acting(
            request,
            lambda: points_catalogue.do_cancel_redemption(
                actor=request.user, redemption=found, reason=_("居民取消")
            ),
            _("已取消，积分已退回"),
        )
        return redirect("engage:points_redemptions")
    context = {
        "redemptions": queries.my_redemptions(request.user)[:50],
        "requested": RedemptionStatus.REQUESTED,
    }
    return _resident(request, "engage/points/redemptions.html", context)


# --- console -----------------------------------------------------------------------------------


def _house(request, console: Console, label: str):
    house = registry_queries.house_by_label(
        registry_queries.houses(request.user), console.community.id, label
    )
    if house is None:
        raise ServiceError(
            "unknown_house", _("未找到该房屋，请按“楼栋-单元-房号”填写"), fields={"house": label}
        )
    return house


@staff_view(Action.ENGAGE_VIEW, "engage_points_rules")
def console_rules(request, console: Console):
    cid = console.community.id
    if request.method == "POST" and console.may(Action.POINTS_MANAGE):
        post = request.POST
        if post.get("do") == "policy":
            _acting(
                request,
                lambda: points.do_set_policy(
                    actor=request.user,
                    community_id=cid,
                    expiry=post.get("expiry", ""),
                    appeal_days=min(_int(post.get("appeal_days")) or 7, 90),
                ),
                _("已保存"),
            )
        elif post.get("do") == "new":
            _acting(
                request,
                lambda: points.do_create_rule(
                    actor=request.user,
                    community_id=cid,
                    code=post.get("code", "")[:30],
                    kind=post.get("kind", ""),
                    name=post.get("name", "")[:40],
                    points=min(_int(post.get("points")) or 0, 10_000),
                    daily_limit=min(_int(post.get("daily_limit")) or 0, 100),
                ),
                _("已添加规则"),
            )
        else:
            rule = queries.managed(EarningRule, request.user).filter(pk=_int(post.get("rule")) or 0).first()
            if rule is None:
                raise Http404
            _acting(
                request,
                lambda: points.do_update_rule(
                    actor=request.user,
                    rule=rule,
                    points=min(_int(post.get("points")) or rule.points, 10_000),
                    daily_limit=min(_int(post.get("daily_limit")) or 0, 100),
                    active=post.get("active") == "on",
                ),
                _("已保存"),
            )
        return redirect(console.reverse("engage:staff_points_rules"))
    context = {
        "rules": queries.rules(request.user, cid),
        "policy": queries.policy(cid),
        "kinds": RuleKind.choices,
        "expiries": ExpiryPolicy.choices,
        "may_manage": console.may(Action.POINTS_MANAGE),
        "accounts": queries.accounts(request.user, cid)[:20],
    }
    return console.render(request, "engage/points/console_rules.html", context)


@staff_view(Action.POINTS_MANAGE, "engage_points_volunteer")
def console_volunteer(request, console: Console):
    if request.method == "POST":
        log = queries.volunteer_log(request.user, _int(request.POST.get("log")) or 0)
        if log is None:
            raise Http404
        if request.POST.get("do") == "reject":
            note = request.POST.get("note", "")[:200]
            _acting(
                request,
                lambda: points.do_reject_volunteer(actor=request.user, log=log, note=note),
                _("已退回"),
            )
        else:
            _acting(
                request,
                lambda: points.do_confirm_volunteer(actor=request.user, log=log),
                _("已确认，积分已发放"),
            )
        return redirect(console.reverse("engage:staff_points_volunteer"))
    status = request.GET.get("status", VolunteerStatus.PENDING)
    found = queries.volunteer_logs(request.user, console.community.id, status)
    rows, next_url, first_url = page_of(request, found, newest_first=True)
    context = {
        "logs": rows,
        "next_url": next_url,
        "first_url": first_url,
        "pending": status == VolunteerStatus.PENDING,
    }
    return console.render(request, "engage/points/console_volunteer.html", context)


@staff_view(Action.POINTS_MANAGE, "engage_points_garbage")
def console_garbage(request, console: Console):
    if request.method == "POST":
        label = request.POST.get("house", "")[:60]

        def record():
            house = _house(request, console, label)
            points.do_record_garbage_checkin(
                actor=request.user, community_id=console.community.id, house_id=house.pk
            )

        _acting(request, record, _("已记录：%(house)s") % {"house": label})
        return redirect(console.reverse("engage:staff_points_garbage"))
    rule = (
        queries.rules(request.user, console.community.id).filter(kind=RuleKind.GARBAGE, active=True).first()
    )
    return console.render(request, "engage/points/console_garbage.html", {"rule": rule})


@staff_view(Action.POINTS_MANAGE, "engage_points_catalogue")
def console_catalogue(request, console: Console):
    cid = console.community.id
    if request.method == "POST":
        post = request.POST
        if post.get("do") == "new":
            _acting(
                request,
                lambda: points_catalogue.do_create_item(
                    actor=request.user,
                    community_id=cid,
                    name=post.get("name", "")[:40],
                    description=post.get("description", "")[:200],
                    price=min(_int(post.get("price")) or 0, 1_000_000),
                    stock=min(_int(post.get("stock")) or 0, 100_000),
                ),
                _("已上架"),
            )
        else:
            item = queries.managed(CatalogueItem, request.user).filter(pk=_int(post.get("item")) or 0).first()
            if item is None:
                raise Http404
            change = post.get("change", "").strip()
            amount = int(change) if change.lstrip("-").isdigit() and len(change) < 7 else 0
            toggle = post.get("do") == "toggle"
            _acting(
                request,
                lambda: (
                    points_catalogue.do_update_item(actor=request.user, item=item, active=not item.active)
                    if toggle
                    else points_catalogue.do_change_stock(actor=request.user, item=item, change=amount)
                ),
                _("已保存"),
            )
        return redirect(console.reverse("engage:staff_points_catalogue"))
    return console.render(
        request, "engage/points/console_catalogue.html", {"items": queries.catalogue(request.user, cid)}
    )


@staff_view(Action.ENGAGE_VIEW, "engage_points_redemptions")
def console_redemptions(request, console: Console):
    cid = console.community.id
    if request.method == "POST" and console.may(Action.POINTS_MANAGE):
        post = request.POST
        if post.get("do") == "redeem":
            item = queries.managed(CatalogueItem, request.user).filter(pk=_int(post.get("item")) or 0).first()
            if item is None:
                raise Http404

            def redeem():
                house = _house(request, console, post.get("house", "")[:60])
                points_catalogue.do_redeem(actor=request.user, item=item, house_id=house.pk)

            _acting(request, redeem, _("已代办兑换"))
        else:
            found = (
                queries.redemptions(request.user, cid).filter(pk=_int(post.get("redemption")) or 0).first()
            )
            if found is None:
                raise Http404
            cancel = post.get("do") == "cancel"
            _acting(
                request,
                lambda: (
                    points_catalogue.do_cancel_redemption(
                        actor=request.user, redemption=found, reason=_("工作人员取消")
                    )
                    if cancel
                    else points_catalogue.do_fulfil_redemption(actor=request.user, redemption=found)
                ),
                _("已保存"),
            )
        return redirect(console.reverse("engage:staff_points_redemptions"))
    status = request.GET.get("status", RedemptionStatus.REQUESTED)
    rows, next_url, first_url = page_of(
        request, queries.redemptions(request.user, cid, status), newest_first=True
    )
    context = {
        "redemptions": rows,
        "next_url": next_url,
        "first_url": first_url,
        "statuses": RedemptionStatus.choices,
        "status": status,
        "requested": RedemptionStatus.REQUESTED,
        "items": queries.catalogue(request.user, cid, listed_only=True),
        "may_manage": console.may(Action.POINTS_MANAGE),
    }
    return console.render(request, "engage/points/console_redemptions.html", context)
