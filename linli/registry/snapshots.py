"""What the audit trail keeps of a registry object: its fields, with personal data masked."""

from linli.core.masking import mask_id_number, mask_phone, mask_plate

_MASKS = {"id_number": mask_id_number, "phone": mask_phone, "plate": mask_plate}
_SKIP = {"id", "created_at", "updated_at", "id_number_bidx", "phone_bidx", "plate_bidx"}


def snapshot(obj) -> dict:
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in _SKIP:
            continue
        value = getattr(obj, f.attname)
        data[f.attname] = _MASKS[f.name](value) if f.name in _MASKS else value
    return data
