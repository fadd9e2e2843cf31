"""All parking writes (convention 1): `do_<verb>_<noun>(*, actor, ...)`, one transaction each,
permission re-checked inside, audited. `gate` answers access's barrier inside its transaction."""

from linli.parking.services.booking import (
    cancel_terms,
    do_book_shared_space,
    do_cancel_booking,
    do_start_booking_payment,
)
from linli.parking.services.offers import do_create_offer, do_withdraw_offer, window_of
from linli.parking.services.passes import (
    do_cancel_pass,
    do_issue_pass,
    do_record_counter_payment,
    do_renew_pass,
)

__all__ = [
    "cancel_terms",
    "do_book_shared_space",
    "do_cancel_booking",
    "do_cancel_pass",
    "do_create_offer",
    "do_issue_pass",
    "do_record_counter_payment",
    "do_renew_pass",
    "do_start_booking_payment",
    "do_withdraw_offer",
    "window_of",
]
