"""The government view (GRID-3): a street office's figures over its communities, drilled down
street → community → grid → building, read from the daily figures only (`queries`), never from
other apps' tables, so that a street of 1,000 communities costs a handful of indexed reads.

Counts of people go through `suppression` (docs/dashboards.md, "Suppression"), the same way on
every level so that no two pages can be subtracted into a small count:

- a street's communities are one partition of the street (primary and complementary rules);
  a community's own pages use the cell its street gives it, and a hidden community hides its
  whole drill-down (shown, the parts would add up to it);
- a community's buildings are one partition of the community (the community total is shown);
- grids are overlapping groups of buildings (`over_shown_atoms`: small, a small difference to
  another grid, or holding a hidden building);
- age bands are one partition of the community's population, special groups primary only.

A grid or building whose people figures are all hidden is refused (`too_few_to_show`), and the
refusal is logged."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from linli.core.dbrouter import reading_from_replica
from linli.core.errors import NotFound, ServiceError
from linli.dashboards import queries, suppression
from linli.dashboards.gov_period import Period
from linli.dashboards.metrics import METRICS
from linli.grid import queries as grid_queries
from linli.iot import queries as iot_queries
from linli.registry import queries as registry_queries
from linli.registry.choices import CareKind
from linli.registry.queries import AGE_BANDS
from linli.workorders import queries as workorder_queries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    key: str  # a metric of METRICS, or a figure derived from them (avg minutes, collection rate)
    label: object
    how: str  # the metric whose "how is this computed" page explains it
    flow: bool = False  # summed over the period; else a stock of the latest computed day

    @property
    def people(self) -> bool:
        return METRICS[self.how].people and self.key == self.how


def _col(key: str, label, how: str = "", flow: bool = False) -> Column:
    return Column(key, label, how or key, flow)


COLUMNS = (
    _col("population.real", _("实有人口")),
    _col("population.floating", _("流动人口")),
    _col("population.tenants", _("租住人口")),
    _col("population.households", _("实住户数")),
    _col("housing.occupied", _("在住房屋")),
    _col("housing.vacant", _("空置房屋")),
    _col("housing.rented", _("出租房屋")),
    _col("requests.opened", _("新增事件与报修"), flow=True),
    _col("requests.resolved", _("办结"), flow=True),
    _col("requests.avg_minutes", _("平均办结用时（分钟）"), "requests.resolve_minutes", flow=True),
    _col("requests.overdue", _("超时未办结")),
    _col("alarms.raised", _("新增告警"), flow=True),
    _col("alarms.active", _("未恢复告警")),
    _col("fees.rate", _("本月收缴率（%）"), "fees.paid"),
    _col("satisfaction.score", _("满意度")),
)
BY_KEY = {c.key: c for c in COLUMNS}
PEOPLE = tuple(c.key for c in COLUMNS if c.people)
# What a building (and so a grid) has figures of: the daily job keeps these per building.
PART_COLUMNS = (
    "population.real",
    "population.floating",
    "housing.occupied",
    "housing.vacant",
    "housing.rented",
    "requests.opened",
    "requests.resolved",
    "requests.avg_minutes",
)
PART_PEOPLE = tuple(k for k in PART_COLUMNS if k in PEOPLE)

STOCKS = (
    "population.real",
    "population.floating",
    "population.tenants",
    "population.households",
    "housing.occupied",
    "housing.vacant",
    "housing.rented",
    "requests.overdue",
    "fees.due",
    "fees.paid",
    "satisfaction.score",
)
FLOWS = ("requests.opened", "requests.resolved", "requests.resolve_minutes")
AGE_UNKNOWN = {"unknown": _("出生日期未登记")}
BREAKDOWN_STOCKS = ("population.age", "population.special", "alarms.active")
BREAKDOWN_FLOWS = ("requests.opened", "requests.resolved", "requests.resolve_minutes", "alarms.raised")


@dataclass(frozen=True)
class Cell:
    value: int | float | None  # None: not shown
    note: str = ""  # why not: "<5" (small itself) or "*" (hidden to protect a small one)


@dataclass
class Row:
    id: int | str
    name: str
    cells: dict[str, Cell]


@dataclass
class Street:
    district: str
    street: str
    total: Row
    communities: list[Row]

    @property
    def id(self) -> str:
        return f"{self.district}/{self.street}"

    @property
    def name(self) -> str:
        return f"{self.district}{self.street}" if self.street else f"{self.district}{_('（未填街道）')}"


@dataclass
class Streets:
    day: date | None  # the stocks' day
    period: Period
    streets: list[Street]


@dataclass
class Breakdown:
    """One breakdown of a community's figures (age bands, categories): [(key, {column: Cell})]."""

    title: object
    how: str
    columns: list[tuple[str, object]]  # (key, label)
    rows: list[tuple[str, dict[str, Cell]]]


@dataclass
class CommunityFigures:
    id: int
    name: str
    district: str
    street: str
    day: date | None
    period: Period
    row: Row
    grids: list[Row]
    buildings: list[Row]
    grid_buildings: dict[int, frozenset[int]]
    breakdowns: list[Breakdown] = field(default_factory=list)

    def grid(self, grid_id: int) -> Row:
        found = next((g for g in self.grids if g.id == grid_id), None)
        if found is None:
            raise NotFound()
        return found

    def building(self, building_id: int) -> Row:
        found = next((b for b in self.buildings if b.id == building_id), None)
        if found is None:
            raise NotFound()
        return found

    def buildings_of(self, grid_id: int) -> list[Row]:
        members = self.grid_buildings.get(grid_id, frozenset())
        return [b for b in self.buildings if b.id in members]


# --- the street list -------------------------------------------------------------------------


@reading_from_replica()
def streets(user, period: Period, *, only: tuple[str, str] | None = None) -> Streets:
    """The user's streets (district + street of the communities their stats.view covers), each
    with its total and its communities; `only` (district, street): that street alone."""
    covered = queries.stats_communities(user)
    if only is not None:
        covered = covered.filter(district=only[0], street=only[1])
    communities = list(covered.values_list("id", "name", "district", "street"))
    day, raw = _community_figures([c[0] for c in communities], period, covered)
    by_street: dict[tuple[str, str], list] = defaultdict(list)
    for c in communities:
        by_street[(c[2], c[3])].append(c)
    found = []
    for (district, street), members in by_street.items():
        rows, total = _street_rows(members, raw)
        found.append(Street(district, street, total, rows))
    return Streets(day, period, found)


def _community_figures(
    ids: list[int], period: Period, among: queries.Communities | None = None
) -> tuple[date | None, dict[int, dict[str, int]]]:
    """{community id: {metric: value}} of the whole communities (part ""): stocks of the latest
    computed day, flows summed over the period. `among`: the same communities as a query, for
    the database to read (a thousand ids are slower to write into a statement than to read)."""
    among = ids if among is None else among
    day, stocks = queries.stocks(among, (*STOCKS, "alarms.active"), part="")
    flows = queries.flows(among, (*FLOWS, "alarms.raised"), period.since, period.until, part="")
    raw: dict[int, dict[str, int]] = {c: {} for c in ids}
    for source in (stocks, flows):
        for (c, metric, _part), value in source.items():
            raw[c][metric] = value
    return day, raw


def _street_rows(members: list, raw: dict[int, dict[str, int]]) -> tuple[list[Row], Row]:
    """The communities of one street and its total; people suppressed across the street."""
    shown = {key: suppression.partition({c[0]: raw[c[0]].get(key, 0) for c in members}) for key in PEOPLE}
    rows = [Row(c[0], c[1], _cells(raw[c[0]], {k: shown[k][c[0]] for k in PEOPLE}, COLUMNS)) for c in members]
    summed = _sum(raw[c[0]] for c in members)
    total_people = {k: None if suppression.small(summed.get(k, 0)) else summed.get(k, 0) for k in PEOPLE}
    return rows, Row("", str(_("合计")), _cells(summed, total_people, COLUMNS))


def _sum(figures: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for one in figures:
        for metric, value in one.items():
            total[metric] += value
    return dict(total)


def _cells(raw: dict[str, int], people: dict, columns: Iterable) -> dict[str, Cell]:
    """The row's cells from its raw figures: people as suppressed (`people`), the rest as they
    are, and the derived ones (average minutes, collection rate) computed."""
    keys = [c.key if isinstance(c, Column) else c for c in columns]
    cells: dict[str, Cell] = {}
    for key in keys:
        if key in people:
            value = raw.get(key, 0)
            cells[key] = Cell(people[key], suppression.note(value, people[key]))
        elif key == "requests.avg_minutes":
            done = raw.get("requests.resolved", 0)
            cells[key] = Cell(round(raw.get("requests.resolve_minutes", 0) / done) if done else None)
        elif key == "fees.rate":
            due = raw.get("fees.due", 0)
            cells[key] = Cell(round(raw.get("fees.paid", 0) * 100 / due, 1) if due else None)
        else:
            cells[key] = Cell(raw.get(key))
    return cells


# --- one community, its grids and buildings -------------------------------------------------


@reading_from_replica()
def community(user, community_id: int, period: Period) -> CommunityFigures:
    """A community's figures with its grids and buildings; out of the user's stats scope: 404."""
    found = (
        queries.stats_communities(user)
        .filter(pk=community_id)
        .values_list("id", "name", "district", "street")
    )
    if not found:
        raise NotFound()
    cid, name, district, street = found[0]
    # The community's cell is the one its street gives it, whatever page shows it.
    neighbours = list(
        queries.stats_communities(user).filter(district=district, street=street).values_list("id", "name")
    )
    day, raw = _community_figures([c[0] for c in neighbours], period)
    rows, _total = _street_rows([(c, n, district, street) for c, n in neighbours], raw)
    row = next(r for r in rows if r.id == cid)
    figures = CommunityFigures(cid, name, district, street, day, period, row, [], [], {})
    _fill_parts(figures, row)
    figures.breakdowns = _breakdowns(cid, row, period)
    return figures


def _fill_parts(figures: CommunityFigures, row: Row) -> None:
    cid, period = figures.id, figures.period
    names = dict(registry_queries.buildings_of(cid))
    _day, stocks = queries.stocks([cid], STOCKS, on=figures.day, part="building:")
    flows = queries.flows([cid], FLOWS, period.since, period.until, part="building:")
    raw: dict[int, dict[str, int]] = {b: {} for b in names}
    for source in (stocks, flows):
        for (_c, metric, part), value in source.items():
            building_id = int(part.removeprefix("building:"))
            if building_id in raw:
                raw[building_id][metric] = value
    people: dict[int, dict[str, int | None]] = {b: {} for b in names}
    for key in PART_PEOPLE:
        cells = suppression.partition({b: raw[b].get(key, 0) for b in names})
        for b, shown in suppression.under(row.cells[key].value is not None, cells).items():
            people[b][key] = shown
    figures.buildings = [Row(b, names[b], _cells(raw[b], people[b], PART_COLUMNS)) for b in names]

    grids = dict(grid_queries.grids_of_community(cid))
    members = {
        g: frozenset(bs & names.keys()) for g, bs in grid_queries.buildings_of_grids(set(grids)).items()
    }
    figures.grid_buildings = members
    grid_people: dict[int, dict[str, int | None]] = {g: {} for g in grids}
    for key in PART_PEOPLE:
        atoms = {b: raw[b].get(key, 0) for b in names}
        shown = suppression.over_shown_atoms(members, atoms, {b: people[b][key] for b in names})
        for g, value in suppression.under(row.cells[key].value is not None, shown).items():
            grid_people[g][key] = value
    figures.grids = [
        Row(g, grids[g], _cells(_sum(raw[b] for b in members[g]), grid_people[g], PART_COLUMNS))
        for g in grids
    ]


def _breakdowns(cid: int, row: Row, period: Period) -> list[Breakdown]:
    _day, stocks = queries.stocks([cid], BREAKDOWN_STOCKS, on=None, part=None)
    flows = queries.flows([cid], BREAKDOWN_FLOWS, period.since, period.until)
    by: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)  # (metric, dimension) → {value: n}
    for source in (stocks, flows):
        for (_c, metric, part), value in source.items():
            dimension, _sep, key = part.partition(":")
            if key and dimension != "building":
                by[(metric, dimension)][key] = value
    population_shown = row.cells["population.real"].value is not None
    # In the bands' own order and the care kinds' (the figures come sorted by their part's text).
    ages = _in_order(
        by[("population.age", "band")], [*(label for label, _low, _high in AGE_BANDS), *AGE_UNKNOWN]
    )
    shown_ages = suppression.under(population_shown, suppression.partition(ages))
    special = _in_order(by[("population.special", "kind")], CareKind.values)
    shown_special = suppression.under(population_shown, suppression.partition(special, total_shown=False))
    found = [
        _people_breakdown(
            _("年龄段"), "population.age", ages, shown_ages, {k: f"{k}岁" for k in ages} | AGE_UNKNOWN
        ),
        _people_breakdown(
            _("特殊人群"), "population.special", special, shown_special, dict(CareKind.choices)
        ),
    ]
    kinds = workorder_queries.kind_labels()
    for dimension, title in (("category", _("事件与报修（按类别）")), ("kind", _("事件与报修（按类型）"))):
        keys = sorted(set(by[("requests.opened", dimension)]) | set(by[("requests.resolved", dimension)]))
        found.append(
            Breakdown(
                title,
                "requests.opened",
                [
                    (k, BY_KEY[k].label)
                    for k in ("requests.opened", "requests.resolved", "requests.avg_minutes")
                ],
                [
                    (
                        kinds.get(key, key) if dimension == "kind" else key,
                        _cells(
                            {m: by[(m, dimension)].get(key, 0) for m in FLOWS},
                            {},
                            ("requests.opened", "requests.resolved", "requests.avg_minutes"),
                        ),
                    )
                    for key in keys
                ],
            )
        )
    severities = iot_queries.severity_labels()
    for dimension, title in (("severity", _("告警（按级别）")), ("type", _("告警（按类型）"))):
        metrics = ("alarms.raised", "alarms.active") if dimension == "severity" else ("alarms.raised",)
        keys = sorted(set().union(*(by[(m, dimension)] for m in metrics)))
        found.append(
            Breakdown(
                title,
                "alarms.raised",
                [(m, BY_KEY[m].label) for m in metrics],
                [
                    (severities.get(key, key), {m: Cell(by[(m, dimension)].get(key, 0)) for m in metrics})
                    for key in keys
                ],
            )
        )
    return found


def _in_order(found: dict[str, int], order: Iterable[str]) -> dict[str, int]:
    """`found` with the keys of `order` first, in that order, then any others as they came."""
    first = {key: found[key] for key in order if key in found}
    return first | {key: value for key, value in found.items() if key not in first}


def _people_breakdown(title, metric: str, raw: dict[str, int], shown: dict, labels: dict) -> Breakdown:
    return Breakdown(
        title,
        metric,
        [("n", _("人数"))],
        [
            (str(labels.get(key, key)), {"n": Cell(shown[key], suppression.note(value, shown[key]))})
            for key, value in raw.items()
        ],
    )


# --- refusals ----------------------------------------------------------------------------------


def showable(user, figures: CommunityFigures, row: Row, what: str) -> Row:
    """A grid or building asked for directly: refused when none of its people figures may be
    shown (it would only say "<5" about a handful of households), and the attempt is logged."""
    if any(row.cells[key].value is not None for key in PART_PEOPLE):
        return row
    log.warning("refused too_few_to_show: user=%s community=%s %s=%s", user.pk, figures.id, what, row.id)
    raise ServiceError(
        "too_few_to_show",
        _("该范围人数过少（每项不足 %(n)s 人），为保护个人隐私不予显示") % {"n": suppression.THRESHOLD},
        status=403,
    )
