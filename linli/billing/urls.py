"""Billing screens, mounted at /billing/ by one line in linli/urls.py."""

from django.urls import path

from linli.billing.views import counter, money, pay, setup

app_name = "billing"

urlpatterns = [
    # --- money ---
    path("my/prepaid/", money.my_prepaid, name="money_my_prepaid"),
    path("c/<int:cid>/waivers/", money.waiver_queue, name="money_waivers"),
    path("c/<int:cid>/waivers/<int:waiver_id>/approve/", money.waiver_approve, name="money_waiver_approve"),
    path("c/<int:cid>/waivers/<int:waiver_id>/reject/", money.waiver_reject, name="money_waiver_reject"),
    path("c/<int:cid>/deposits/", money.deposits, name="money_deposits"),
    path("c/<int:cid>/deposits/<int:bill_id>/refund/", money.deposit_refund, name="money_deposit_refund"),
    path("c/<int:cid>/charges/", money.one_off_charges, name="money_charges"),
    path("c/<int:cid>/late-fees/", money.late_fee_policies, name="money_late_fees"),
    path("c/<int:cid>/late-fees/<int:fee_item_id>/", money.late_fee_policy, name="money_late_fee_policy"),
    # --- counter: the console's counter, desk close and reports; the resident's receipts and
    # statement; the public receipt verification page ---
    path("c/<int:cid>/counter/", counter.counter, name="counter"),
    path("c/<int:cid>/counter/<int:house_id>/", counter.counter_house, name="counter_house"),
    path("c/<int:cid>/receipts/<int:receipt_id>/", counter.counter_receipt, name="counter_receipt"),
    path("c/<int:cid>/desk/", counter.desk, name="desk"),
    path("c/<int:cid>/arrears/", counter.arrears, name="arrears"),
    path("c/<int:cid>/reports/", counter.collection, name="reports"),
    path("c/<int:cid>/houses/<int:house_id>/statement/", counter.counter_statement, name="counter_statement"),
    path("receipts/", counter.my_receipts, name="my_receipts"),
    path("receipts/<int:receipt_id>.pdf", counter.receipt_pdf, name="receipt_pdf"),
    path("statement/", counter.my_statement, name="my_statement"),
    path("r/<str:verify_code>", counter.verify, name="verify"),
    # --- pay ---
    path("", pay.home, name="home"),
    path("pay/", pay.start_payment, name="pay"),
    path("prepay/", pay.prepay, name="prepay"),
    path("orders/<str:no>/", pay.order, name="order"),
    path("orders/<str:no>/status/", pay.order_status, name="order_status"),
    path("payments/", pay.payments, name="payments"),
    path("sandbox/pay/<str:no>", pay.sandbox_pay, name="sandbox_pay"),
    path("alipay/return/", pay.alipay_return, name="alipay_return"),
    path("c/<int:cid>/payments/", pay.console_payments, name="console_payments"),
    path("c/<int:cid>/refunds/", pay.console_refunds, name="console_refunds"),
    path(
        "c/<int:cid>/refunds/<int:refund_id>/<str:verb>/",
        pay.console_decide_refund,
        name="console_decide_refund",
    ),
    path("c/<int:cid>/reconciliation/", pay.console_reconcile, name="console_reconcile"),
    # --- setup: fee items and standards, billing runs, meter readings ---
    path("c/<int:cid>/fee-items/", setup.setup_items, name="setup_items"),
    path("c/<int:cid>/fee-items/<int:fee_item_id>/", setup.setup_item, name="setup_item"),
    path("c/<int:cid>/standards/<int:standard_id>/publish/", setup.setup_publish, name="setup_publish"),
    path("c/<int:cid>/runs/<int:run_id>/", setup.setup_run, name="setup_run"),
    path("c/<int:cid>/readings/", setup.setup_readings, name="setup_readings"),
]
