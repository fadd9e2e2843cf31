from django.contrib import admin
from django.urls import include, path

from linli.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("", include("linli.web.urls")),
]
