"""linli import_registry --community CODE --kind houses|residents --user NAME FILE [--commit]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from linli.core.errors import ServiceError
from linli.registry.io.columns import KINDS
from linli.registry.io.report import ImportReport
from linli.registry.io.services import ImportRejected, do_import_registry

from ._console import acting_user, community_by_code

_COUNT_LABELS = {
    "buildings": "楼栋",
    "units": "单元",
    "houses": "房屋",
    "people": "人员",
    "existing_people": "已有人员（新增居住关系）",
    "occupancies": "居住关系",
}


class Command(BaseCommand):
    help = "Imports houses or residents from .xlsx/.csv. Dry run unless --commit; exit code 1 on errors."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--community", required=True, help="community code")
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument("--user", required=True, help="username of the staff member running it")
        parser.add_argument("--commit", action="store_true", help="write (all rows or none)")

    def handle(self, *args, file: Path, community: str, kind: str, user: str, commit: bool, **options):
        with translation.override("zh-hans"):
            actor = acting_user(user)
            target = community_by_code(community)
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise CommandError(f"无法读取文件：{exc}") from None
            try:
                report = do_import_registry(
                    actor=actor,
                    community=target,
                    kind=kind,
                    filename=file.name,
                    data=data,
                    dry_run=not commit,
                )
            except ImportRejected as exc:
                self._print(exc.report)
                raise CommandError(str(exc.message), returncode=1) from None
            except ServiceError as exc:
                raise CommandError(str(exc.message), returncode=1) from None
            self._print(report)
            if not report.ok:
                raise CommandError(f"试导入发现 {len(report.bad_rows)} 行有误", returncode=1)

    def _print(self, report: ImportReport) -> None:
        mode = "试导入（未写入）" if report.dry_run else "正式导入"
        self.stdout.write(f"{mode}：共 {report.rows} 行，有误 {len(report.bad_rows)} 行")
        for error in sorted(report.errors, key=lambda e: e.row):
            self.stdout.write(f"  第 {error.row} 行 [{error.column}] {error.message}（{error.code}）")
        if report.error_count > len(report.errors):
            self.stdout.write(f"  ……另有 {report.error_count - len(report.errors)} 处错误未列出")
        verb = "已创建" if report.committed else "将创建"
        counts = "，".join(
            f"{label} {report.counts[key]}" for key, label in _COUNT_LABELS.items() if report.counts.get(key)
        )
        self.stdout.write(f"{verb}：{counts or '无'}")
        if report.committed:
            self.stdout.write(self.style.SUCCESS(f"导入完成（文件 SHA-256 {report.sha256}）"))
