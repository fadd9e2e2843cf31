"""The channels app's console pages, under /staff/<cid>/channels/."""

from django.urls import path

from linli.channels import views

app_name = "channels"

urlpatterns = [
    path("<int:cid>/channels/", views.channel_checks, name="checks"),
    path("<int:cid>/channels/staff/", views.staff_channel, name="staff_channel"),
    path("<int:cid>/channels/staff/test", views.staff_channel_test, name="staff_channel_test"),
]
