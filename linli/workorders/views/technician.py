"""The technician's H5 and the staff's order page: my queue, the grab pool, on duty or not, and
one order with the moves the viewer may make (接单, 出发, 开始, 暂停, 完成 … for the assignee;
受理, 派单, 转派, 驳回 for the desk), its photos before and after, the materials used, and the
reporter's phone revealed on demand (logged). The notices link the order page
(`STAFF_LINK` in services/notices.py)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import ServiceError
from linli.core.http import get_or_404
from linli.core.roles import Action
from linli.core.shell.common import Console, safe_next, staff_view
from linli.workorders import queries
from linli.workorders.choices import DispatchMode
from linli.workorders.forms import ChargeForm, PhotoForm
from linli.workorders.services import attachments, charges, contact, setup
from linli.workorders.views import common

SECTION = "workorders_mine"


def _order(request, console: Console, request_id: int):
    return get_or_404(queries.requests(request.user).filter(community=console.community), pk=request_id)


@staff_view(Action.WORKORDER_HANDLE, SECTION)
def home(request, console: Console):
    user, community_id = request.user, console.community.id
    grab = setup.settings_of(community_id).dispatch_mode == DispatchMode.GRAB
    queue = queries.my_queue(user).filter(community_id=community_id).order_by("resolve_due")
    context = {
        "queue": [(r, common.tone(r.status)) for r in queue],
        "pool": list(queries.pool(user, community_id).order_by("id")[:50]) if grab else None,
        "me": list(queries.handlers(user, community_id).filter(user=user)),
    }
    return console.render(request, "workorders/staff/home.html", context)


@require_POST
@staff_view(Action.WORKORDER_HANDLE, SECTION)
def duty(request, console: Console):
    on_duty = request.POST.get("on_duty") == "1"
    setup.do_set_duty(actor=request.user, on_duty=on_duty)
    messages.success(request, _("已开始接单") if on_duty else _("已休息，不再派单给您"))
    return redirect(console.reverse("workorders:tech_home"))


def _order_page(request, console: Console, order, revealed: str | None = None):
    user, community_id = request.user, console.community.id
    buttons = common.buttons(order, user)
    mine = order.assignee_id == user.pk
    context = {
        "order": order,
        "tone": common.tone(order.status),
        "contact": revealed or contact.masked(order),
        "revealed": revealed is not None,
        "may_reveal": mine or console.may(Action.WORKORDER_DISPATCH),
        "buttons": buttons,
        "act_url": console.reverse("workorders:order_act", order.pk),
        "handlers": queries.handlers(user, community_id) if any(b.pick == "handler" for b in buttons) else (),
        "teams": queries.teams(user, community_id) if any(b.pick == "team" for b in buttons) else (),
        "photos": order.attachments.all(),
        "photo_form": PhotoForm() if mine else None,
        "lines": order.charges.select_related("price_item"),
        "charge_form": (
            ChargeForm(prices=queries.prices(user, community_id))
            if mine and order.status in charges.CHARGEABLE and not order.under_warranty
            else None
        ),
        "timeline": common.timeline(order, for_reporter=False),
        "answers": common.answers(order),
    }
    return console.render(request, "workorders/staff/order.html", context)


@staff_view(Action.WORKORDER_VIEW, SECTION)
def order(request, console: Console, request_id: int):
    return _order_page(request, console, _order(request, console, request_id))


@require_POST
@staff_view(Action.WORKORDER_VIEW, SECTION)
def order_act(request, console: Console, request_id: int):
    common.act(request, _order(request, console, request_id))
    return redirect(safe_next(request, console.reverse("workorders:order", request_id)))


@require_POST
@staff_view(Action.WORKORDER_HANDLE, SECTION)
def order_photo(request, console: Console, request_id: int):
    found = _order(request, console, request_id)
    form = PhotoForm(request.POST, request.FILES)
    if found.assignee_id != request.user.pk:
        messages.error(request, _("这不是您的工单"))
    elif form.is_valid():
        try:
            attachments.do_attach(
                actor=request.user,
                request=found,
                data=form.cleaned_data["photo"].read(attachments.MAX_PHOTO_BYTES + 1),
                stage=form.cleaned_data["stage"],
            )
            messages.success(request, _("照片已上传"))
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("请选择照片"))
    return redirect(console.reverse("workorders:order", request_id))


@require_POST
@staff_view(Action.WORKORDER_HANDLE, SECTION)
def order_charge(request, console: Console, request_id: int):
    found = _order(request, console, request_id)
    prices = queries.prices(request.user, console.community.id)
    form = ChargeForm(request.POST, prices=prices)
    if form.is_valid():
        item = get_or_404(prices, pk=form.cleaned_data["price_item"])
        try:
            charges.do_add_charge(
                actor=request.user, request=found, price_item=item, quantity=form.cleaned_data["quantity"]
            )
            messages.success(request, _("已添加费用"))
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("请选择项目和数量"))
    return redirect(console.reverse("workorders:order", request_id))


@require_POST
@staff_view(Action.WORKORDER_VIEW, SECTION)
def order_contact(request, console: Console, request_id: int):
    """The reporter's name and phone in full, for the assignee and the desk; the read is logged."""
    found = _order(request, console, request_id)
    try:
        revealed = contact.do_reveal_contact(actor=request.user, request=found)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(console.reverse("workorders:order", request_id))
    return _order_page(request, console, found, f"{revealed['name']} {revealed['phone']}".strip())
