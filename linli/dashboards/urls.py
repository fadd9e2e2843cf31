"""Dashboards' pages: the big screen under /screen/, the console's pages under /staff/<cid>/."""

from django.urls import path

from linli.dashboards.views import reports, sharing

app_name = "dashboards"

urlpatterns: list = []
# reports (DASH-3) and data sharing (SEC-4)
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
