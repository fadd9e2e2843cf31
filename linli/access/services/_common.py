"""Helpers the access services share: the change log terminals sync from."""

from collections.abc import Iterable

from linli.access.choices import ChangeKind
from linli.access.models import ChangeLog


def log_change(community_id: int, kind: str, ref_ids: Iterable[int | None] = (None,)) -> None:
    """Appends to the terminals' change log inside the caller's transaction: the new version
    exists exactly when the change committed."""
    ChangeLog.objects.bulk_create(ChangeLog(community_id=community_id, kind=kind, ref_id=r) for r in ref_ids)


def log_people(community_id: int, person_ids: Iterable[int]) -> None:
    ids = sorted(set(person_ids))
    if ids:
        log_change(community_id, ChangeKind.PERSON, ids)
