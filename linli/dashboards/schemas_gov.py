"""The government view's API shapes (GRID-3). A people figure that may not be shown has
`value: null` and a `note`: "<5" (under the threshold itself) or "*" (hidden so that a small one
cannot be worked out); docs/dashboards.md."""

from datetime import date

from ninja import Schema

from linli.core.schema_types import InputSchema, Text
from linli.dashboards.gov_period import MONTH


class PeriodQuery(InputSchema):
    period: Text(7, pattern=rf"^(month|30d|{MONTH.pattern[1:-1]})$") = "month"


class StreetQuery(PeriodQuery):
    district: Text(30)
    street: Text(60)


class FigureOut(Schema):
    key: str
    value: int | float | None
    note: str


class RowOut(Schema):
    id: int | str
    name: str
    figures: list[FigureOut]


class PeriodOut(Schema):
    key: str
    since: date
    until: date


class CommunityNameOut(Schema):
    id: int
    name: str


class StreetTotalOut(Schema):
    district: str
    street: str
    total: RowOut
    communities: list[CommunityNameOut]  # their figures: GET /dashboards/streets/one


class StreetsOut(Schema):
    day: date | None  # the day the stocks are of (the latest computed)
    period: PeriodOut
    streets: list[StreetTotalOut]


class StreetOut(Schema):
    district: str
    street: str
    total: RowOut
    communities: list[RowOut]


class OneStreetOut(Schema):
    day: date | None
    period: PeriodOut
    street: StreetOut | None  # None: none of the user's communities is in that street


class BreakdownRowOut(Schema):
    label: str
    figures: list[FigureOut]


class BreakdownOut(Schema):
    title: str
    metric: str
    rows: list[BreakdownRowOut]


class GridOut(RowOut):
    building_ids: list[int]


class CommunityFiguresOut(Schema):
    id: int
    name: str
    district: str
    street: str
    day: date | None
    period: PeriodOut
    figures: list[FigureOut]
    grids: list[GridOut]
    buildings: list[RowOut]
    breakdowns: list[BreakdownOut]


class PartOut(Schema):
    day: date | None
    period: PeriodOut
    part: RowOut
    buildings: list[RowOut]  # a grid's; empty for a building


class MetricOut(Schema):
    key: str
    label: str
    unit: str
    how: str
    people: bool
    stock: bool


class MetricsOut(Schema):
    threshold: int
    metrics: list[MetricOut]
