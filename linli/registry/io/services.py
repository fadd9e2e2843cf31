"""The one import entry point, shared by the API and the console (REG-7).

A dry run reports every bad row and what the file would create. A commit is all or nothing:
the rows are checked again inside the transaction and, if any is bad, nothing is written.
Rows are written in bulk and audited as ONE entry per import (kind, file hash, counts); the
file itself stays the record of the rows.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from linli.core import audit
from linli.core.dbstats import refresh_planner_statistics
from linli.core.errors import Conflict, ServiceError
from linli.core.models import Community
from linli.core.permissions import require
from linli.core.restrict import forget_scope
from linli.core.roles import Action
from linli.registry.io.columns import RESIDENTS, Kind, kind_of
from linli.registry.io.houses import HousesPlan
from linli.registry.io.reader import Table, read_table
from linli.registry.io.report import ImportReport, RowErrors
from linli.registry.io.residents import ResidentsPlan

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
    *, actor, community: Community, kind: str, filename: str, data: bytes, dry_run: bool
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
            plan.write()
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


def _check(spec: Kind, community: Community, actor, table: Table, report: ImportReport):
    plan = ResidentsPlan(community, registered_by=actor) if spec is RESIDENTS else HousesPlan(community)
    for row, raw in table.rows:
        plan.add(row, raw, RowErrors(report, spec, row))
    report.rows = len(table.rows)
    report.counts = {key: 0 for key in _COUNTED} | plan.counts()
    return plan
