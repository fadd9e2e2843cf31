"""Work-order screens, mounted at /workorders/ by one line in linli/urls.py. The notices link
`my/<request_id>` (the reporter) and `staff/<cid>/<request_id>` (staff): services/notices.py."""

from django.urls import path

from linli.workorders.views import console, governance, resident, technician

app_name = "workorders"

urlpatterns = [
    # --- resident H5 ---
    path("", resident.home, name="home"),
    path("report/<int:category_id>/", resident.report, name="report"),
    path("my/", resident.my_requests, name="my_requests"),
    path("my/<int:request_id>", resident.my_request, name="my_request"),
    path("my/<int:request_id>/act", resident.my_request_act, name="my_request_act"),
    path("my/<int:request_id>/rate", resident.my_request_rate, name="my_request_rate"),
    path("photos/<int:attachment_id>", resident.photo, name="photo"),
    path("board/<int:community_id>/", resident.board, name="board"),
    # --- technician H5 and the staff's order page ---
    path("staff/<int:cid>/", technician.home, name="tech_home"),
    path("staff/<int:cid>/duty/", technician.duty, name="tech_duty"),
    path("staff/<int:cid>/<int:request_id>", technician.order, name="order"),
    path("staff/<int:cid>/<int:request_id>/act", technician.order_act, name="order_act"),
    path("staff/<int:cid>/<int:request_id>/photo", technician.order_photo, name="order_photo"),
    path("staff/<int:cid>/<int:request_id>/charge", technician.order_charge, name="order_charge"),
    path("staff/<int:cid>/<int:request_id>/contact", technician.order_contact, name="order_contact"),
    # --- console ---
    path("staff/<int:cid>/dispatch/", console.dispatch, name="dispatch"),
    path("staff/<int:cid>/new/", console.new_request, name="new_request"),
    path("staff/<int:cid>/sla/", console.sla, name="sla"),
    path("staff/<int:cid>/performance/", console.performance, name="performance"),
    path("staff/<int:cid>/categories/", console.categories, name="categories"),
    path("staff/<int:cid>/categories/<int:category_id>/", console.category, name="category"),
    path("staff/<int:cid>/teams/", console.teams, name="teams"),
    path("staff/<int:cid>/prices/", console.prices, name="prices"),
    path("staff/<int:cid>/settings/", console.settings, name="settings"),
    path("staff/<int:cid>/patrols/", governance.patrols, name="patrols"),
    path("staff/<int:cid>/grids/", governance.grids, name="grids"),
    path("staff/<int:cid>/map/", governance.grid_map, name="map"),
]
