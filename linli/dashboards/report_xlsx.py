"""A report as an .xlsx workbook: a cover sheet with the report's title, community and period,
each table on a sheet of its own, each chart's figures on a sheet too (the charts themselves are
the PDF's), and the "how is this computed" of every figure.

Every text cell is written as text, never as a formula: a category or a vote's title typed by
staff may start with "=" (CSV injection, as registry.io.sheets guards against)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from linli.core.text import printable
from linli.dashboards.reports import HIDDEN, Report, Table

_BOLD = Font(bold=True)
_SHEET_NAME_MAX = 31  # Excel's limit
_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def render(report: Report) -> bytes:
    workbook = Workbook(write_only=True)
    cover = workbook.create_sheet(_("报表"))
    for label, value in (
        (_("报表"), report.title),
        (_("社区"), report.community),
        (_("月份"), f"{report.month:%Y-%m}"),
        (_("统计截至"), str(report.until)),
        (_("存量数据日期"), str(report.as_of or "—")),
        (_("说明"), _("涉及人数的单元格少于 5 人时显示为 %(hidden)s，以免识别到个人") % {"hidden": HIDDEN}),
    ):
        cover.append([_cell(cover, label, bold=True), _cell(cover, value)])
    names: set[str] = {_("报表")}
    tables = report.tables + [_chart_table(c) for c in report.charts] + [report.how()]
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.title, names))
        sheet.append([_cell(sheet, h, bold=True) for h in table.header])
        for row in table.rows:
            sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _chart_table(chart) -> Table:
    header = [_("项目"), *(name for name, _values in chart.series)]
    rows = [
        [category, *(HIDDEN if values[i] is None else values[i] for _name, values in chart.series)]
        for i, category in enumerate(chart.categories)
    ]
    return Table(_("图表数据：%(title)s") % {"title": chart.title}, header, rows)


def _sheet_name(title: str, taken: set[str]) -> str:
    base = title.translate(_FORBIDDEN)[:_SHEET_NAME_MAX]
    name, n = base, 2
    while name in taken:
        suffix = f" {n}"
        name, n = base[: _SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _cell(sheet, value, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=printable(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = _BOLD
    return cell
