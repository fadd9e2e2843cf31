"""Dashboards' pages: the big screen under /screen/, the console's pages under /staff/<cid>/."""

from django.urls import path

from linli.dashboards.views import gov, maps, reports, screen, sharing

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

# The big screen (DASH-1): the page, its figures, its ticker, for a community and its street; the
# console page of its kiosk tokens.
urlpatterns += [
    path("screen/<int:cid>/", screen.screen, name="screen"),
    path("screen/<int:cid>/data", screen.screen_data_view, name="screen_data"),
    path("screen/<int:cid>/stream", screen.screen_stream, name="screen_stream"),
    path("screen/<int:cid>/map", screen.screen_map, name="screen_map"),
    path("screen/<int:cid>/plan", screen.screen_plan, name="screen_plan"),
    path("screen/street/<int:cid>/", screen.street_screen, name="street_screen"),
    path("screen/street/<int:cid>/data", screen.street_screen_data, name="street_screen_data"),
    path("screen/street/<int:cid>/stream", screen.street_screen_stream, name="street_screen_stream"),
    path("staff/<int:cid>/dashboards/screens/", screen.screen_tokens_page, name="screen_tokens"),
]

# The government view (GRID-3): above any one community (the user's streets, how a figure is
# computed), then a community's drill-down to its grids and buildings.
urlpatterns += [
    path("staff/gov/", gov.streets, name="gov_streets"),
    path("staff/gov/how/<str:metric>/", gov.how, name="gov_how"),
    path("staff/<int:cid>/dashboards/gov/", gov.community, name="gov_community"),
    path("staff/<int:cid>/dashboards/gov/grids/<int:grid_id>/", gov.grid, name="gov_grid"),
    path("staff/<int:cid>/dashboards/gov/buildings/<int:building_id>/", gov.building, name="gov_building"),
]

# Reports (DASH-3) and data sharing (SEC-4)
urlpatterns += [
    path("staff/<int:cid>/dashboards/reports/", reports.reports_page, name="reports"),
    path(
        "staff/<int:cid>/dashboards/reports/<slug:kind>.xlsx",
        reports.report_download,
        {"fmt": "xlsx"},
        name="report_xlsx",
    ),
    path(
        "staff/<int:cid>/dashboards/reports/<slug:kind>.pdf",
        reports.report_download,
        {"fmt": "pdf"},
        name="report_pdf",
    ),
    path("staff/<int:cid>/dashboards/sharing/", sharing.sharing_page, name="sharing"),
    path(
        "staff/<int:cid>/dashboards/sharing/<int:token_id>/revoke/",
        sharing.sharing_revoke,
        name="sharing_revoke",
    ),
]
