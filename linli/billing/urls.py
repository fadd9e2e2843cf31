"""Billing screens, mounted at /billing/ by one line in linli/urls.py."""

app_name = "billing"

urlpatterns: list = []
