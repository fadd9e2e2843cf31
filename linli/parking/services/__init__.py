"""All parking writes (convention 1): `do_<verb>_<noun>(*, actor, ...)`, one transaction each,
permission re-checked inside, audited. `gate` answers access's barrier inside its transaction."""

from linli.parking.services.booking import cancel_terms, do_book_shared_space, do_cancel_booking
from linli.parking.services.offers import do_create_offer, do_withdraw_offer, window_of

__all__ = [
    "cancel_terms",
    "do_book_shared_space",
    "do_cancel_booking",
    "do_create_offer",
    "do_withdraw_offer",
    "window_of",
]
