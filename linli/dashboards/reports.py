"""Monthly reports (DASH-3): what each report holds for one community and month, from the daily
figures (`queries.stocks`, `flows`, `series`) and, for votes and satisfaction, engage's own
aggregates. A report is tables, charts and the "how is this computed" of each figure; the
renderers (`report_xlsx`, `report_pdf`) only lay it out.

Stocks (population, houses, fees, open requests) are read as of the month's last computed day;
flows (requests, alarms) are summed over the month. Counts of people are suppressed as
everywhere else (`suppression`): a hidden cell reads "<5", or "*" when it is hidden so that a
small one cannot be worked out from it."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.dbrouter import reading_from_replica
from linli.core.roles import Action
from linli.core.shell.formatting import yuan
from linli.dashboards import gov_period, queries, suppression
from linli.dashboards.metrics import METRICS
from linli.dashboards.models import MonthlyReport
from linli.engage import queries_surveys, queries_votes
from linli.registry import queries as registry_queries
from linli.registry.choices import CareKind
from linli.registry.queries import AGE_BANDS

HIDDEN = "<5"
Value = int | str | None


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Value]]


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # "bar" or "line"
    categories: list[str]
    series: list[tuple[str, list[int | None]]]  # (name, one value per category; None: hidden)


@dataclass
class Report:
    kind: str
    title: str
    community: str
    month: date
    until: date  # the last day the report covers (today, in the current month)
    as_of: date | None = None  # the day stocks were read on
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)  # the figures used, for "how computed"

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.month:%Y-%m}"

    def how(self) -> Table:
        return Table(
            str(_("口径说明")),
            [str(_("指标")), str(_("单位")), str(_("计算方法"))],
            [[str(METRICS[m].label), str(METRICS[m].unit), str(METRICS[m].how)] for m in self.metrics],
        )


def days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def issued_kinds(user, community_id: int, month: date) -> set[str]:
    """The kinds the monthly job issued for the community and month (`MonthlyReport`)."""
    found = MonthlyReport.objects.restrict(user, Action.STATS_VIEW).filter(
        community_id=community_id, month=month
    )
    return set(found.values_list("kind", flat=True))


# --- the reports ---------------------------------------------------------------------------------


@reading_from_replica()
def build(kind: str, community_id: int, community_name: str, month: date) -> Report:
    title, builder = KINDS[kind]
    until = min(gov_period.last_day(month), timezone.localdate())
    report = Report(kind, str(title), community_name, month, until)
    builder(report, community_id)
    return report


def _shown(value: int | None, raw: int | None = None) -> Value:
    """A cell as the report prints it: hidden, "<5" when small itself, "*" when hidden so that a
    small one cannot be worked out (`raw` given)."""
    if value is not None:
        return value
    return HIDDEN if raw is None else suppression.note(raw, None)


def _people(value: int) -> int | None:
    return None if suppression.small(value) else value


def _daily(community_id: int, metric: str, report: Report, parts: Iterable[str] = ("",)) -> list[int]:
    """One value per day of the month (the parts added up), 0 on a day without a figure."""
    total = dict.fromkeys(days(report.month, report.until), 0)
    for part in parts:
        for day, value in queries.series([community_id], metric, report.month, report.until, part=part):
            total[day] += value
    return list(total.values())


def _day_labels(report: Report) -> list[str]:
    return [f"{d.day}" for d in days(report.month, report.until)]


def _stocks(report: Report, community_id: int, metrics: list[str]) -> dict[tuple[str, str], int]:
    report.as_of, found = queries.stocks([community_id], metrics, on=report.until)
    report.metrics += metrics
    return {(m, p): v for (_c, m, p), v in found.items()}


def _parts(found: dict[tuple[str, str], int], metric: str, prefix: str) -> dict[str, int]:
    return {p.removeprefix(prefix): v for (m, p), v in found.items() if m == metric and p.startswith(prefix)}


def population(report: Report, community_id: int) -> None:
    keys = ["population.real", "population.floating", "population.tenants", "population.households"]
    found = _stocks(report, community_id, [*keys, "population.age", "population.special"])
    real = found.get(("population.real", ""), 0)
    shown = {
        "population.real": _people(real),
        "population.households": found.get(("population.households", ""), 0),
    }
    for key in ("population.floating", "population.tenants"):
        # Against the real population: shown with its complement (the local, those not renting)
        # only when neither gives a small count away.
        part = found.get((key, ""), 0)
        shown[key] = (
            suppression.partition({key: part, "rest": real - part})[key] if shown["population.real"] else None
        )
    summary = [[str(METRICS[k].label), _shown(shown[k], found.get((k, ""), 0))] for k in keys]
    report.tables.append(Table(str(_("概况")), [str(_("指标")), str(_("数值"))], summary))

    bands = [label for label, _low, _high in AGE_BANDS] + ["unknown"]
    ages_found = _parts(found, "population.age", "band:")
    ages = suppression.partition({b: ages_found.get(b, 0) for b in bands})
    band_names = [str(_("不详")) if b == "unknown" else str(_("%(band)s岁") % {"band": b}) for b in bands]
    report.tables.append(
        Table(
            str(_("年龄段")),
            [str(_("年龄段")), str(_("人数"))],
            [
                [name, _shown(ages[b], ages_found.get(b, 0))]
                for name, b in zip(band_names, bands, strict=True)
            ],
        )
    )
    report.charts.append(
        Chart(str(_("年龄段人口")), "bar", band_names, [(str(_("人数")), [ages[b] for b in bands])])
    )

    special = _parts(found, "population.special", "kind:")
    kinds = suppression.partition({k: special.get(k, 0) for k in CareKind.values}, total_shown=False)
    report.tables.append(
        Table(
            str(_("特殊人群（本人同意登记的关爱对象）")),
            [str(_("类型")), str(_("人数"))],
            [[str(label), _shown(kinds[k], special.get(k, 0))] for k, label in CareKind.choices],
        )
    )

    names = dict(registry_queries.buildings_of(community_id))
    columns, raw = {}, {}
    for key in ("population.real", "population.floating"):
        by_building = _parts(found, key, "building:")
        raw[key] = {b: by_building.get(str(b), 0) for b in names}
        columns[key] = suppression.partition(raw[key])
    report.tables.append(
        Table(
            str(_("分楼栋")),
            [
                str(_("楼栋")),
                str(METRICS["population.real"].label),
                str(METRICS["population.floating"].label),
            ],
            [[name, *(_shown(columns[k][b], raw[k][b]) for k in columns)] for b, name in names.items()],
        )
    )

    series = [
        (str(METRICS[key].label), [_people(v) for v in _daily(community_id, key, report)])
        for key in ("population.real", "population.floating")
    ]
    report.charts.append(Chart(str(_("每日实有与流动人口")), "line", _day_labels(report), series))


def housing(report: Report, community_id: int) -> None:
    keys = ["housing.houses", "housing.occupied", "housing.rented", "housing.vacant"]
    found = _stocks(report, community_id, keys)
    labels = [str(METRICS[k].label) for k in keys]
    report.tables.append(
        Table(
            str(_("概况")),
            [str(_("指标")), str(_("套数"))],
            [[labels[i], found.get((k, ""), 0)] for i, k in enumerate(keys)],
        )
    )
    names = dict(registry_queries.buildings_of(community_id))
    rows = [[name, *(found.get((k, f"building:{b}"), 0) for k in keys)] for b, name in names.items()]
    report.tables.append(Table(str(_("分楼栋")), [str(_("楼栋")), *labels], rows))
    shown = keys[1:]
    report.charts.append(
        Chart(
            str(_("分楼栋房屋状况")),
            "bar",
            list(names.values()),
            [(str(METRICS[k].label), [found.get((k, f"building:{b}"), 0) for b in names]) for k in shown],
        )
    )


def fees(report: Report, community_id: int) -> None:
    found = _stocks(report, community_id, ["fees.due", "fees.paid"])
    due, paid = found.get(("fees.due", ""), 0), found.get(("fees.paid", ""), 0)
    rate = f"{paid * 100 / due:.1f}%" if due else "—"
    report.tables.append(
        Table(
            str(_("本月收缴")),
            [str(_("应收")), str(_("实收")), str(_("收缴率"))],
            [[yuan(due), yuan(paid), rate]],
        )
    )
    daily_paid = _daily(community_id, "fees.paid", report)
    report.tables.append(
        Table(
            str(_("每日累计实收")),
            [str(_("日期")), str(_("累计实收"))],
            [[str(d), yuan(v)] for d, v in zip(days(report.month, report.until), daily_paid, strict=True)],
        )
    )
    report.charts.append(
        Chart(
            str(_("每日累计实收（元）")),
            "line",
            _day_labels(report),
            [(str(_("实收")), [v // 100 for v in daily_paid])],
        )
    )


def workorders(report: Report, community_id: int) -> None:
    flows_ = ["requests.opened", "requests.resolved", "requests.resolve_minutes"]
    report.metrics += flows_
    found = {
        (m, p): v
        for (_c, m, p), v in queries.flows([community_id], flows_, report.month, report.until).items()
    }
    stock = _stocks(report, community_id, ["requests.open", "requests.overdue"])
    opened, resolved = found.get(("requests.opened", ""), 0), found.get(("requests.resolved", ""), 0)
    minutes = found.get(("requests.resolve_minutes", ""), 0)
    report.tables.append(
        Table(
            str(_("概况")),
            [str(_("指标")), str(_("数值"))],
            [
                [str(_("新增")), opened],
                [str(_("办结")), resolved],
                [str(_("平均办结用时（小时）")), f"{minutes / resolved / 60:.1f}" if resolved else "—"],
                [str(_("月末未办结")), stock.get(("requests.open", ""), 0)],
                [str(_("月末超时")), stock.get(("requests.overdue", ""), 0)],
            ],
        )
    )
    opened_by = _parts(found, "requests.opened", "category:")
    resolved_by = _parts(found, "requests.resolved", "category:")
    minutes_by = _parts(found, "requests.resolve_minutes", "category:")
    categories = sorted(set(opened_by) | set(resolved_by))
    report.tables.append(
        Table(
            str(_("按类别")),
            [str(_("类别")), str(_("新增")), str(_("办结")), str(_("平均办结用时（小时）"))],
            [
                [
                    c,
                    opened_by.get(c, 0),
                    resolved_by.get(c, 0),
                    f"{minutes_by.get(c, 0) / resolved_by[c] / 60:.1f}" if resolved_by.get(c) else "—",
                ]
                for c in categories
            ],
        )
    )
    report.charts.append(
        Chart(
            str(_("每日新增与办结")),
            "line",
            _day_labels(report),
            [
                (str(_("新增")), list(_daily(community_id, "requests.opened", report))),
                (str(_("办结")), list(_daily(community_id, "requests.resolved", report))),
            ],
        )
    )
    if categories:
        report.charts.append(
            Chart(
                str(_("按类别")),
                "bar",
                categories,
                [
                    (str(_("新增")), [opened_by.get(c, 0) for c in categories]),
                    (str(_("办结")), [resolved_by.get(c, 0) for c in categories]),
                ],
            )
        )


# iot's Severity labels, most urgent first (dashboards reads iot through its queries only).
SEVERITIES = {"critical": _("紧急"), "major": _("重要"), "minor": _("次要"), "warning": _("提示")}


def alarms(report: Report, community_id: int) -> None:
    report.metrics.append("alarms.raised")
    raised = {
        p: v
        for (_c, _m, p), v in queries.flows(
            [community_id], ["alarms.raised"], report.month, report.until
        ).items()
    }
    active = _parts(_stocks(report, community_id, ["alarms.active"]), "alarms.active", "severity:")
    by_severity = {s: raised.get(f"severity:{s}", 0) for s in SEVERITIES}
    report.tables.append(
        Table(
            str(_("按级别")),
            [str(_("级别")), str(_("本月新增")), str(_("月末未恢复"))],
            [[str(label), by_severity[s], active.get(s, 0)] for s, label in SEVERITIES.items()],
        )
    )
    by_type = sorted(
        ((p.removeprefix("type:"), v) for p, v in raised.items() if p.startswith("type:")),
        key=lambda r: -r[1],
    )
    report.tables.append(
        Table(str(_("按类型")), [str(_("类型")), str(_("本月新增"))], [list(r) for r in by_type])
    )
    severity_parts = [f"severity:{s}" for s in SEVERITIES]
    report.charts.append(
        Chart(
            str(_("每日新增告警")),
            "line",
            _day_labels(report),
            [(str(_("新增")), _daily(community_id, "alarms.raised", report, severity_parts))],
        )
    )
    report.charts.append(
        Chart(
            str(_("按级别")),
            "bar",
            [str(label) for label in SEVERITIES.values()],
            [(str(_("本月新增")), list(by_severity.values()))],
        )
    )


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def votes(report: Report, community_id: int) -> None:
    since = timezone.make_aware(datetime.combine(report.month, time.min))
    until = timezone.make_aware(datetime.combine(report.until + timedelta(days=1), time.min))
    found = queries_votes.turnout_between(community_id, since, until)
    status = {"open": _("投票中"), "closed": _("已结束")}
    report.tables.append(
        Table(
            str(_("本月进行的表决")),
            [str(_("表决事项")), str(_("状态")), str(_("参与户数")), str(_("户数占比")), str(_("面积占比"))],
            [
                [
                    v["title"],
                    str(status.get(v["status"], v["status"])),
                    f"{v['heads']}/{v['total_heads']}",
                    _share(v["heads"], v["total_heads"]),
                    _share(v["area_centi"], v["total_area_centi"]),
                ]
                for v in found
            ],
        )
    )
    if found:
        report.charts.append(
            Chart(
                str(_("参与率（%）")),
                "bar",
                [v["title"][:12] for v in found],
                [
                    (
                        str(_("户数")),
                        [v["heads"] * 100 // v["total_heads"] if v["total_heads"] else 0 for v in found],
                    ),
                    (
                        str(_("面积")),
                        [
                            v["area_centi"] * 100 // v["total_area_centi"] if v["total_area_centi"] else 0
                            for v in found
                        ],
                    ),
                ],
            )
        )


def satisfaction(report: Report, community_id: int) -> None:
    found = _stocks(report, community_id, ["satisfaction.score"])
    score = found.get(("satisfaction.score", ""))
    years = queries_surveys.satisfaction_by_year(community_id)
    report.tables.append(
        Table(str(_("当前满意度")), [str(_("得分（0–100）"))], [[score if score is not None else "—"]])
    )
    report.tables.append(
        Table(
            str(_("历年满意度调查")),
            [str(_("年份")), str(_("得分"))],
            [[y["year"], y["score"]] for y in years],
        )
    )
    if years:
        report.charts.append(
            Chart(
                str(_("历年满意度")),
                "line",
                [str(y["year"]) for y in years],
                [(str(_("得分")), [round(y["score"]) for y in years])],
            )
        )


KINDS: dict[str, tuple[str, Callable[[Report, int], None]]] = {
    "population": (_("人口报表"), population),
    "housing": (_("房屋报表"), housing),
    "fees": (_("收费报表"), fees),
    "workorders": (_("工单报表"), workorders),
    "alarms": (_("告警报表"), alarms),
    "votes": (_("表决报表"), votes),
    "satisfaction": (_("满意度报表"), satisfaction),
}
