"""Reads an uploaded .xlsx or .csv into (spreadsheet row number, {column key: raw cell}) pairs.

File-level problems (too big, too many rows, wrong format, missing columns) are ServiceErrors:
there is nothing row by row to report. Row 1 is the header; blank rows are skipped but keep
their numbers, so every row number matches what the user sees in Excel.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from linli.core.errors import ServiceError
from linli.registry.io.cells import text
from linli.registry.io.columns import Kind, header_key

_MAX_HEADER_CELLS = 100
_UTF8_BOM = b"\xef\xbb\xbf"
# What a damaged or disguised .xlsx raises from the zip, XML and openpyxl layers.
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    OSError,
    ValueError,
    IndexError,
    SyntaxError,
)


def max_rows() -> int:
    return settings.LINLI_IMPORT_MAX_ROWS


def check_size(size: int) -> None:
    limit = settings.LINLI_MAX_UPLOAD_BYTES
    if size > limit:
        raise ServiceError(
            "file_too_large",
            _("文件过大，最大 %(mb)s MB，请拆分后分批导入") % {"mb": f"{limit / 1024 / 1024:g}"},
            status=413,
        )


@dataclass
class Table:
    rows: list[tuple[int, dict]]


def read_table(kind: Kind, filename: str, data: bytes) -> Table:
    check_size(len(data))
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xlsx" or data.startswith(b"PK\x03\x04"):
        lines = _xlsx_lines(data)
    elif suffix in (".csv", ".txt"):
        lines = _csv_lines(data)
    else:
        raise ServiceError(
            "unsupported_format",
            _("只支持 .xlsx 和 .csv 文件；.xls 请在 Excel 中另存为 .xlsx"),
            fields={"file": filename},
        )
    return Table(rows=list(_records(kind, lines)))


def _records(kind: Kind, lines: Iterator[tuple[int, tuple]]) -> Iterator[tuple[int, dict]]:
    header = next(lines, None)
    if header is None:
        raise ServiceError("empty_file", _("文件是空的"))
    positions = _positions(kind, header[1])
    limit = max_rows()
    count = 0
    for number, cells in lines:
        if all(text(c) == "" for c in cells):
            continue
        count += 1
        if count > limit:
            raise ServiceError(
                "too_many_rows",
                _("行数过多：一次最多导入 %(n)d 行，请拆分后分批导入") % {"n": limit},
            )
        yield number, {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
    if count == 0:
        raise ServiceError("empty_file", _("文件中没有数据行"))


def _positions(kind: Kind, header: tuple) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, cell in enumerate(header[:_MAX_HEADER_CELLS]):
        key = header_key(kind, cell)
        if key is None:
            continue  # extra columns such as 备注 are allowed and ignored
        if key in positions:
            raise ServiceError(
                "duplicate_column", _("表头中有重复的列"), fields={kind.column(key).header: _("重复")}
            )
        positions[key] = i
    missing = [c.header for c in kind.columns if c.required and c.key not in positions]
    if missing:
        raise ServiceError(
            "missing_columns",
            _("缺少必需的列：%(cols)s（表头应在第 1 行）") % {"cols": "、".join(missing)},
            fields={header: _("缺少此列") for header in missing},
        )
    return positions


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, tuple]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _XLSX_ERRORS:
        raise _unreadable_xlsx() from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        yield 1, header
        width = len(header)
        for number, row in enumerate(rows, start=2):
            yield number, row[:width]
    except _XLSX_ERRORS:
        raise _unreadable_xlsx() from None
    finally:
        workbook.close()


def _unreadable_xlsx() -> ServiceError:
    return ServiceError("unreadable_file", _("无法读取该 Excel 文件，请确认是 .xlsx 格式"))


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030, which is what Excel in China saves as "CSV"; or UTF-16."""
    if data.startswith(_UTF8_BOM):
        candidates = [("utf-8", data[len(_UTF8_BOM) :])]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode 文本" (tab-separated)
        candidates = [("utf-16", data)]
    else:
        candidates = [("utf-8", data), ("gb18030", data)]
    for encoding, body in candidates:
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError("bad_encoding", _("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV"))


def _csv_lines(data: bytes) -> Iterator[tuple[int, tuple]]:
    body = _decode(data)
    first_line = body.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    try:
        # Excel shows a quoted cell with line breaks as one row, so rows are counted, not lines.
        yield from enumerate((tuple(row) for row in reader), start=1)
    except csv.Error:
        raise ServiceError("unreadable_file", _("无法读取该 CSV 文件，请检查格式")) from None
