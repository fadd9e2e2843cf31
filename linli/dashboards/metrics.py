"""The catalogue of figures the daily job writes (`DailyFigure.metric`): what each means and how
it is computed, for the government view's "how is this computed" links, reports and the
data-sharing schemas. `people=True` marks a count of people: a cell under the suppression
threshold is never shown (docs/dashboards.md)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    how: str
    people: bool = False
    # A stock is a reading of the day (population, houses); a flow adds up over days (passages).
    stock: bool = False


def _m(key, label, unit, how, **kw) -> Metric:
    return Metric(key, label, unit, how, **kw)


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        _m(
            "population.real",
            _("实有人口"),
            pgettext_lazy("unit", "人"),
            _("当日在本社区居住（居住关系有效且在此居住）的不同人员数"),
            people=True,
            stock=True,
        ),
        _m(
            "population.floating",
            _("流动人口"),
            pgettext_lazy("unit", "人"),
            _("实有人口中户籍不在本地的人数"),
            people=True,
            stock=True,
        ),
        _m(
            "population.tenants",
            _("租住人口"),
            pgettext_lazy("unit", "人"),
            _("实有人口中以租客身份居住的人数"),
            people=True,
            stock=True,
        ),
        _m("population.households", _("实住户数"), _("户"), _("有人居住的房屋数"), stock=True),
        _m(
            "population.age",
            _("年龄段人口"),
            pgettext_lazy("unit", "人"),
            _("实有人口按出生日期分年龄段计数（分项 band:0-5 等）"),
            people=True,
            stock=True,
        ),
        _m(
            "population.special",
            _("特殊人群"),
            pgettext_lazy("unit", "人"),
            _("实有人口中有有效关爱标签（本人同意）的人数，按类型（分项 kind:…）"),
            people=True,
            stock=True,
        ),
        _m("housing.houses", _("住宅总数"), _("套"), _("类型为住宅的房屋数"), stock=True),
        _m("housing.occupied", _("在住"), _("套"), _("有人居住的住宅数（自住与出租）"), stock=True),
        _m("housing.rented", _("出租"), _("套"), _("有租客居住的住宅数（在住的一部分）"), stock=True),
        _m("housing.vacant", _("空置"), _("套"), _("无人居住的住宅数（住宅总数 − 在住）"), stock=True),
        _m("flows.people_in", _("人员进入"), _("人次"), _("当日门禁放行的进入记录（不含车牌识别）")),
        _m("flows.people_out", _("人员外出"), _("人次"), _("当日门禁放行的外出记录（不含车牌识别）")),
        _m("flows.vehicles_in", _("车辆进入"), _("车次"), _("当日道闸车牌识别放行的进入记录")),
        _m("flows.vehicles_out", _("车辆驶出"), _("车次"), _("当日道闸车牌识别放行的驶出记录")),
        _m(
            "requests.opened",
            _("新增事件与报修"),
            _("件"),
            _("当日新建的报修、投诉与网格事件，按类别（category:…）、类型（kind:…）与楼栋"),
        ),
        _m("requests.resolved", _("办结"), _("件"), _("当日办结的报修与事件，按类别、类型与楼栋")),
        _m(
            "requests.resolve_minutes",
            _("办结用时合计"),
            _("分钟"),
            _("当日办结的事件从创建到办结的分钟数之和；平均用时 = 合计 ÷ 办结数"),
        ),
        _m("requests.open", _("未办结"), _("件"), _("当日结束时仍未办结的报修与事件"), stock=True),
        _m("requests.overdue", _("超时"), _("件"), _("未办结且已超过响应或办结时限的"), stock=True),
        _m(
            "alarms.raised",
            _("新增告警"),
            _("条"),
            _("当日首次触发的设备告警，按级别（severity:…）与类型（type:…）"),
        ),
        _m("alarms.active", _("未恢复告警"), _("条"), _("当日结束时仍在告警中的，按级别"), stock=True),
        _m("devices.total", _("设备总数"), _("台"), _("已登记的物联网设备"), stock=True),
        _m("devices.online", _("在线设备"), _("台"), _("当时在线的设备"), stock=True),
        _m(
            "fees.due",
            _("本月应收"),
            pgettext_lazy("money", "分"),
            _("计费期从本月开始的账单应收合计（作废账单除外）"),
            stock=True,
        ),
        _m(
            "fees.paid",
            _("本月实收"),
            pgettext_lazy("money", "分"),
            _("上述账单已收合计；收缴率 = 实收 ÷ 应收"),
            stock=True,
        ),
        _m(
            "satisfaction.score",
            _("满意度"),
            _("分"),
            _("最近一年满意度调查各维度得分的平均（0–100）"),
            stock=True,
        ),
    )
}
