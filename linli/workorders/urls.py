"""Work-order screens, mounted at /workorders/ by one line in linli/urls.py. The notices link
`my/<request_id>` (the reporter) and `staff/<cid>/<request_id>` (staff): services/notices.py."""

from django.urls import path

from linli.workorders.views import resident

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
]
