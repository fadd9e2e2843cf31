"""The SMS gateways' delivery receipts, mounted at /hooks/sms/ by one line in linli/urls.py."""

from django.urls import path

from linli.notify import views

app_name = "notify"

urlpatterns = [
    path("<str:gateway>/<str:secret>", views.sms_receipts, name="sms_receipts"),
]
