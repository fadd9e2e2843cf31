"""services' screens, mounted at /life/ by one line in linli/urls.py (/services/ is web's page of
the resident's service tiles)."""

from django.urls import path

from linli.services import fitness_pages, views

app_name = "services"

urlpatterns: list = [
    path("", views.home, name="home"),
    path("provider/", views.provider, name="provider"),
    path("fitness/", fitness_pages.resident, name="fitness"),
    path("staff/<int:cid>/bookings/", views.console_bookings, name="console_bookings"),
    path("staff/<int:cid>/providers/", views.console_providers, name="console_providers"),
    path("staff/<int:cid>/venues/", views.console_venues, name="console_venues"),
    path("staff/<int:cid>/fitness/", fitness_pages.console, name="fitness_console"),
]
