"""Life-services pages. The resident's (one page: recommendations with their reason and
"不感兴趣", services with booking, venues with booking, my bookings, health links); the provider
login's (its provider's bookings: confirm, complete); the console's (bookings, providers and
offerings with their logins, editing and retiring, the venue calendar with editing and
retiring). Every write goes through the services; a refusal is shown as a message with the
service's text."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import ServiceError
from linli.core.masking import mask_name, mask_phone
from linli.core.roles import Action
from linli.core.shell.common import Console, resident_view, staff_view
from linli.registry import queries as registry_queries
from linli.services import queries
from linli.services.choices import Category, Condition, VenueKind
from linli.services.services import bookings, links, providers, recommend, venues


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None


def _attempt(request, call, done: str) -> None:
    """Runs one service call from a form, telling the user how it went."""
    try:
        call()
        messages.success(request, done)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    except (ValueError, KeyError):
        messages.error(request, _("提交的数据有误，请检查后重试"))


# --- resident ------------------------------------------------------------------------------------


@resident_view
def home(request):
    houses = list(registry_queries.my_houses(request.user))
    chosen = _int(request.POST.get("house") or request.GET.get("house"))
    house = next((h for h in houses if h.pk == chosen), houses[0] if houses else None)
    if request.method == "POST":
        _resident_post(request, house.pk if house else 0)
        return redirect(f"{reverse('services:home')}?house={house.pk}" if house else reverse("services:home"))
    context = {
        "tab": "services",
        "back": reverse("web:services"),
        "houses": houses,
        "house": house,
        "consent": queries.consent_of(house.pk) if house else None,
        "recommendations": queries.recommendations(request.user, house.pk) if house else [],
        "offerings": list(queries.resident_offerings(request.user)),
        "venues": list(queries.resident_venues(request.user)),
        "bookings": list(queries.my_bookings(request.user)[:20]),
        "venue_bookings": list(
            queries.my_venue_bookings(request.user).filter(ends_at__gte=timezone.now())[:20]
        ),
        "links": list(queries.resident_health_links(request.user)),
        "today": timezone.localdate(),
    }
    return render(request, "services/resident_home.html", context)


def _resident_post(request, house_id: int) -> None:
    """One form of the page, for the household chosen on it (`house`)."""
    post, user = request.POST, request.user
    action = post.get("action", "")
    if action == "book":
        offering = queries.resident_offerings(user).filter(pk=_int(post.get("offering_id"))).first()
        if offering is None:
            raise Http404
        _attempt(
            request,
            lambda: bookings.do_book_service(
                actor=user,
                offering=offering,
                slot_id=_int(post.get("slot_id")) or 0,
                on=date.fromisoformat(post.get("date", "")),
                house_id=house_id,
                note=post.get("note", "")[:200],
            ),
            _("预约已提交，等待服务商确认"),
        )
    elif action == "cancel":
        booking = queries.my_bookings(user).filter(pk=_int(post.get("booking_id"))).first()
        if booking is None:
            raise Http404
        _attempt(request, lambda: bookings.do_cancel_booking(actor=user, booking=booking), _("已取消预约"))
    elif action == "book_venue":
        venue = queries.resident_venues(user).filter(pk=_int(post.get("venue_id"))).first()
        if venue is None:
            raise Http404
        _attempt(
            request,
            lambda: venues.do_book_venue(
                actor=user,
                venue=venue,
                house_id=house_id,
                starts_at=timezone.make_aware(datetime.fromisoformat(post.get("starts", ""))),
                slots=min(_int(post.get("slots")) or 1, 16),
            ),
            _("场地已预订"),
        )
    elif action in ("opt_in", "withdraw", "dismiss"):
        _recommendation_post(request, action, house_id)


def _recommendation_post(request, action: str, house_id: int) -> None:
    user = request.user
    if action == "opt_in":
        _attempt(request, lambda: recommend.do_opt_in(actor=user, house_id=house_id), _("已开启个性化推荐"))
    elif action == "withdraw":
        _attempt(
            request,
            lambda: recommend.do_withdraw_consent(actor=user, house_id=house_id),
            _("已关闭个性化推荐"),
        )
    else:
        rule_id = _int(request.POST.get("rule_id")) or 0
        _attempt(
            request,
            lambda: recommend.do_dismiss(actor=user, house_id=house_id, rule_id=rule_id),
            _("以后不再推荐此项"),
        )


# --- the provider's login -----------------------------------------------------------------------


@resident_view
def provider(request):
    if request.method == "POST":
        booking = (
            queries.provider_bookings(request.user).filter(pk=_int(request.POST.get("booking_id"))).first()
        )
        if booking is None:
            raise Http404
        if request.POST.get("action") == "confirm":
            _attempt(
                request, lambda: bookings.do_confirm_booking(actor=request.user, booking=booking), _("已确认")
            )
        else:
            fee = _int(request.POST.get("fee_fen")) or 0
            _attempt(
                request,
                lambda: bookings.do_complete_booking(
                    actor=request.user, booking=booking, fee_fen=fee, paid_on_site=True
                ),
                _("已完成"),
            )
        return redirect("services:provider")
    rows = [(b, mask_name(b.person_name)) for b in queries.provider_bookings(request.user)[:100]]
    return render(request, "services/provider.html", {"rows": rows, "tab": "services"})


# --- console -------------------------------------------------------------------------------------


@staff_view(Action.SERVICES_VIEW, "services_bookings")
def console_bookings(request, console: Console):
    """The bookings, and the counter's 代办: find the house by its label, pick the resident
    (masked name and relation), the offering's slot and the date."""
    cid = console.community.id
    if request.method == "POST" and console.may(Action.SERVICES_BOOK_FOR):
        _book_for(request, console)
        return redirect(console.reverse("services:console_bookings"))
    found = queries.bookings(request.user).filter(community_id=cid)[:200]
    context: dict = {"rows": [(b, mask_name(b.person_name)) for b in found]}
    label = request.GET.get("house", "")[:60]
    if label and console.may(Action.SERVICES_BOOK_FOR):
        house = registry_queries.house_by_label(registry_queries.houses(request.user), cid, label)
        household = registry_queries.households([house.pk])[0].household if house else []  # type: ignore[attr-defined]
        context |= {
            "house": house,
            "label": label,
            "members": [(o.person_id, mask_name(o.person.name), o.get_relation_display()) for o in household],
            "offerings": list(
                queries.offerings(request.user)
                .filter(community_id=cid, active=True)
                .prefetch_related(queries.open_slots())
            ),
            "today": timezone.localdate(),
        }
    context["may_book_for"] = console.may(Action.SERVICES_BOOK_FOR)
    return console.render(request, "services/console_bookings.html", context)


def _book_for(request, console: Console) -> None:
    post = request.POST
    offering_id, _sep, slot_id = post.get("slot", "").partition(":")
    offering = (
        queries.offerings(request.user)
        .filter(pk=_int(offering_id), community_id=console.community.id)
        .first()
    )
    if offering is None:
        raise Http404
    _attempt(
        request,
        lambda: bookings.do_book_service(
            actor=request.user,
            offering=offering,
            slot_id=_int(slot_id) or 0,
            on=date.fromisoformat(post.get("date", "")),
            house_id=_int(post.get("house_id")) or 0,
            person_id=_int(post.get("person_id")) or 0,
            note=post.get("note", "")[:200],
        ),
        _("已代办预约，住户会收到通知"),
    )


@staff_view(Action.SERVICES_VIEW, "services_providers")
def console_providers(request, console: Console):
    cid = console.community.id
    back = console.reverse("services:console_providers")
    if request.method == "POST" and console.may(Action.SERVICES_MANAGE):
        _set_up(request, cid)
        editing = _int(request.POST.get("offering_id"))
        if request.POST.get("action", "") in OFFERING_ACTIONS and editing:
            return redirect(f"{back}?offering={editing}#edit-offering")
        return redirect(back)
    offerings = list(queries.offerings(request.user).filter(community_id=cid).prefetch_related("slots"))
    logins: dict[int, list] = {}
    for link in queries.provider_logins(request.user, cid):
        name = mask_name(link.user.display_name or link.user.username)
        logins.setdefault(link.provider_id, []).append((link.user_id, name, mask_phone(link.user.phone)))
    chosen = _int(request.GET.get("offering"))
    context = {
        "may_manage": console.may(Action.SERVICES_MANAGE),
        "conditions": Condition.choices,
        "categories": Category.choices,
        "organizations": list(
            registry_queries.organizations(request.user)
            .filter(community_id=cid, service_provider__isnull=True)
            .order_by("name")[:200]
        ),
        "weekdays": list(
            enumerate([_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")])
        ),
        "providers": [(p, logins.get(p.pk, [])) for p in queries.providers(request.user, cid)],
        "offerings": offerings,
        "editing": next((o for o in offerings if o.pk == chosen), None),
        "links": list(queries.health_links(request.user).filter(community_id=cid)),
        "rules": list(queries.rules(request.user).filter(community_id=cid)),
    }
    return console.render(request, "services/console_providers.html", context)


def _set_up(request, cid: int) -> None:
    """The set-up forms of the page: a provider and its licence, an offering and its slots, a
    health link, a recommendation rule, a rule on or off."""
    post, user = request.POST, request.user
    action = post.get("action", "")
    if action in ("add_provider", "licence", "add_offering", "add_slot"):
        _set_up_catalogue(request, cid, action)
    elif action in OFFERING_ACTIONS:
        _edit_catalogue(request, cid, action)
    elif action in ("link_login", "unlink_login"):
        _provider_login(request, cid, action)
    elif action == "add_link":
        _attempt(
            request,
            lambda: links.do_add_health_link(
                actor=user,
                community_id=cid,
                name=post["name"][:60],
                url=post["url"][:300],
                note=post.get("note", "")[:200],
            ),
            _("已添加"),
        )
    elif action == "add_rule":
        if post.get("condition") not in Condition.values or post.get("category") not in Category.values:
            raise Http404
        _attempt(
            request,
            lambda: recommend.do_create_rule(
                actor=user,
                community_id=cid,
                condition=post["condition"],
                category=post["category"],
                reason=post["reason"][:100],
            ),
            _("已添加"),
        )
    elif action == "toggle_rule":
        rule = queries.rules(user).filter(pk=_int(post.get("rule_id")), community_id=cid).first()
        if rule is None:
            raise Http404
        _attempt(
            request,
            lambda: recommend.do_update_rule(actor=user, rule=rule, active=not rule.active),
            _("已更新"),
        )


def _set_up_catalogue(request, cid: int, action: str) -> None:
    post, user = request.POST, request.user
    if action == "add_provider":
        org_id = _int(post.get("organization_id")) or 0
        _attempt(
            request,
            lambda: providers.do_register_provider(actor=user, community_id=cid, organization_id=org_id),
            _("已登记为服务商，请录入许可证"),
        )
        return
    if action in ("licence", "add_offering"):
        provider = queries.providers(user, cid).filter(pk=_int(post.get("provider_id"))).first()
        if provider is None:
            raise Http404
        if action == "licence":
            _attempt(
                request,
                lambda: providers.do_record_licence(
                    actor=user,
                    provider=provider,
                    licence_number=post["licence_number"][:50],
                    licence_kind=post["licence_kind"][:50],
                    valid_until=date.fromisoformat(post.get("valid_until", "")),
                ),
                _("许可证已录入"),
            )
            return
        if post.get("category") not in Category.values:
            raise Http404
        price = post.get("price_fen", "")
        _attempt(
            request,
            lambda: providers.do_create_offering(
                actor=user,
                provider=provider,
                category=post["category"],
                title=post["title"][:60],
                duration_minutes=min(max(_int(post.get("duration_minutes")) or 60, 15), 720),
                price_fen=_int(price) if price else None,
            ),
            _("服务项目已添加"),
        )
        return
    offering = queries.offerings(user).filter(pk=_int(post.get("offering_id")), community_id=cid).first()
    if offering is None:
        raise Http404
    _attempt(
        request,
        lambda: providers.do_add_slot(
            actor=user,
            offering=offering,
            weekday=min(_int(post.get("weekday")) or 0, 6),
            start_time=time.fromisoformat(post.get("start_time", "")),
            capacity=min(max(_int(post.get("capacity")) or 1, 1), 1000),
        ),
        _("时段已添加"),
    )


OFFERING_ACTIONS = (
    "edit_offering",
    "retire_offering",
    "reopen_offering",
    "edit_slot",
    "retire_slot",
    "reopen_slot",
)


def _edit_catalogue(request, cid: int, action: str) -> None:
    """Editing, retiring and reopening an offering and its slots."""
    post, user = request.POST, request.user
    offering = queries.offerings(user).filter(pk=_int(post.get("offering_id")), community_id=cid).first()
    if offering is None:
        raise Http404
    if action == "edit_offering":
        if post.get("category") not in Category.values:
            raise Http404
        price = post.get("price_fen", "")
        _attempt(
            request,
            lambda: providers.do_update_offering(
                actor=user,
                offering=offering,
                category=post["category"],
                title=post["title"][:60],
                description=post.get("description", "")[:1000],
                duration_minutes=min(max(_int(post.get("duration_minutes")) or 60, 15), 720),
                price_fen=min(_int(price) or 0, 100_000_000) if price else None,
            ),
            _("服务项目已修改"),
        )
    elif action == "retire_offering":
        _attempt(request, lambda: providers.do_retire_offering(actor=user, offering=offering), _("已下架"))
    elif action == "reopen_offering":
        _attempt(
            request, lambda: providers.do_reopen_offering(actor=user, offering=offering), _("已重新上架")
        )
    else:
        _edit_slot(request, offering, action)


def _edit_slot(request, offering, action: str) -> None:
    post, user = request.POST, request.user
    slot = offering.slots.filter(pk=_int(post.get("slot_id"))).first()
    if slot is None:
        raise Http404
    if action == "edit_slot":
        _attempt(
            request,
            lambda: providers.do_update_slot(
                actor=user,
                slot=slot,
                weekday=min(_int(post.get("weekday")) or 0, 6),
                start_time=time.fromisoformat(post.get("start_time", "")),
                capacity=min(max(_int(post.get("capacity")) or 1, 1), 1000),
            ),
            _("时段已修改"),
        )
    elif action == "retire_slot":
        _attempt(request, lambda: providers.do_retire_slot(actor=user, slot=slot), _("时段已停用"))
    else:
        _attempt(request, lambda: providers.do_reopen_slot(actor=user, slot=slot), _("时段已恢复"))


def _provider_login(request, cid: int, action: str) -> None:
    """Link the account of a phone number to a provider, or unlink one of its logins."""
    post, user = request.POST, request.user
    provider = queries.providers(user, cid).filter(pk=_int(post.get("provider_id"))).first()
    if provider is None:
        raise Http404
    if action == "link_login":
        _attempt(
            request,
            lambda: providers.do_link_provider_login(actor=user, provider=provider, phone=post["phone"][:20]),
            _("已关联登录账号"),
        )
    else:
        user_id = _int(post.get("user_id")) or 0
        _attempt(
            request,
            lambda: providers.do_remove_provider_staff(actor=user, provider=provider, user_id=user_id),
            _("已解除关联"),
        )


def _venue_fields(post) -> dict:
    """The venue form's fields, bounded as the API bounds them."""
    return {
        "name": post["name"][:60],
        "kind": post["kind"],
        "opens_at": time.fromisoformat(post.get("opens_at", "")),
        "closes_at": time.fromisoformat(post.get("closes_at", "")),
        "slot_minutes": min(max(_int(post.get("slot_minutes")) or 60, 15), 240),
        "max_per_week": min(max(_int(post.get("max_per_week")) or 2, 1), 50),
        "owners_only": post.get("owners_only") == "on",
        "deposit_fen": min(_int(post.get("deposit_fen")) or 0, 100_000_000),
        "rules": post.get("rules", "")[:500],
    }


def _add_venue(request, console: Console) -> None:
    """services.manage is checked by the service: the counter's post is refused there."""
    post = request.POST
    if post.get("kind") not in VenueKind.values:
        raise Http404
    _attempt(
        request,
        lambda: venues.do_create_venue(
            actor=request.user, community_id=console.community.id, **_venue_fields(post)
        ),
        _("场地已添加"),
    )


def _edit_venue(request, console: Console, action: str) -> int:
    """Edit, retire or reopen a venue (services.manage, checked by the service); its id."""
    post = request.POST
    venue = (
        queries.venues(request.user)
        .filter(pk=_int(post.get("venue_id")), community_id=console.community.id)
        .first()
    )
    if venue is None:
        raise Http404
    if action == "edit_venue":
        if post.get("kind") not in VenueKind.values:
            raise Http404
        _attempt(
            request,
            lambda: venues.do_update_venue(actor=request.user, venue=venue, **_venue_fields(post)),
            _("场地已修改"),
        )
    elif action == "retire_venue":
        _attempt(
            request, lambda: venues.do_retire_venue(actor=request.user, venue=venue), _("场地已暂停预订")
        )
    else:
        _attempt(
            request, lambda: venues.do_reopen_venue(actor=request.user, venue=venue), _("场地已恢复预订")
        )
    return venue.pk


@staff_view(Action.SERVICES_VIEW, "services_venues")
def console_venues(request, console: Console):
    """The venue calendar: the next two weeks' bookings, day by day; deposits held and returned."""
    cid = console.community.id
    back = console.reverse("services:console_venues")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "add_venue":
        _add_venue(request, console)
        return redirect(back)
    if action in ("edit_venue", "retire_venue", "reopen_venue"):
        venue_id = _edit_venue(request, console, action)
        return redirect(f"{back}?venue={venue_id}#edit-venue" if action == "edit_venue" else back)
    if request.method == "POST":
        booking = (
            queries.venue_bookings(request.user)
            .filter(pk=_int(request.POST.get("booking_id")), community_id=cid)
            .first()
        )
        step = request.POST.get("step", "")
        if booking is None or step not in venues.DEPOSIT_STEPS:
            raise Http404
        _attempt(
            request,
            lambda: venues.do_move_deposit(actor=request.user, booking=booking, step=step),
            _("押金已更新"),
        )
        return redirect(console.reverse("services:console_venues"))
    now = timezone.now()
    found = queries.venue_bookings(request.user).filter(
        community_id=cid, starts_at__gte=now - timedelta(days=1), starts_at__lt=now + timedelta(days=14)
    )
    days: dict[date, list] = {}
    for b in found.order_by("starts_at"):
        days.setdefault(timezone.localtime(b.starts_at).date(), []).append(b)
    all_venues = list(queries.venues(request.user).filter(community_id=cid))
    chosen = _int(request.GET.get("venue"))
    context = {
        "venues": all_venues,
        "editing": next((v for v in all_venues if v.pk == chosen), None),
        "days": sorted(days.items()),
        "may_manage": console.may(Action.SERVICES_MANAGE),
        "kinds": VenueKind.choices,
    }
    return console.render(request, "services/console_venues.html", context)
