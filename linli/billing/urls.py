"""Billing screens, mounted at /billing/ by one line in linli/urls.py."""

from django.urls import path

from linli.billing.views import setup

app_name = "billing"

urlpatterns: list = [
    path("c/<int:cid>/fee-items/", setup.setup_items, name="setup_items"),
    path("c/<int:cid>/fee-items/<int:fee_item_id>/", setup.setup_item, name="setup_item"),
    path("c/<int:cid>/standards/<int:standard_id>/publish/", setup.setup_publish, name="setup_publish"),
    path("c/<int:cid>/runs/<int:run_id>/", setup.setup_run, name="setup_run"),
    path("c/<int:cid>/readings/", setup.setup_readings, name="setup_readings"),
]
