"""Test support for Open311: the ids of community A's Open311 objects, for the walks."""

from linli.workorders.services.open311_keys import do_create_api_key


def probe_ids(world) -> dict:
    """A key of community A that the outsider and narrowed staff must not revoke."""
    key, _raw = do_create_api_key(actor=world.admin, community_id=world.a.id, name="市民热线")
    return {"key_id": key.id}
