"""Parking's plate right at access's barriers and its word on a paid stay (access and billing
import no app above them: both are registered at start-up, from ParkingConfig.ready)."""

from linli.access.services.vehicles import PlateRight, register_plate_right
from linli.billing.services.settle import register_stay_paid_hook
from linli.parking.services import exit_fees, gate

RIGHT = PlateRight(enter=gate.enter, leave=gate.leave)


def register() -> None:
    register_plate_right(RIGHT)
    register_stay_paid_hook(exit_fees.on_stay_paid)
