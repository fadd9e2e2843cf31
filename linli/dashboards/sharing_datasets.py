"""The datasets city systems may read (SEC-4): which daily figures each one serves, under what
field names, down to which level. docs/data-sharing.md documents them for the city system;
`GET /sharing/datasets` serves the same catalogue as JSON."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from linli.dashboards.metrics import METRICS, Metric
from linli.dashboards.models.sharing import LEVEL_ORDER, Level
from linli.dashboards.suppression import THRESHOLD
from linli.registry.choices import CareKind
from linli.registry.queries import AGE_BANDS


@dataclass(frozen=True)
class Field:
    name: str
    metric: str
    # "" for the figure itself; a part prefix ("band:") for a breakdown, one cell per value.
    breakdown: str = ""
    finest: str = Level.COMMUNITY
    # The breakdown's values known in advance: every one is served (zero included, and then
    # hidden), so that a missing value never says "none here". None: the values found.
    values: tuple[str, ...] | None = None
    # A breakdown that splits the field `of` exactly (every person in one band): the bands and
    # that total are one sum for suppression.
    splits: str = ""

    @property
    def about(self) -> Metric:
        return METRICS[self.metric]


@dataclass(frozen=True)
class Dataset:
    key: str
    label: str
    description: str
    stock: bool  # a reading as of a day, else a flow summed over [since, until]
    fields: tuple[Field, ...]

    @property
    def finest(self) -> str:
        return max((f.finest for f in self.fields), key=LEVEL_ORDER.index)

    def fields_at(self, level: str) -> list[Field]:
        return [f for f in self.fields if LEVEL_ORDER.index(f.finest) >= LEVEL_ORDER.index(level)]

    @property
    def metrics(self) -> set[str]:
        return {f.metric for f in self.fields}


B = Level.BUILDING
BANDS = (*(label for label, _low, _high in AGE_BANDS), "unknown")

DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in (
        Dataset(
            "population",
            _("人口"),
            _("实有人口、流动人口、租住人口、实住户数、年龄段与特殊人群（均为计数）"),
            True,
            (
                Field("real", "population.real", finest=B),
                Field("floating", "population.floating", finest=B),
                Field("tenants", "population.tenants"),
                Field("households", "population.households"),
                Field("age", "population.age", "band:", values=BANDS, splits="real"),
                Field("special", "population.special", "kind:", values=tuple(CareKind.values)),
            ),
        ),
        Dataset(
            "housing",
            _("房屋"),
            _("住宅总数、在住、出租、空置"),
            True,
            tuple(
                Field(key, f"housing.{key}", finest=B) for key in ("houses", "occupied", "rented", "vacant")
            ),
        ),
        Dataset(
            "incidents",
            _("事件与报修"),
            _("期间内新建与办结的报修、投诉与网格事件，按类别；办结用时"),
            False,
            (
                Field("opened", "requests.opened", finest=B),
                Field("opened_by_category", "requests.opened", "category:"),
                Field("resolved", "requests.resolved", finest=B),
                Field("resolved_by_category", "requests.resolved", "category:"),
                Field("resolve_minutes", "requests.resolve_minutes", finest=B),
            ),
        ),
        Dataset(
            "alarms",
            _("设备告警"),
            _("期间内新增的设备告警，按级别与类型"),
            False,
            (
                Field("raised_by_severity", "alarms.raised", "severity:"),
                Field("raised_by_type", "alarms.raised", "type:"),
            ),
        ),
        Dataset(
            "fees",
            _("物业费收缴"),
            _("当日所在月份的应收与实收（分）"),
            True,
            (Field("due", "fees.due"), Field("paid", "fees.paid")),
        ),
    )
}


def schema(dataset: Dataset, level: str) -> dict:
    """What `GET /sharing/datasets` says of a dataset for a token granted `level`."""
    finest = min(dataset.finest, level, key=LEVEL_ORDER.index)
    return {
        "key": dataset.key,
        "label": str(dataset.label),
        "description": str(dataset.description),
        "kind": "stock" if dataset.stock else "flow",
        "levels": [str(lv) for lv in LEVEL_ORDER[: LEVEL_ORDER.index(finest) + 1]],
        "fields": [
            {
                "name": f.name,
                "label": str(f.about.label),
                "unit": str(f.about.unit),
                "how": str(f.about.how),
                "breakdown": f.breakdown.rstrip(":"),
                "finest_level": str(f.finest),
                "suppressed_under": THRESHOLD if f.about.people else None,
            }
            for f in dataset.fields
        ],
    }
