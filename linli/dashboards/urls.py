"""Dashboards' pages: the big screen under /screen/, the console's pages under /staff/<cid>/."""

from django.urls import path

from linli.dashboards.views import maps

app_name = "dashboards"

urlpatterns: list = []

# The site map (一张图) and the street map
urlpatterns += [
    path("staff/<int:cid>/dashboards/map/", maps.site_map, name="site_map"),
    path("staff/<int:cid>/dashboards/map/plan/", maps.upload_plan, name="site_map_plan"),
    path(
        "staff/<int:cid>/dashboards/map/buildings/<int:building_id>/", maps.building, name="site_map_building"
    ),
    path("staff/gov/map/", maps.street_map, name="street_map"),
]
