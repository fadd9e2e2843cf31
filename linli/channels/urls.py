"""The channels app's pages: the resident's WeChat sign-in and binding under /wechat/, the
console's channel pages under /staff/<cid>/channels/ (mounted at the root by linli/urls.py)."""

from django.urls import path

from linli.channels.views import staff, wechat

app_name = "channels"

urlpatterns = [
    path("wechat/oauth/start", wechat.oauth_start, name="wechat_start"),
    path("wechat/oauth/callback", wechat.oauth_callback, name="wechat_callback"),
    path("wechat/bind", wechat.bind, name="wechat_bind"),
    path("wechat/bindings/", wechat.bindings, name="wechat_bindings"),
    path("wechat/bindings/<int:identity_id>/unbind", wechat.unbind, name="wechat_unbind"),
    path("staff/<int:cid>/channels/", staff.channel_checks, name="checks"),
    path("staff/<int:cid>/channels/staff/", staff.staff_channel, name="staff_channel"),
    path("staff/<int:cid>/channels/staff/test", staff.staff_channel_test, name="staff_channel_test"),
]
