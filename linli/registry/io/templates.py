"""Blank import templates: the header row, one sample row, and drop-down lists for choices."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from linli.registry.io.columns import HOUSE_TYPE_LABELS, HUKOU_LABELS, RELATION_LABELS, Kind, kind_of
from linli.registry.io.reader import max_rows
from linli.registry.io.sheets import CONTENT_TYPES, SheetFile, csv_bytes, sheet_format

_LISTS = {
    "type": list(HOUSE_TYPE_LABELS.values()),
    "relation": list(RELATION_LABELS.values()),
    "hukou": list(HUKOU_LABELS.values()),
}
# Excel would turn these into numbers (an ID number into 1.10105E+17) unless typed as text.
_TEXT_COLUMNS = {"number", "id_number", "phone"}


def template_file(kind: str, fmt: str) -> SheetFile:
    spec = kind_of(kind)
    fmt = sheet_format(fmt)
    if fmt == "csv":
        content = csv_bytes([c.header for c in spec.columns], [spec.sample])
    else:
        content = _xlsx(spec)
    return SheetFile(f"linli-import-{kind}-template.{fmt}", CONTENT_TYPES[fmt], content)


def _xlsx(kind: Kind) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(kind.label)
    sheet.append([c.header for c in kind.columns])
    sheet.append(list(kind.sample))
    sheet.freeze_panes = "A2"
    last_row = max_rows() + 1
    for i, column in enumerate(kind.columns, start=1):
        letter = get_column_letter(i)
        header = sheet.cell(row=1, column=i)
        header.font = Font(bold=True, color="FFFFFF" if column.required else "000000")
        header.fill = PatternFill("solid", fgColor="2F6FB3" if column.required else "D9E2F3")
        sheet.column_dimensions[letter].width = 22 if column.key in _TEXT_COLUMNS else 14
        if column.key in _TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=i).number_format = "@"
        if column.key in _LISTS:
            rule = DataValidation(
                type="list",
                formula1='"{}"'.format(",".join(_LISTS[column.key])),
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="输入有误",
                error="请从下拉列表中选择",
            )
            rule.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(rule)
    _instructions(workbook.create_sheet("填写说明"), kind)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _instructions(sheet, kind: Kind) -> None:
    sheet.append(["列", "是否必填", "填写说明"])
    for column in kind.columns:
        sheet.append([column.header, "必填" if column.required else "选填", column.note])
    sheet.append([])
    sheet.append(["第 1 行是表头，请勿修改；第 2 行是示例，导入前请删除。"])
    sheet.append(["先“试导入”检查，全部无误后再正式导入；有任何一行错误时不会导入任何数据。"])
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["C"].width = 60
