"""工作消息渠道: a community admin chooses where staff get work messages (WeCom app, DingTalk
robot or work notice), keeps its credentials (never shown back) and sends a test message."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.channels import checks, queries
from linli.channels.forms import StaffChannelForm
from linli.channels.services.staff_channel import (
    StaffChannelInput,
    do_send_staff_test_message,
    do_set_staff_channel,
)
from linli.channels.staff import staff_channel_status
from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, show_service_error, staff_view


@staff_view(Action.CHANNELS_SETUP, section="staff_channel")
def staff_channel(request, console: Console):
    channel = queries.staff_channel(request.user, console.community.id)
    if channel is None:
        raise Http404
    form = StaffChannelForm(request.POST or None, channel=channel)
    if request.method == "POST":
        if form.is_valid():
            try:
                do_set_staff_channel(
                    actor=request.user,
                    community_id=console.community.id,
                    data=StaffChannelInput(**form.cleaned_data),
                )
                messages.success(request, _("已保存"))
                return redirect(console.reverse("channels:staff_channel"))
            except ServiceError as refused:
                show_service_error(form, refused)
        status = 422
    else:
        status = 200
    context = {"form": form, "status": staff_channel_status(console.community.id)}
    return console.render(request, "channels/staff_channel.html", context, status=status)


@require_POST
@staff_view(Action.CHANNELS_SETUP, section="staff_channel")
def staff_channel_test(request, console: Console):
    try:
        reached = do_send_staff_test_message(actor=request.user, community_id=console.community.id)
        messages.success(request, _("测试消息已发送（%(n)s 人）") % {"n": reached})
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    return redirect(console.reverse("channels:staff_channel"))


@staff_view(Action.CHANNELS_SETUP, section="channel_checks")
def channel_checks(request, console: Console):
    return console.render(request, "channels/checks.html", {"checks": checks.checks(console.community.id)})
