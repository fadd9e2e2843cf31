"""Billing screens, mounted at /billing/ by one line in linli/urls.py."""

from django.urls import path

from linli.billing.views import pay

app_name = "billing"

urlpatterns: list = []

# --- pay ---
urlpatterns += [
    path("", pay.home, name="home"),
    path("pay/", pay.start_payment, name="pay"),
    path("prepay/", pay.prepay, name="prepay"),
    path("orders/<str:no>/", pay.order, name="order"),
    path("orders/<str:no>/status/", pay.order_status, name="order_status"),
    path("payments/", pay.payments, name="payments"),
    path("sandbox/pay/<str:no>", pay.sandbox_pay, name="sandbox_pay"),
    path("c/<int:cid>/payments/", pay.console_payments, name="console_payments"),
    path("c/<int:cid>/refunds/", pay.console_refunds, name="console_refunds"),
    path(
        "c/<int:cid>/refunds/<int:refund_id>/<str:verb>/",
        pay.console_decide_refund,
        name="console_decide_refund",
    ),
    path("c/<int:cid>/reconciliation/", pay.console_reconcile, name="console_reconcile"),
]
