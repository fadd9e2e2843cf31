"""Parking's plate right at access's barriers (access imports no app above it: the right is
registered at start-up, from ParkingConfig.ready)."""

from linli.access.services.vehicles import PlateRight, register_plate_right
from linli.parking.services import gate

RIGHT = PlateRight(enter=gate.enter, leave=gate.leave)


def register() -> None:
    register_plate_right(RIGHT)
