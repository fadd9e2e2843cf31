"""Dashboards' pages: the big screen under /screen/, the console's pages under /staff/<cid>/."""

from django.urls import path

from linli.dashboards.views import gov

app_name = "dashboards"

urlpatterns: list = []

# The government view (GRID-3): above any one community (the user's streets, how a figure is
# computed), then a community's drill-down to its grids and buildings.
urlpatterns += [
    path("staff/gov/", gov.streets, name="gov_streets"),
    path("staff/gov/how/<str:metric>/", gov.how, name="gov_how"),
    path("staff/<int:cid>/dashboards/gov/", gov.community, name="gov_community"),
    path("staff/<int:cid>/dashboards/gov/grids/<int:grid_id>/", gov.grid, name="gov_grid"),
    path("staff/<int:cid>/dashboards/gov/buildings/<int:building_id>/", gov.building, name="gov_building"),
]
