"""Billing setup objects for the walks: a fee item with a published standard, a posted run and
its bills, and a meter reading, so that every setup operation is probed with real ids."""

from datetime import date

from linli.billing.services import readings, runs, setup


def _probe_ids(world, house) -> dict[str, int]:
    """Community A's fee setup, with the bill and a reading of `house`."""
    actor = world.admin
    item = setup.do_create_fee_item(actor=actor, community=world.a, name="物业服务费", kind="property")
    standard = setup.do_create_standard(
        actor=actor, fee_item=item, effective_from=date(2026, 1, 1), unit_price_fen=250
    )
    setup.do_publish_standard(actor=actor, standard=standard)
    preview = runs.do_preview_run(actor=actor, fee_item=item, period_start=date(2026, 3, 1))
    runs.do_post_run(actor=actor, run=preview.run)
    readings.do_record_reading(actor=actor, house=house, kind="water", read_on=date(2026, 3, 31), value=12)
    return {
        "fee_item_id": item.id,
        "standard_id": standard.id,
        "run_id": preview.run.id,
        "bill_id": preview.run.bills.get(house=house).id,
    }


def outsider_probe_ids(world) -> dict[str, int]:
    """For the outsider walk: everything is community A's."""
    return _probe_ids(world, world.house)


def narrowed_probe_ids(world, narrowed) -> dict[str, int]:
    """For the narrowed-staff walk: the bill of 2号楼's house (the item, standard and run are
    community-wide: staff narrowed to 1号楼 must be refused them too)."""
    return _probe_ids(world, narrowed.other_house)
