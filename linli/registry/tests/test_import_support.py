"""Builders for the import/export tests: real .xlsx/.csv files, uploaded as a browser would."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from linli.core.models import AuditEntry
from linli.registry.models import Building, House, Occupancy, Person, Unit

HOUSE_HEADER = ["楼栋", "单元", "房号", "楼层", "类型", "建筑面积"]
RESIDENT_HEADER = [
    "楼栋",
    "单元",
    "房号",
    "姓名",
    "身份证号",
    "手机号",
    "关系",
    "起始日期",
    "截止日期",
    "户籍",
]


def xlsx(header, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(header, rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, community_id: int, kind: str, data: bytes, *, name="data.xlsx", dry_run=True):
    flag = "true" if dry_run else "false"
    return client.client.post(
        f"/api/v1/communities/{community_id}/imports?kind={kind}&dry_run={flag}",
        {"file": SimpleUploadedFile(name, data)},
        **client.headers,
    )


def read_xlsx(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def registry_counts() -> dict[str, int]:
    """Everything an import could write, to prove that a refused one wrote nothing."""
    return {
        model.__name__: model.objects.count()
        for model in (Building, Unit, House, Person, Occupancy, AuditEntry)
    }


def errors_of(response) -> list[tuple]:
    return [(e["row"], e["column"], e["code"]) for e in response.json()["errors"]]
