"""Where parking's money meets billing: the one place a bill is raised.

Billing is adding `linli.billing.services.app_bills.issue_app_bill(*, community_id, house, kind,
amount_fen, label, source, source_id)` and `linli.billing.queries.app_bill(source, source_id)`
(in main, not on this branch yet). Until they land, parking records the amount on its own row
(`fee_fen`, `overstay_fen`, `refund_fen`) and a pass is marked paid at the counter by staff
(services/passes.py: do_record_counter_payment). When they land, the body of `raise_bill` calls
`issue_app_bill` and a pass's paid state is read through `app_bill`: nothing else changes.
"""

SOURCE_BOOKING = "parking.booking"
SOURCE_OVERSTAY = "parking.overstay"
SOURCE_PASS = "parking.pass"


def raise_bill(
    *, community_id: int, house_id: int | None, amount_fen: int, label: str, source: str, source_id: int
):
    """The bill for a booking, an overstay or a pass. Not wired to billing yet (see above): the
    amount stays on parking's own record, which is what the console and reports read."""
    return None
