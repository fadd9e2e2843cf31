"""The big screen (DASH-1): the page, its figures as JSON and its ticker stream, for one community
(/screen/<cid>/) or the street it belongs to (/screen/street/<cid>/); and the console page where
kiosk tokens are issued and revoked.

A screen is opened by staff signed in to the console, or by a kiosk whose URL carries a screen
token (?token=…), which the page hands on to its data and stream requests (an EventSource
cannot send headers). Who may see what is screen_tokens'."""

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, is_staff, show_service_error, staff_view, to_staff_sign_in
from linli.dashboards import map_data, screen_data, screen_tokens
from linli.dashboards.screen_forms import ScreenTokenForm
from linli.dashboards.screen_stream import screen_frames, stream_cap
from linli.dashboards.screen_tokens import ScreenReach
from linli.dashboards.services.screens import do_issue_screen_token, do_revoke_screen_token
from linli.notify.streams import open_stream


def _error(exc: ServiceError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})


def _reach(request, cid: int, street: bool) -> ScreenReach | None:
    """The screen the request may see; None when nobody is signed in and no token was given.
    Raises ServiceError (403/404) when it may not."""
    raw = request.GET.get("token", "")
    if raw:
        return screen_tokens.reach_of_token(raw, cid, street)
    if not request.user.is_authenticated:
        return None
    if not is_staff(request.user):
        raise screen_tokens.screen_not_found()
    return screen_tokens.reach_of_user(request.user, cid, street)


def _urls(cid: int, street: bool, token: str) -> dict[str, str]:
    prefix = "dashboards:street_screen" if street else "dashboards:screen"
    query = f"?token={token}" if token else ""
    urls = {
        "data": reverse(f"{prefix}_data", args=[cid]) + query,
        "stream": reverse(f"{prefix}_stream", args=[cid]) + query,
    }
    if not street:
        urls["map"] = reverse("dashboards:screen_map", args=[cid]) + query
        urls["plan"] = reverse("dashboards:screen_plan", args=[cid]) + query
    return urls


def _page(request, cid: int, street: bool):
    try:
        reach = _reach(request, cid, street)
    except ServiceError as exc:
        return render(request, "dashboards/screen_refused.html", {"error": exc}, status=exc.status)
    if reach is None:
        return to_staff_sign_in(request)
    title = reach.community.street if street else reach.community.name
    urls = _urls(cid, street, request.GET.get("token", ""))
    context = {"title": title, "street": street, "urls": urls}
    if not street:  # the community's site map without its personal layer (DASH-2)
        site_map = map_data.public_map(cid)
        context["site_map"] = map_data.as_json(site_map)
        context["plan_url"] = urls["plan"] if site_map["plan"]["image"] else ""
    response = render(request, "dashboards/screen.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the kiosk URL carries its token
    return response


@require_GET
def screen(request, cid: int):
    return _page(request, cid, street=False)


@require_GET
def street_screen(request, cid: int):
    return _page(request, cid, street=True)


def _data(request, cid: int, street: bool):
    try:
        reach = _reach(request, cid, street)
    except ServiceError as exc:
        return _error(exc)
    if reach is None:
        return _error(ServiceError("not_authenticated", _("请先登录"), status=401))
    response = JsonResponse(
        screen_data.compute(reach.community_ids), json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def screen_data_view(request, cid: int):
    return _data(request, cid, street=False)


@require_GET
def street_screen_data(request, cid: int):
    return _data(request, cid, street=True)


@require_GET
def screen_map(request, cid: int):
    """The site map the community screen re-reads: placed objects and counts, nobody named."""
    try:
        reach = _reach(request, cid, street=False)
    except ServiceError as exc:
        return _error(exc)
    if reach is None:
        return _error(ServiceError("not_authenticated", _("请先登录"), status=401))
    response = JsonResponse(map_data.public_map(cid), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def screen_plan(request, cid: int):
    """The site plan's image, for a screen allowed to show this community."""
    try:
        reach = _reach(request, cid, street=False)
    except ServiceError as exc:
        return _error(exc)
    found = map_data.plan_image(cid) if reach is not None else None
    if found is None:
        raise Http404
    content, content_type = found
    return HttpResponse(content, content_type=content_type)


async def _stream(request, cid: int, street: bool):
    try:
        reach = await sync_to_async(_reach)(request, cid, street)
    except ServiceError as exc:
        return _error(exc)
    if reach is None:
        return _error(ServiceError("not_authenticated", _("请先登录"), status=401))
    holder = ("token", reach.token_id) if reach.token_id is not None else ("user", reach.reader_id)
    return await open_stream(request, stream_cap, holder, lambda after: screen_frames(reach, after))


@require_GET
async def screen_stream(request, cid: int):
    return await _stream(request, cid, street=False)


@require_GET
async def street_screen_stream(request, cid: int):
    return await _stream(request, cid, street=True)


# --- console: kiosk tokens ------------------------------------------------------------------------


@staff_view(Action.SCREEN_MANAGE, "dashboards_screens")
def screen_tokens_page(request, console: Console):
    """The community's kiosk tokens; issue one (its URL is shown once) or revoke one."""
    community = console.community
    form = ScreenTokenForm(request.POST or None, street_known=bool(community.street.strip()))
    issued = None
    if request.method == "POST" and request.POST.get("revoke"):
        found = (
            screen_tokens.tokens_of(request.user, community.id)
            .filter(pk=_int(request.POST["revoke"]))
            .first()
        )
        if found is None:
            raise Http404
        do_revoke_screen_token(actor=request.user, token=found)
        messages.success(request, _("已吊销，使用该令牌的大屏将立即停止显示"))
        return redirect(console.reverse("dashboards:screen_tokens"))
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = do_issue_screen_token(
                actor=request.user,
                community=community,
                label=form.cleaned_data["label"],
                street=form.cleaned_data.get("street", False),
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            name = "dashboards:street_screen" if token.street else "dashboards:screen"
            issued = request.build_absolute_uri(reverse(name, args=[community.id])) + f"?token={raw}"
            form = ScreenTokenForm(street_known=bool(community.street.strip()))
    context = {
        "tokens": list(screen_tokens.tokens_of(request.user, community.id)[:200]),
        "form": form,
        "issued": issued,
        "screen_url": reverse("dashboards:screen", args=[community.id]),
        "street_url": reverse("dashboards:street_screen", args=[community.id])
        if community.street.strip()
        else "",
    }
    return console.render(
        request, "dashboards/screen_tokens.html", context, status=422 if form.errors else 200
    )


def _int(raw: str) -> int:
    return int(raw) if raw.isdigit() else 0
