"""engage's screens, mounted at /engage/ by one line in linli/urls.py: the resident's pages
first, then the console's under staff/<cid>/."""

app_name = "engage"

urlpatterns: list = []
