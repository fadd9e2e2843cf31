"""linli export_registry --community CODE --kind houses|residents --format xlsx|csv --user NAME -o FILE
[--full --purpose TEXT]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from linli.core.errors import ServiceError
from linli.registry.io.columns import KINDS
from linli.registry.io.export import export_registry
from linli.registry.io.sheets import CONTENT_TYPES

from ._console import acting_user, community_by_code


class Command(BaseCommand):
    help = "Exports houses or residents (masked unless --full) as .xlsx or .csv."

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="community code")
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument("--format", default="xlsx", choices=sorted(CONTENT_TYPES))
        parser.add_argument("--user", required=True, help="username of the staff member running it")
        parser.add_argument("--full", action="store_true", help="unmasked ID/phone numbers (logged)")
        parser.add_argument(
            "--purpose", default="", help="why the full numbers are needed (required with --full)"
        )
        parser.add_argument("-o", "--output", required=True, type=Path)

    def handle(self, *args, community, kind, format, user, full, purpose, output: Path, **options):
        with translation.override("zh-hans"):
            actor = acting_user(user)
            target = community_by_code(community)
            try:
                sheet = export_registry(
                    actor=actor, community=target, kind=kind, fmt=format, full=full, purpose=purpose
                )
            except ServiceError as exc:
                raise CommandError(str(exc.message), returncode=1) from None
            output.write_bytes(sheet.content)
            self.stdout.write(f"已导出到 {output}（{len(sheet.content)} 字节）")
