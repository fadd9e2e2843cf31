"""Rule documents (docs/rules.md): checked once when saved or imported, so that the engine
never meets a malformed condition at ten thousand messages a second.

Errors name the field by its path (`condition.all.1.for_s`) and say what is wrong in the
user's language."""

import math
import re

from django.utils.translation import gettext_lazy as _

KEY = re.compile(r"^[a-z][a-z0-9_.:]{0,39}$")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
OPS = (">", ">=", "<", "<=", "==", "!=")
SEVERITIES = ("critical", "major", "minor", "warning")
PRIORITIES = ("low", "normal", "high", "urgent")
BROADCAST_PRIORITIES = ("normal", "high", "emergency")
MAX_CHILDREN, MAX_DEPTH, MAX_PARAMS, MAX_ACTIONS, MAX_RULES = 10, 4, 20, 10, 500
WEEK = 7 * 86400

LEAVES = {
    "threshold": ("key", "op", "value"),
    "duration": ("key", "op", "value", "for_s"),
    "repeat": ("key", "op", "value", "times"),
    "rate": ("key", "op", "value", "per_s"),
    "no_data": ("for_s",),
    "schedule": ("days", "from", "to"),
}
OPTIONAL = {"schedule": {"days"}}
LIMITS = {"for_s": (1, WEEK), "times": (2, 1000), "per_s": (1, 86400)}


class RuleSpecError(Exception):
    def __init__(self, field: str, message):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _number(value, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RuleSpecError(field, _("应为数字"))
    return float(value)


def _value(value, field: str):
    if isinstance(value, dict):
        if set(value) != {"param"} or not isinstance(value["param"], str) or not NAME.match(value["param"]):
            raise RuleSpecError(field, _('参数引用应为 {"param": "名称"}'))
        return {"param": value["param"]}
    return _number(value, field)


def _clock(value, field: str) -> str:
    match = re.match(r"^(\d{1,2}):(\d{2})$", value) if isinstance(value, str) else None
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise RuleSpecError(field, _("时间应为 HH:MM"))
    return f"{int(match[1]):02d}:{match[2]}"


def _leaf(cond: dict, path: str) -> dict:
    kind = cond["type"]
    fields = LEAVES.get(kind)
    if fields is None:
        raise RuleSpecError(f"{path}.type", _("未知的条件类型"))
    unknown = set(cond) - {"type", *fields}
    if unknown:
        raise RuleSpecError(f"{path}.{sorted(unknown)[0]}", _("未知字段"))
    missing = [f for f in fields if f not in cond and f not in OPTIONAL.get(kind, ())]
    if missing:
        raise RuleSpecError(f"{path}.{missing[0]}", _("必填"))
    out: dict = {"type": kind}
    if "key" in fields:
        if not isinstance(cond["key"], str) or not KEY.match(cond["key"]):
            raise RuleSpecError(f"{path}.key", _("遥测项名称无效"))
        if cond["op"] not in OPS:
            raise RuleSpecError(f"{path}.op", _("比较符应为 > >= < <= == !="))
        out.update(key=cond["key"], op=cond["op"], value=_value(cond["value"], f"{path}.value"))
    for name, (lo, hi) in LIMITS.items():
        if name in fields:
            number = _number(cond[name], f"{path}.{name}")
            if not lo <= number <= hi or number != int(number):
                raise RuleSpecError(
                    f"{path}.{name}", _("应为%(lo)s到%(hi)s之间的整数") % {"lo": lo, "hi": hi}
                )
            out[name] = int(number)
    if kind == "schedule":
        days = cond.get("days", [1, 2, 3, 4, 5, 6, 7])
        if (
            not isinstance(days, list)
            or not days
            or any(d not in range(1, 8) or isinstance(d, bool) for d in days)
        ):
            raise RuleSpecError(f"{path}.days", _("星期应为1到7"))
        out.update(
            days=sorted(set(days)),
            **{"from": _clock(cond["from"], f"{path}.from"), "to": _clock(cond["to"], f"{path}.to")},
        )
    return out


def _condition(cond, path: str, depth: int) -> dict:
    if not isinstance(cond, dict):
        raise RuleSpecError(path, _("条件应为对象"))
    for combinator in ("all", "any"):
        if combinator in cond:
            children = cond[combinator]
            if len(cond) != 1 or not isinstance(children, list) or not 1 <= len(children) <= MAX_CHILDREN:
                raise RuleSpecError(f"{path}.{combinator}", _("组合条件应有1到10个子条件"))
            if depth >= MAX_DEPTH:
                raise RuleSpecError(path, _("条件嵌套过深"))
            return {
                combinator: [
                    _condition(c, f"{path}.{combinator}.{i}", depth + 1) for i, c in enumerate(children)
                ]
            }
    if "type" not in cond:
        raise RuleSpecError(f"{path}.type", _("必填"))
    return _leaf(cond, path)


def validate_condition(cond) -> dict:
    return _condition(cond, "condition", 0)


def validate_params(params) -> dict:
    if not isinstance(params, dict) or len(params) > MAX_PARAMS:
        raise RuleSpecError("params", _("参数应为不超过20项的对象"))
    out = {}
    for name, value in params.items():
        if not isinstance(name, str) or not NAME.match(name):
            raise RuleSpecError(f"params.{str(name)[:40]}", _("参数名称无效"))
        out[name] = _number(value, f"params.{name}")
    return out


def _text(value, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise RuleSpecError(field, _("应为1到%(n)s个字") % {"n": limit})
    return value.strip()


def _area(action: dict, path: str) -> str:
    """Where a broadcast is heard or whose residents are told: the alarm's building (the whole
    community for a device outside any building), or the whole community."""
    area = action.get("area", "building")
    if area not in ("building", "community"):
        raise RuleSpecError(f"{path}.area", _("范围应为 building 或 community"))
    return area


def _action(action, path: str) -> dict:
    kind = action.get("type") if isinstance(action, dict) else None
    if kind in ("work_order", "incident"):
        out = {"type": kind, "category": _text(action.get("category"), f"{path}.category", 40)}
        if "priority" in action:
            if action["priority"] not in PRIORITIES:
                raise RuleSpecError(f"{path}.priority", _("优先级无效"))
            out["priority"] = action["priority"]
        return out
    if kind == "notify":
        roles = action.get("roles")
        if not isinstance(roles, list) or not 1 <= len(roles) <= 10:
            raise RuleSpecError(f"{path}.roles", _("应为1到10个角色"))
        return {"type": kind, "roles": [_text(r, f"{path}.roles", 40) for r in roles]}
    if kind == "command":
        params = action.get("params") or {}
        if not isinstance(params, dict) or len(params) > 10:
            raise RuleSpecError(f"{path}.params", _("指令参数应为不超过10项的对象"))
        return {
            "type": kind,
            "target": _text(action.get("target"), f"{path}.target", 80),
            "name": _text(action.get("name"), f"{path}.name", 40),
            "params": params,
        }
    if kind == "residents":
        return {
            "type": kind,
            "area": _area(action, path),
            "text": _text(action.get("text"), f"{path}.text", 200),
        }
    if kind == "broadcast":
        area = _area(action, path)
        if action.get("priority", "normal") not in BROADCAST_PRIORITIES:
            raise RuleSpecError(f"{path}.priority", _("广播级别无效"))
        return {
            "type": kind,
            "area": area,
            "text": _text(action.get("text"), f"{path}.text", 200),
            "priority": action.get("priority", "normal"),
        }
    raise RuleSpecError(f"{path}.type", _("未知的动作类型"))


def validate_actions(actions) -> list:
    if not isinstance(actions, list) or len(actions) > MAX_ACTIONS:
        raise RuleSpecError("actions", _("动作应为不超过10项的列表"))
    return [_action(a, f"actions.{i}") for i, a in enumerate(actions)]


def params_used(cond: dict) -> set[str]:
    if "all" in cond or "any" in cond:
        return set().union(*(params_used(c) for c in cond.get("all") or cond.get("any")))
    value = cond.get("value")
    return {value["param"]} if isinstance(value, dict) else set()


def validate_rule(doc) -> dict:
    if not isinstance(doc, dict):
        raise RuleSpecError("rule", _("规则应为对象"))
    known = {"name", "alarm_type", "severity", "condition", "params", "actions", "auto_clear", "enabled"}
    unknown = set(doc) - known
    if unknown:
        raise RuleSpecError(sorted(unknown)[0], _("未知字段"))
    if not isinstance(doc.get("alarm_type"), str) or not NAME.match(doc["alarm_type"]):
        raise RuleSpecError("alarm_type", _("告警类型应为小写字母、数字和下划线"))
    if doc.get("severity") not in SEVERITIES:
        raise RuleSpecError("severity", _("级别应为 critical、major、minor 或 warning"))
    condition = validate_condition(doc.get("condition"))
    params = validate_params(doc.get("params") or {})
    missing = sorted(params_used(condition) - set(params))
    if missing:
        raise RuleSpecError(f"params.{missing[0]}", _("条件引用的参数缺少默认值"))
    for flag in ("auto_clear", "enabled"):
        if not isinstance(doc.get(flag, True), bool):
            raise RuleSpecError(flag, _("应为 true 或 false"))
    return {
        "name": _text(doc.get("name"), "name", 60),
        "alarm_type": doc["alarm_type"],
        "severity": doc["severity"],
        "condition": condition,
        "params": params,
        "actions": validate_actions(doc.get("actions") or []),
        "auto_clear": doc.get("auto_clear", True),
        "enabled": doc.get("enabled", True),
    }


def validate_export(doc) -> dict:
    if not isinstance(doc, dict) or doc.get("version") != 1 or not isinstance(doc.get("rules"), list):
        raise RuleSpecError("version", _('规则文件应为 {"version": 1, "rules": [...]}'))
    if len(doc["rules"]) > MAX_RULES:
        raise RuleSpecError("rules", _("一次最多导入500条规则"))
    out = []
    for i, rule in enumerate(doc["rules"]):
        try:
            out.append(validate_rule(rule))
        except RuleSpecError as e:
            raise RuleSpecError(f"rules.{i}.{e.field}", e.message) from None
    return {"version": 1, "rules": out}


def time_based(cond: dict) -> bool:
    """Whether the condition can change with time alone (it needs the worker's ticks)."""
    if "all" in cond or "any" in cond:
        return any(time_based(c) for c in cond.get("all") or cond.get("any"))
    return cond["type"] in ("duration", "no_data", "schedule")
