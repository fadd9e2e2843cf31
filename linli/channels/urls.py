from django.urls import path

from linli.channels import views

app_name = "channels"

urlpatterns = [
    path("oauth/start", views.oauth_start, name="wechat_start"),
    path("oauth/callback", views.oauth_callback, name="wechat_callback"),
    path("bind", views.bind, name="wechat_bind"),
    path("bindings/", views.bindings, name="wechat_bindings"),
    path("bindings/<int:identity_id>/unbind", views.unbind, name="wechat_unbind"),
]
