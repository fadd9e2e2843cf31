from django.contrib import admin
from django.urls import include, path

from linli.accounts.auth import token_user
from linli.api import api
from linli.core.monitoring.views import metrics
from linli.notify import views as notify_views

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Prometheus, behind LINLI_METRICS_TOKEN (docs/operations.md, "Monitoring").
    path("metrics", metrics),
    path("django-admin/", admin.site.urls),
    # notify sits below accounts: the stream is handed accounts' bearer-token lookup here.
    path("events/stream", notify_views.stream, {"bearer_user": token_user}),
    # The SMS gateways' delivery receipts (a secret in the path; docs/channels.md).
    path("hooks/sms/", include("linli.notify.urls")),
    path("access/", include("linli.access.urls")),
    path("billing/", include("linli.billing.urls")),
    path("workorders/", include("linli.workorders.urls")),
    path("iot/", include("linli.iot.urls")),
    path("engage/", include("linli.engage.urls")),
    # Not /services/: that is web's page of the resident's service tiles.
    path("life/", include("linli.services.urls")),
    path("parking/", include("linli.parking.urls")),
    # Signing in with WeChat and the binding (/wechat/…), the console's channel pages
    # (/staff/<cid>/channels/…): linli.channels.
    path("", include("linli.channels.urls")),
    # The big screen (/screen/…), the government view, the site map and reports.
    path("", include("linli.dashboards.urls")),
    # The console's pages of each app under /staff/; web's own /staff/, /staff/switch/ and
    # /staff/login/ come after and differ from all of them.
    path("staff/", include("linli.registry.urls")),
    path("staff/", include("linli.accounts.urls")),
    path("open311/v2/", include("linli.workorders.open311.urls")),
    path("", include("linli.web.urls")),
]

# A lost database answers 503 with Retry-After, anything else 500 (linli/core/server_errors.py).
handler500 = "linli.core.server_errors.server_error"
