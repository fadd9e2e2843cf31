"""Bulk import/export endpoints (REG-7). Thin: the work is in linli.registry.io."""

from typing import Literal

from django.http import HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from linli.core.http import community_for
from linli.core.permissions import require
from linli.core.roles import Action
from linli.registry.io.export import export_registry
from linli.registry.io.reader import check_size
from linli.registry.io.services import do_import_registry
from linli.registry.io.sheets import SheetFile
from linli.registry.io.templates import template_file
from linli.registry.schemas import Purpose

router = Router(tags=["registry import/export"])

KindParam = Literal["houses", "residents"]
FormatParam = Literal["xlsx", "csv"]


class RowErrorOut(Schema):
    row: int
    column: str
    code: str
    message: str


class ImportReportOut(Schema):
    kind: str
    dry_run: bool
    committed: bool
    sha256: str
    rows: int
    bad_rows: int
    error_count: int
    errors_truncated: bool
    errors: list[RowErrorOut]
    counts: dict[str, int]


def _download(sheet: SheetFile) -> HttpResponse:
    response = HttpResponse(sheet.content, content_type=sheet.content_type)
    response["Content-Disposition"] = f'attachment; filename="{sheet.filename}"'
    return response


@router.get("/communities/{community_id}/imports/template")
def import_template(request, community_id: int, kind: KindParam, format: FormatParam = "xlsx"):
    community = community_for(request, community_id, Action.PROPERTY_VIEW)
    require(request.user, Action.IMPORT_RUN, community.id)
    return _download(template_file(kind, format))


@router.post("/communities/{community_id}/imports", response={200: ImportReportOut, 201: ImportReportOut})
def run_import(request, community_id: int, kind: KindParam, file: File[UploadedFile], dry_run: bool = True):
    """Dry run (default) reports every bad row; dry_run=false imports all rows or none (422)."""
    community = community_for(request, community_id, Action.PROPERTY_VIEW)
    require(request.user, Action.IMPORT_RUN, community.id)
    check_size(file.size)
    report = do_import_registry(
        actor=request.user,
        community=community,
        kind=kind,
        filename=file.name or "",
        data=file.read(),
        dry_run=dry_run,
    )
    return Status(200 if dry_run else 201, report.as_dict())


@router.get("/communities/{community_id}/exports/{kind}")
def export(
    request,
    community_id: int,
    kind: KindParam,
    format: FormatParam = "xlsx",
    full: bool = False,
    purpose: Purpose = "",
):
    """`full=true` (numbers unmasked) needs `pii.view` and a `purpose`, logged for every person."""
    community = community_for(request, community_id, Action.PROPERTY_VIEW)
    return _download(
        export_registry(
            actor=request.user, community=community, kind=kind, fmt=format, full=full, purpose=purpose
        )
    )
