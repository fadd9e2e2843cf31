"""Billing screens, mounted at /billing/ by one line in linli/urls.py."""

app_name = "billing"

urlpatterns: list = []

# --- money ---
from django.urls import path  # noqa: E402

from linli.billing.views import money  # noqa: E402

urlpatterns += [
    path("my/prepaid/", money.my_prepaid, name="money_my_prepaid"),
    path("c/<int:cid>/waivers/", money.waiver_queue, name="money_waivers"),
    path("c/<int:cid>/waivers/<int:waiver_id>/approve/", money.waiver_approve, name="money_waiver_approve"),
    path("c/<int:cid>/waivers/<int:waiver_id>/reject/", money.waiver_reject, name="money_waiver_reject"),
    path("c/<int:cid>/deposits/", money.deposits, name="money_deposits"),
    path("c/<int:cid>/deposits/<int:bill_id>/refund/", money.deposit_refund, name="money_deposit_refund"),
    path("c/<int:cid>/charges/", money.one_off_charges, name="money_charges"),
    path("c/<int:cid>/late-fees/", money.late_fee_policies, name="money_late_fees"),
    path("c/<int:cid>/late-fees/<int:fee_item_id>/", money.late_fee_policy, name="money_late_fee_policy"),
]
