"""/open311/v2/: each operation once per format (services.json, services.xml …), so that the
format is part of the route and not a parameter; unknown formats are a 404."""

from django.urls import path

from linli.workorders.open311 import views
from linli.workorders.open311.formats import FORMATS

app_name = "open311"

urlpatterns = [
    route
    for fmt in FORMATS
    for route in (
        path(f"discovery.{fmt}", views.discovery, {"fmt": fmt}, name=f"discovery_{fmt}"),
        path(f"services.{fmt}", views.services, {"fmt": fmt}, name=f"services_{fmt}"),
        path(
            f"services/<slug:service_code>.{fmt}",
            views.service_definition,
            {"fmt": fmt},
            name=f"service_{fmt}",
        ),
        path(f"requests.{fmt}", views.service_requests, {"fmt": fmt}, name=f"requests_{fmt}"),
        path(
            f"requests/<int:service_request_id>.{fmt}",
            views.service_request,
            {"fmt": fmt},
            name=f"request_{fmt}",
        ),
        path(f"tokens/<slug:token>.{fmt}", views.token, {"fmt": fmt}, name=f"token_{fmt}"),
    )
]
