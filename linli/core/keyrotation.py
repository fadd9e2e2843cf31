"""Key rotation without downtime: add a key, make it active, re-encrypt, later retire the old one.

Old ciphertexts stay readable the whole time because every key id remains in the ring until
`retire` finds no value still sealed with it.
"""

import json
import os
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction

from linli.core import crypto
from linli.core.crypto import EncryptedTextField, KeyRing, KeyRingError
from linli.core.secrets import new_key_id


def encrypted_fields():
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


def write_ring(path: Path, ring: KeyRing) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(ring.to_json(), fh, indent=2)
    os.replace(tmp, path)  # atomic: a crash leaves the old ring or the new one, never half
    crypto.reset_keyring_cache()


def add_active_key(path: Path) -> str:
    ring = crypto.load_keyring(str(path))
    kid = new_key_id()
    write_ring(path, KeyRing(active=kid, keys={**ring.keys, kid: os.urandom(32)}, index_key=ring.index_key))
    return kid


def _raw_rows(model, fields, batch: int):
    """Yields batches of (pk, *ciphertexts) straight from the table, without decrypting."""
    pk = connection.ops.quote_name(model._meta.pk.column)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"SELECT {pk}, {columns} FROM {model._meta.db_table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s"
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last, batch])
            rows = cursor.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def reencrypt_all(batch: int = 1000) -> dict[str, int]:
    """Re-seals every value not already under the active key; returns rows rewritten per model."""
    active = crypto.keyring().active
    counts: dict[str, int] = {}
    for model, fields in encrypted_fields():
        names = [f.name for f in fields]
        rewritten = 0
        for rows in _raw_rows(model, fields, batch):
            stale = [r[0] for r in rows if any(v and crypto.key_id_of(v) != active for v in r[1:])]
            if stale:
                with transaction.atomic():
                    objs = list(model._base_manager.filter(pk__in=stale).only("pk", *names))
                    model._base_manager.bulk_update(objs, names)  # get_prep_value seals with the active key
                rewritten += len(stale)
        counts[model._meta.label] = rewritten
    return counts


def keys_in_use(batch: int = 5000) -> set[str]:
    used: set[str] = set()
    for model, fields in encrypted_fields():
        for rows in _raw_rows(model, fields, batch):
            used |= {crypto.key_id_of(v) for r in rows for v in r[1:] if v}
    return used


def retire_key(path: Path, kid: str, *, archive_to: Path | None = None) -> None:
    """Removes a key no value uses any more. With `archive_to`, the ring as it was (the retired
    key included) is first written there, for the backups taken under it."""
    ring = crypto.load_keyring(str(path))
    if kid not in ring.keys:
        raise KeyRingError(f"{kid} is not in the key ring")
    if kid == ring.active:
        raise KeyRingError("the active key cannot be retired")
    if kid in keys_in_use():
        raise KeyRingError(f"values are still sealed with {kid}; run rotate_keys --reencrypt-only first")
    if archive_to is not None:
        try:
            fd = os.open(archive_to, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise KeyRingError(f"cannot write the archive {archive_to}: {exc.strerror}") from exc
        with os.fdopen(fd, "w") as fh:
            json.dump(ring.to_json(), fh, indent=2)
    write_ring(
        path,
        KeyRing(
            active=ring.active,
            keys={k: v for k, v in ring.keys.items() if k != kid},
            index_key=ring.index_key,
        ),
    )
