"""Writing tables as .xlsx or .csv, for templates and exports.

Text that a spreadsheet would run as a formula (=, +, -, @ first) is kept as text: a resident's
name must never become a formula on a staff member's computer (CSV injection).
Control characters stored before the API refused them are dropped from every cell: one of them
made openpyxl refuse the whole community's .xlsx (issue 6), and a lone surrogate any UTF-8 file.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from linli.core.errors import ServiceError
from linli.core.text import printable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
CONTENT_TYPES = {"xlsx": XLSX, "csv": CSV}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BOM = "\ufeff"  # Excel opens UTF-8 CSV correctly only with it


@dataclass(frozen=True)
class SheetFile:
    filename: str
    content_type: str
    content: bytes


def sheet_format(fmt: str) -> str:
    if fmt not in CONTENT_TYPES:
        raise ServiceError("invalid_format", _("格式应为 xlsx 或 csv"), fields={"format": fmt})
    return fmt


def _risky(value) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def _clean(value):
    return printable(value) if isinstance(value, str) else value


def csv_bytes(header: list[str], rows: Iterable[Iterable]) -> bytes:
    out = io.StringIO()
    out.write(_BOM)
    writer = csv.writer(out)
    writer.writerow([_clean(h) for h in header])
    for row in rows:
        writer.writerow([_csv_value(_clean(v)) for v in row])
    return out.getvalue().encode("utf-8")


def _csv_value(value):
    if value is None:
        return ""
    if _risky(value):
        return "'" + value
    if isinstance(value, date):
        return value.isoformat()
    return value


def xlsx_bytes(title: str, header: list[str], rows: Iterable[Iterable]) -> bytes:
    """A write-only workbook: memory stays flat however many rows are exported."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_header_cell(sheet, _clean(h), bold) for h in header])
    for row in rows:
        sheet.append([_xlsx_value(sheet, _clean(v)) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _header_cell(sheet, text: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def _xlsx_value(sheet, value):
    if _risky(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.00"
        return cell
    return value
