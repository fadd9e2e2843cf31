"""Import wizard (REG-7): upload → dry-run report (row, column, reason) → commit, all or nothing.

Between the dry run and the commit the upload waits in a private staging folder under the var
directory, named by a random token kept only in this user's session, so nobody else can commit
it and the user need not pick the file twice. The commit checks every row again anyway.
"""

import hashlib
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core.errors import ServiceError
from linli.core.roles import Action
from linli.core.shell.common import Console, show_service_error, staff_view
from linli.registry.forms import ImportForm
from linli.registry.io.columns import KINDS
from linli.registry.io.reader import check_size
from linli.registry.io.services import ImportRejected, do_import_registry

SESSION_KEY = "linli_import"
STAGED_FOR = 24 * 3600  # seconds an unconfirmed upload is kept


def _staging_dir() -> Path:
    path = Path(settings.VAR_DIR) / "import-staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep_stale(now: float) -> None:
    for staged in _staging_dir().iterdir():
        if now - staged.stat().st_mtime > STAGED_FOR:
            staged.unlink(missing_ok=True)


def _stage(data: bytes) -> str:
    _sweep_stale(time.time())
    token = secrets.token_hex(16)
    (_staging_dir() / token).write_bytes(data)
    return token


def _template_links(console: Console) -> list[dict]:
    base = f"/api/v1/communities/{console.community.id}/imports/template"
    return [
        {
            "label": kind.label,
            "xlsx": f"{base}?kind={name}&format=xlsx",
            "csv": f"{base}?kind={name}&format=csv",
        }
        for name, kind in KINDS.items()
    ]


COUNT_LABELS = {
    "buildings": gettext_lazy("新楼栋"),
    "units": gettext_lazy("新单元"),
    "houses": gettext_lazy("新房屋"),
    "people": gettext_lazy("新人员"),
    "existing_people": gettext_lazy("已登记人员"),
    "occupancies": gettext_lazy("居住关系"),
}
SHOWN_ERRORS = 500  # the page lists this many; the rest are counted


def _page(request, console: Console, form, report=None, staged=None, status: int = 200):
    context = {"form": form, "report": report, "staged": staged, "templates": _template_links(console)}
    if report is not None:
        context["counts"] = [(COUNT_LABELS.get(k, k), n) for k, n in report.counts.items()]
        context["errors"] = sorted(report.errors, key=lambda e: e.row)[:SHOWN_ERRORS]
        context["more_errors"] = max(report.error_count - SHOWN_ERRORS, 0)
    return console.render(request, "registry/console/import.html", context, status=status)


@staff_view(Action.IMPORT_RUN, section="import")
def import_wizard(request, console: Console):
    """GET: the upload form. POST: a dry run of the uploaded file, with its report."""
    if request.method != "POST":
        request.session.pop(SESSION_KEY, None)
        return _page(request, console, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, console, form, status=422)
    upload = form.cleaned_data["file"]
    kind = form.cleaned_data["kind"]
    try:
        check_size(upload.size)
        data = upload.read()
        report = do_import_registry(
            actor=request.user,
            community=console.community,
            kind=kind,
            filename=upload.name,
            data=data,
            dry_run=True,
        )
    except ServiceError as exc:
        show_service_error(form, exc)
        return _page(request, console, form, status=422)
    staged = None
    if report.ok:
        staged = {
            "token": _stage(data),
            "kind": kind,
            "filename": upload.name,
            "sha256": report.sha256,
            "community": console.community.id,
        }
        request.session[SESSION_KEY] = staged
    return _page(request, console, ImportForm(initial={"kind": kind}), report=report, staged=staged)


@require_POST
@staff_view(Action.IMPORT_RUN, section="import")
def import_commit(request, console: Console):
    staged = request.session.get(SESSION_KEY)
    if (
        not staged
        or staged["community"] != console.community.id
        or staged["token"] != request.POST.get("token")
    ):
        raise Http404
    path = _staging_dir() / staged["token"]
    if not path.exists():
        messages.error(request, _("上传的文件已过期，请重新上传"))
        return redirect(console.reverse("registry:import"))
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != staged["sha256"]:
        raise Http404
    form = ImportForm(initial={"kind": staged["kind"]})
    try:
        report = do_import_registry(
            actor=request.user,
            community=console.community,
            kind=staged["kind"],
            filename=staged["filename"],
            data=data,
            dry_run=False,
        )
    except ImportRejected as exc:
        show_service_error(form, exc)
        return _page(request, console, form, report=exc.report, status=422)
    except ServiceError as exc:
        show_service_error(form, exc)
        return _page(request, console, form, status=422)
    finally:
        request.session.pop(SESSION_KEY, None)
        path.unlink(missing_ok=True)
    return _page(request, console, form, report=report)
