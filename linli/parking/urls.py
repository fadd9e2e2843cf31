"""parking's screens, mounted at /parking/ by one line in linli/urls.py: the resident's pages
first, then the console's under staff/<cid>/."""

from django.urls import path

from linli.parking import exit_pages, views

app_name = "parking"

urlpatterns: list = [
    path("", views.offers, name="offers"),
    path("offers/<int:offer_id>/", views.offer, name="offer"),
    path("bookings/", views.bookings, name="bookings"),
    path("passes/", views.passes, name="passes"),
    path("pay/", exit_pages.pay_by_plate, name="pay"),
    path("exit/<str:token>/", exit_pages.stay, name="exit_pay"),
    path("staff/<int:cid>/offers/", views.console_offers, name="console_offers"),
    path("staff/<int:cid>/bookings/", views.console_bookings, name="console_bookings"),
    path("staff/<int:cid>/passes/", views.console_passes, name="console_passes"),
    path("staff/<int:cid>/exits/", exit_pages.console_exits, name="console_exits"),
    path("staff/<int:cid>/spaces/", views.console_spaces, name="console_spaces"),
]
