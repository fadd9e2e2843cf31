"""Placeholder until the chargers branch lands (replaced by it)."""


def on_port_report(device_id, ports, ts):
    return None


def do_start_by_card(card_id, device_id, port):
    return None
