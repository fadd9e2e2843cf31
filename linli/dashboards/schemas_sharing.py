"""The sharing API's query and answer shapes (docs/data-sharing.md)."""

from datetime import date

from ninja import Schema

from linli.core.schema_types import Date, InputSchema, Text


class CellsQuery(InputSchema):
    # Checked by the service, so that a refused level or community is logged with its code.
    level: Text(12) = ""
    community: Text(40) = ""
    since: Date | None = None
    until: Date | None = None


class SharedCommunityOut(Schema):
    id: int
    name: str
    district: str
    street: str


class FieldOut(Schema):
    name: str
    label: str
    unit: str
    how: str
    breakdown: str
    finest_level: str
    suppressed_under: int | None


class DatasetOut(Schema):
    key: str
    label: str
    description: str
    kind: str
    levels: list[str]
    fields: list[FieldOut]


class CatalogueOut(Schema):
    name: str
    level: str
    rate_per_minute: int
    communities: list[SharedCommunityOut]
    datasets: list[DatasetOut]


class CellOut(Schema):
    area: dict[str, int | str]
    field: str
    breakdown: str
    value: int | None  # null: withheld (suppressed)


class CellsOut(Schema):
    dataset: str
    level: str
    as_of: date | None = None
    since: date | None = None
    until: date | None = None
    cells: list[CellOut]
