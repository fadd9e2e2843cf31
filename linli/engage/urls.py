"""engage's screens, mounted at /engage/ by one line in linli/urls.py: the resident's pages
first, then the console's under staff/<cid>/."""

from django.urls import path

from linli.engage.views import convention, points

app_name = "engage"

urlpatterns: list = [
    path("points/", points.home, name="points_home"),
    path("points/earn/", points.earn, name="points_earn"),
    path("points/catalogue/", points.catalogue, name="points_catalogue"),
    path("points/redemptions/", points.redemptions, name="points_redemptions"),
    path("convention/", convention.current, name="convention"),
    path("convention/versions/<int:convention_version_id>/", convention.version, name="convention_version"),
    path("convention/violations/", convention.my_violations, name="convention_my_violations"),
    path(
        "convention/violations/<int:violation_id>/", convention.my_violation, name="convention_my_violation"
    ),
    path("staff/<int:cid>/points/", points.console_rules, name="staff_points_rules"),
    path("staff/<int:cid>/points/volunteer/", points.console_volunteer, name="staff_points_volunteer"),
    path("staff/<int:cid>/points/garbage/", points.console_garbage, name="staff_points_garbage"),
    path("staff/<int:cid>/points/catalogue/", points.console_catalogue, name="staff_points_catalogue"),
    path("staff/<int:cid>/points/redemptions/", points.console_redemptions, name="staff_points_redemptions"),
    path("staff/<int:cid>/convention/", convention.console_versions, name="staff_convention"),
    path("staff/<int:cid>/convention/violations/", convention.console_violations, name="staff_violations"),
    path("staff/<int:cid>/convention/appeals/", convention.console_appeals, name="staff_appeals"),
]
