"""Exports of the registry lists in the import layout, so a file can be edited and re-imported.

Rows come through restrict() (a building-scoped worker exports their buildings only). ID and
phone numbers are masked unless the actor may see them and asks for them in full; then every
exported person gets a PII read log row, like any other unmasked read (SEC-1).
"""

from django.db.models import Q
from django.utils import timezone

from linli.core.errors import Forbidden
from linli.core.masking import mask_id_number, mask_phone
from linli.core.models import Community
from linli.core.restrict import scope_of
from linli.core.roles import Action
from linli.registry.io.columns import HOUSE_TYPE_LABELS, HOUSES, HUKOU_LABELS, RELATION_LABELS, Kind, kind_of
from linli.registry.io.sheets import CONTENT_TYPES, SheetFile, csv_bytes, sheet_format, xlsx_bytes
from linli.registry.models import House, Occupancy, Person
from linli.registry.privacy import clean_purpose, log_pii_reads


def render(kind: Kind, fmt: str, rows, filename: str) -> SheetFile:
    header = [c.header for c in kind.columns]
    content = xlsx_bytes(str(kind.label), header, rows) if fmt == "xlsx" else csv_bytes(header, rows)
    return SheetFile(f"{filename}.{fmt}", CONTENT_TYPES[fmt], content)


def export_registry(
    *, actor, community: Community, kind: str, fmt: str, full: bool = False, purpose: str = ""
) -> SheetFile:
    """`full` exports need the stated `purpose`, which every exported person's PII log row keeps."""
    spec = kind_of(kind)
    fmt = sheet_format(fmt)
    if spec is HOUSES:
        _require_staff(actor, Action.PROPERTY_VIEW, community.id)
        rows = _house_rows(actor, community)
    else:
        _require_staff(actor, Action.PEOPLE_VIEW, community.id)
        if full:
            _require_staff(actor, Action.PII_VIEW, community.id)
            purpose = clean_purpose(purpose)
        rows = _resident_rows(actor, community, full, purpose)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return render(spec, fmt, rows, f"{community.code}-{kind}-{stamp}")


def _require_staff(actor, action: str, community_id: int) -> None:
    """Bulk lists are for staff; a resident reads their own household in the app instead."""
    if not scope_of(actor).may_in_community(action, community_id):
        raise Forbidden()


def _house_rows(actor, community: Community) -> list[tuple]:
    houses = (
        House.objects.restrict(actor, Action.PROPERTY_VIEW)
        .filter(community=community)
        .order_by("building_id", "unit_id", "floor", "number")
        .values_list("building__name", "unit__name", "number", "floor", "type", "area")
    )
    return [(b, u, n, floor, HOUSE_TYPE_LABELS[t], area) for b, u, n, floor, t, area in houses]


def _resident_rows(actor, community: Community, full: bool, purpose: str) -> list[tuple]:
    """Current and future relations (not ended, lease not over), house by house."""
    today = timezone.localdate()
    occupancies = (
        Occupancy.objects.restrict(actor, Action.PII_VIEW if full else Action.PEOPLE_VIEW)
        .filter(house__community=community, ended_at__isnull=True, person__erased_at__isnull=True)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("house__building_id", "house__unit_id", "house__floor", "house__number", "relation", "id")
        .values_list(
            "house__building__name",
            "house__unit__name",
            "house__number",
            "person_id",
            "person__user_id",
            "person__name",
            "person__id_number",
            "person__phone",
            "relation",
            "valid_from",
            "valid_to",
            "person__hukou_local",
        )
    )
    rows, people = [], {}
    for b, u, n, pid, user_id, name, id_number, phone, relation, start, end, local in occupancies:
        if full:
            people.setdefault(pid, Person(pk=pid, community_id=community.id, user_id=user_id))
        else:
            id_number, phone = mask_id_number(id_number), mask_phone(phone)
        rows.append(
            (b, u, n, name, id_number, phone, RELATION_LABELS[relation], start, end, HUKOU_LABELS[local])
        )
    if people:
        log_pii_reads(actor, list(people.values()), "phone,id_number", purpose)
    return rows
