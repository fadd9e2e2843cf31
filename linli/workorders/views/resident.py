"""The resident's H5 pages: report in three taps (the 报事报修 card, a category tile, 提交), my
requests with their status, one request's live timeline with the moves left to the reporter and
the rating, the photos of a request, and the community's public progress board."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import ServiceError
from linli.core.restrict import scope_of
from linli.core.shell.common import page_of, resident_view, show_service_error
from linli.registry import queries as registry_queries
from linli.workorders import queries
from linli.workorders.choices import Stage, Status
from linli.workorders.forms import RatingForm, ReportForm
from linli.workorders.services import attachments, flow, intake
from linli.workorders.views import common

# The moves a reporter makes from their page (the rest of the table is staff's).
REPORTER_ACTIONS = ("approve_payment", "confirm", "rework", "cancel", "reopen")
RATEABLE = (Status.DONE, Status.CHECKED, Status.CLOSED)


def _partial(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _my_category(user, houses, category_id: int):
    for community_id in sorted({h.community_id for h in houses}):
        found = queries.categories_for_residents(user, community_id).filter(pk=category_id).first()
        if found is not None:
            return found
    raise Http404


@resident_view
def home(request):
    """Pick what it is about: one big tile per category of the resident's community."""
    houses = list(registry_queries.my_houses(request.user))
    categories = [
        c
        for community_id in sorted({h.community_id for h in houses})
        for c in queries.categories_for_residents(request.user, community_id)
    ]
    context = {
        "categories": categories,
        "recent": [(r, common.tone(r.status)) for r in queries.my_requests(request.user)[:3]],
        "communities": sorted({h.community_id for h in houses}),
        "tab": "services",
        "back": reverse("web:services"),
    }
    return render(request, "workorders/resident/home.html", context)


@resident_view
def report(request, category_id: int):
    houses = list(registry_queries.my_houses(request.user))
    category = _my_category(request.user, houses, category_id)
    form = ReportForm(request.POST or None, request.FILES or None, category=category, houses=houses)
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction: a photo the service refuses leaves no report behind to send twice.
            with transaction.atomic():
                order = _report(request.user, category, form)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("已提交，物业会尽快处理"))
            return redirect("workorders:my_request", order.pk)
    context = {"form": form, "category": category, "back": reverse("workorders:home"), "tab": "services"}
    return render(request, "workorders/resident/report.html", context)


def _report(user, category, form: ReportForm):
    data = form.cleaned_data
    order = intake.do_report(
        actor=user,
        community_id=category.community_id,
        category_id=category.pk,
        description=data["description"],
        house_id=data["house"],
        preferred_time=data["preferred_time"],
        answers=form.answers(),
    )
    if data["photo"]:
        photo = data["photo"].read(attachments.MAX_PHOTO_BYTES + 1)
        attachments.do_attach(actor=user, request=order, data=photo, stage=Stage.REPORT)
    return order


@resident_view
def my_requests(request):
    rows, next_url, first_url = page_of(request, queries.my_requests(request.user), newest_first=True)
    context = {
        "rows": [(r, common.tone(r.status)) for r in rows],
        "next_url": next_url,
        "first_url": first_url,
        "back": reverse("workorders:home"),
        "tab": "services",
    }
    return render(request, "workorders/resident/my_requests.html", context)


def _mine(request, request_id: int):
    order = queries.my_requests(request.user).filter(pk=request_id).first()
    if order is None:
        raise Http404
    return order


@resident_view
def my_request(request, request_id: int):
    """One request: status, photos, the timeline (live: the notice of each step refreshes it,
    polling every 10 s is the fallback), the reporter's moves and, once done, the rating."""
    order = _mine(request, request_id)
    context = {
        "order": order,
        "tone": common.tone(order.status),
        "timeline": common.timeline(order, for_reporter=True),
        "answers": common.answers(order),
        "buttons": common.buttons(order, request.user, REPORTER_ACTIONS),
        "act_url": reverse("workorders:my_request_act", args=[order.pk]),
        "photos": order.attachments.all(),
        "lines": order.charges.select_related("price_item"),
        "rating_form": RatingForm() if order.status in RATEABLE and order.rating is None else None,
        "back": reverse("workorders:my_requests"),
        "tab": "services",
    }
    if _partial(request):
        return render(request, "workorders/resident/_progress.html", context)
    return render(request, "workorders/resident/request.html", context)


@require_POST
@resident_view
def my_request_act(request, request_id: int):
    common.act(request, _mine(request, request_id))
    return redirect("workorders:my_request", request_id)


@require_POST
@resident_view
def my_request_rate(request, request_id: int):
    order = _mine(request, request_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            flow.do_rate(
                actor=request.user,
                request=order,
                rating=data["rating"],
                tags=data["tags"],
                comment=data["comment"],
            )
            messages.success(request, _("感谢您的评价"))
        except ServiceError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("请选择评分"))
    return redirect("workorders:my_request", request_id)


@resident_view
def photo(request, attachment_id: int):
    """A photo of a request, to whoever may see the request (its reporter, staff in scope)."""
    found = queries.visible_attachment(request.user, attachment_id)
    if found is None:
        raise Http404
    response = HttpResponse(attachments.read(found), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@resident_view
def board(request, community_id: int):
    """The community's public progress board: open and overdue requests per building, nothing
    about anyone; for its residents and its staff."""
    rows = queries.board_for(request.user, community_id)
    if rows is None:
        raise Http404
    context = {"rows": rows, "statuses": common.STATUS_LABELS}
    if community_id in scope_of(request.user).resident_community_ids:
        context.update(back=reverse("workorders:home"), tab="services")
    return render(request, "workorders/resident/board.html", context)
