"""Dashboards' pages: the big screen under /screen/, the console's pages under /staff/<cid>/."""

app_name = "dashboards"

urlpatterns: list = []
