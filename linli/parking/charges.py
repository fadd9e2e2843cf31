"""Where parking's money meets billing.

A pass (月卡/年卡) is billed to its house through billing's app bills (`billing.services.
app_bills`, source `parking.pass`) where the community bills monthly parking in the app (an
active 车位月租 fee item): the resident pays it with their other bills, online or at the
counter, and the pass is active once its bill is paid (services/passes.py: `activate_if_paid`,
by the periodic job and at the barrier at once). A community without that fee item takes the fee at parking's own counter
(`do_record_counter_payment`), as before.

A shared booking's fee and an overstay are recorded on parking's own rows (`fee_fen`,
`overstay_fen`, `refund_fen`); collecting them (an outside driver has no house to bill) comes
with the pay-at-exit loop and is not built yet.
"""

from django.utils.translation import gettext_lazy as _

from linli.billing import queries as billing_queries
from linli.billing.services import app_bills
from linli.billing.services.app_bills import FeeKind
from linli.parking.models import ParkingPass

SOURCE_PASS = "parking.pass"


def bill_pass(parking_pass: ParkingPass):
    """In the caller's transaction: the pass's bill, or None where the community does not bill
    monthly parking in the app."""
    if not billing_queries.bills_kind(parking_pass.community_id, FeeKind.PARKING_MONTHLY):
        return None
    return app_bills.issue_app_bill(
        community_id=parking_pass.community_id,
        house=parking_pass.house,
        payer_person_id=parking_pass.person_id,
        kind=FeeKind.PARKING_MONTHLY,
        amount_fen=parking_pass.fee_fen,
        label=str(_("停车月卡 %(start)s 至 %(end)s"))
        % {"start": parking_pass.valid_from.isoformat(), "end": parking_pass.valid_to.isoformat()},
        source=SOURCE_PASS,
        source_id=parking_pass.pk,
    )


def pass_bill(parking_pass: ParkingPass):
    return billing_queries.app_bill(SOURCE_PASS, parking_pass.pk)


def cancel_pass_bill(parking_pass: ParkingPass):
    """A cancelled pass's unpaid bill is voided; a paid one stays for its refund (billing)."""
    return app_bills.cancel_app_bill(
        source=SOURCE_PASS, source_id=parking_pass.pk, reason=str(_("月卡已作废"))
    )
