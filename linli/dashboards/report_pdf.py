"""A report as a Chinese PDF (A4), with its charts drawn as vector graphics (reportlab.graphics):
a bar chart for a breakdown, a line chart for a month's days.

Chinese text uses reportlab's built-in CID font STSong-Light, as receipts do
(billing/receipt_pdf.py): the PDF names the font and the reader supplies the glyphs, so no font
file ships with linli. A hidden count is "<5" in tables and a gap in charts."""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, TableStyle
from reportlab.platypus import Table as Grid

from linli.dashboards.reports import HIDDEN, Chart, Report, Table

CJK = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))

# The design system's brand green and three companions that stay apart in print.
PALETTE = [colors.HexColor(c) for c in ("#1f8a5b", "#2f6fb5", "#d08a1c", "#b5473a")]
WIDTH = A4[0] - 36 * mm

_TITLE = ParagraphStyle("title", fontName=CJK, fontSize=18, leading=24, spaceAfter=4 * mm)
_HEADING = ParagraphStyle(
    "heading", fontName=CJK, fontSize=12, leading=16, spaceBefore=4 * mm, spaceAfter=2 * mm
)
_TEXT = ParagraphStyle("text", fontName=CJK, fontSize=9, leading=13, wordWrap="CJK")
_CELL = ParagraphStyle("cell", fontName=CJK, fontSize=8.5, leading=11, wordWrap="CJK")


def render(report: Report) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{report.community} {report.title} {report.month:%Y-%m}",
        author=report.community,
    )
    story: list = [
        Paragraph(escape(f"{report.community} · {report.title}"), _TITLE),
        Paragraph(
            escape(
                _("%(month)s 月报，统计至 %(until)s；存量数据为 %(as_of)s 的数据。")
                % {"month": f"{report.month:%Y-%m}", "until": report.until, "as_of": report.as_of or "—"}
            ),
            _TEXT,
        ),
        Paragraph(
            escape(
                _(
                    "涉及人数少于 5 人的数字显示为 %(hidden)s，为防止由其他数字推算出而隐藏的显示为 *，以免识别到个人。"
                )
                % {"hidden": HIDDEN}
            ),
            _TEXT,
        ),
    ]
    for table in report.tables:
        story.append(_table(table))
    for chart in report.charts:
        story.append(KeepTogether([Paragraph(escape(chart.title), _HEADING), _chart(chart)]))
    story.append(_table(report.how()))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(CJK, 8)
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, _("第 %(page)d 页") % {"page": doc.page})
    canvas.restoreState()


def _table(table: Table):
    cell = lambda v: Paragraph(escape("" if v is None else str(v)), _CELL)  # noqa: E731
    rows = [[cell(h) for h in table.header]] + [[cell(v) for v in row] for row in table.rows]
    if not table.rows:
        rows.append([cell(_("本月无数据"))] + [cell("")] * (len(table.header) - 1))
    grid = Grid(rows, colWidths=[WIDTH / len(table.header)] * len(table.header), repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c8ccd2")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef6f1")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return KeepTogether([Paragraph(escape(table.title), _HEADING), grid])


def _chart(chart: Chart) -> Drawing:
    drawing = Drawing(WIDTH, 62 * mm)
    plot = VerticalBarChart() if chart.kind == "bar" else HorizontalLineChart()
    plot.x, plot.y, plot.width, plot.height = 12 * mm, 14 * mm, WIDTH - 16 * mm, 40 * mm
    series = chart.series
    if chart.kind == "line":
        # A line needs two points: a series hidden (nearly) throughout is named in the legend only.
        series = [(name, values) for name, values in series if sum(v is not None for v in values) >= 2]
    plot.data = [values for _name, values in series] or [[0] * len(chart.categories)]
    plot.categoryAxis.categoryNames = chart.categories
    plot.categoryAxis.labels.fontName = CJK
    plot.categoryAxis.labels.fontSize = 7
    plot.valueAxis.labels.fontName = CJK
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    if not any(v for _name, values in chart.series for v in values if v is not None):
        plot.valueAxis.valueMax = 1  # an empty month still draws its axes
    if len(chart.categories) > 12:  # a month's days: every fifth label
        plot.categoryAxis.categoryNames = [c if i % 5 == 0 else "" for i, c in enumerate(chart.categories)]
    for i in range(len(series)):
        colour = PALETTE[i % len(PALETTE)]
        if chart.kind == "bar":
            plot.bars[i].fillColor = colour
            plot.bars[i].strokeColor = None
        else:
            plot.lines[i].strokeColor = colour
            plot.lines[i].strokeWidth = 1.5
    drawing.add(plot)
    legend = Legend()
    legend.x, legend.y = 14 * mm, 6 * mm
    legend.fontName, legend.fontSize = CJK, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 40 * mm
    drawn = {name for name, _values in series}
    legend.colorNamePairs = [
        (
            PALETTE[i % len(PALETTE)],
            name if name in drawn else _("%(name)s（%(hidden)s，未画出）") % {"name": name, "hidden": HIDDEN},
        )
        for i, (name, _values) in enumerate(chart.series)
    ]
    drawing.add(legend)
    return drawing
