"""A card held to a device's reader (reported on its status channel): an e-bike charger starts
charging for the card's holder; other kinds of device are handled by the app that registered
for them (services counts a fitness machine's use for a person who consented). IoT imports no
app above it: they register at start-up."""

from collections.abc import Callable
from datetime import datetime

from linli.iot.choices import DeviceKind
from linli.iot.models import Device
from linli.iot.services import chargers

# Re-exported: the registering app names the kind of device it reads cards for.
__all__ = ["DeviceKind", "card_read", "register_card_reader"]

CardReader = Callable[[Device, str, datetime], None]
_READERS: dict[str, CardReader] = {}


def register_card_reader(kind: str, reader: CardReader) -> None:
    _READERS[kind] = reader


def card_read(card: str, device_id: int, port, at: datetime) -> None:
    device = Device.objects.select_related("profile").get(pk=device_id)
    kind = device.profile.kind
    if kind in (DeviceKind.EBIKE_CHARGER, DeviceKind.CAR_CHARGER):
        chargers.do_start_by_card(card, device_id, port)
    elif kind in _READERS:
        _READERS[kind](device, card, at)
