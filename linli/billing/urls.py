"""Billing screens, mounted at /billing/ by one line in linli/urls.py."""

from django.urls import path

from linli.billing.views import counter

app_name = "billing"

urlpatterns: list = []

# --- counter: the console's counter, desk close and reports; the resident's receipts and
# statement; the public receipt verification page ---
urlpatterns += [
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
]
