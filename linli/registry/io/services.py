"""The one import entry point, shared by the API and the console (REG-7).

A dry run reports every bad row and what the file would create. A commit is all or nothing:
the rows are checked again inside the transaction and, if any is bad, nothing is written.
Rows are written in bulk and audited as ONE entry per import (kind, file hash, counts); the
file itself stays the record of the rows.
"""

import hashlib
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.actor import Actor
from linli.core.dbstats import refresh_planner_statistics
from linli.core.errors import Conflict, ServiceError
from linli.core.events import publish
from linli.core.models import Community
from linli.core.permissions import require
from linli.core.restrict import forget_scope
from linli.core.roles import Action
from linli.registry.io.columns import RESIDENTS, Kind, kind_of
from linli.registry.io.houses import BATCH, HousesPlan
from linli.registry.io.reader import Table, read_table
from linli.registry.io.report import ImportReport, RowErrors
from linli.registry.io.residents import ResidentsPlan, link_users
from linli.registry.models import Building, House, Occupancy, Person, Unit

_COUNTED = ("buildings", "units", "houses", "people", "existing_people", "occupancies")


class ImportRejected(ServiceError):
    """A commit refused because of bad rows; the body carries the full report."""

    status = 422

    def __init__(self, report: ImportReport):
        super().__init__(
            "import_has_errors",
            _("有 %(n)d 行数据有误，未导入任何数据，请修改后重新导入") % {"n": len(report.bad_rows)},
        )
        self.report = report

    def as_dict(self) -> dict:
        return {**super().as_dict(), **self.report.as_dict()}


def do_import_registry(
    *, actor: Actor, community: Community, kind: str, filename: str, data: bytes, dry_run: bool
) -> ImportReport:
    spec = kind_of(kind)
    require(actor, Action.IMPORT_RUN, community.id)
    table = read_table(spec, filename, data)
    report = ImportReport(kind=kind, dry_run=dry_run, sha256=hashlib.sha256(data).hexdigest())
    if dry_run:
        _check(spec, community, actor, table, report)
        return report
    try:
        with transaction.atomic():
            require(actor, Action.IMPORT_RUN, community.id)
            plan = _check(spec, community, actor, table, report)
            if not report.ok:
                raise ImportRejected(report)
            if isinstance(plan, ResidentsPlan):
                _write_residents(plan)
            else:
                _write_houses(plan)
            audit.record(
                actor=actor,
                action="import",
                object_type="registry.import",
                object_id=report.sha256[:40],
                community_id=community.id,
                after={"kind": kind, "filename": filename[:200], "sha256": report.sha256, **report.counts},
            )
    except IntegrityError:
        # Someone registered the same house or ID number while this import was being checked.
        raise Conflict("import_conflict", _("导入期间数据被他人修改，未导入任何数据，请重新导入")) from None
    forget_scope(actor)
    refresh_planner_statistics()  # thousands of new rows change the best plans
    report.committed = True
    return report


def _check(spec: Kind, community: Community, actor: Actor, table: Table, report: ImportReport):
    plan = ResidentsPlan(community, registered_by=actor) if spec is RESIDENTS else HousesPlan(community)
    for row, raw in table.rows:
        plan.add(row, raw, RowErrors(report, spec, row))
    report.rows = len(table.rows)
    report.counts = {key: 0 for key in _COUNTED} | plan.counts()
    return plan


def _write_houses(plan: HousesPlan) -> None:
    top_floor: dict[str, int] = defaultdict(lambda: 1)
    for h in plan.houses:
        top_floor[h.key[0]] = max(top_floor[h.key[0]], h.floor)
    new_buildings = [
        Building(community=plan.community, name=name, floors=top_floor[name])
        for name in dict.fromkeys(h.key[0] for h in plan.houses)
        if name not in plan.building_ids
    ]
    Building.objects.bulk_create(new_buildings, batch_size=BATCH)
    plan.building_ids.update((b.name, b.id) for b in new_buildings)
    new_units = [
        Unit(building_id=plan.building_ids[b], name=u)
        for b, u in dict.fromkeys(h.key[:2] for h in plan.houses)
        if (b, u) not in plan.unit_ids
    ]
    Unit.objects.bulk_create(new_units, batch_size=BATCH)
    names = {bid: name for name, bid in plan.building_ids.items()}
    plan.unit_ids.update(((names[u.building_id], u.name), u.id) for u in new_units)
    House.objects.bulk_create(
        (
            House(
                community=plan.community,
                building_id=plan.building_ids[h.key[0]],
                unit_id=plan.unit_ids[h.key[:2]],
                number=h.key[2],
                floor=h.floor,
                type=h.type,
                area=h.area,
            )
            for h in plan.houses
        ),
        batch_size=BATCH,
    )


def _write_residents(plan: ResidentsPlan) -> None:
    # Every newcomer carries its unsaved row; the bulk insert gives each its id.
    newcomers = [(p, p.new) for p in plan.newcomers() if p.new is not None]
    link_users([new for _p, new in newcomers])
    Person.objects.bulk_create([new for _p, new in newcomers], batch_size=BATCH)
    for p, new in newcomers:
        p.pk, p.user_id = new.pk, new.user_id
    rows = [
        Occupancy(
            house_id=house_id,
            person_id=person.saved_pk,
            relation=relation,
            valid_from=start,
            valid_to=end,
            registered_by=plan.registered_by,
        )
        for house_id, person, relation, start, end in plan.occupancies
    ]
    Occupancy.objects.bulk_create(rows, batch_size=BATCH)
    for occupancy, (_h, person, *_r) in zip(rows, plan.occupancies, strict=True):
        if person.user_id:  # a resident with the app sees the new registration at once
            publish(
                "registry.occupancy_added",
                {"occupancy": occupancy.pk, "house": occupancy.house_id},
                users=[person.user_id],
                community_id=plan.community.id,
            )
