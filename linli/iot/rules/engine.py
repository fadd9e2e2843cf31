"""Evaluating a rule's condition on a device's readings (IOT-3).

A condition is compiled once into a tree of small node objects; evaluating it on a reading
touches only plain dicts and floats. Its state (the last value of each key, timers, counters,
whether it held) is one JSON-serialisable dict, persisted with the readings, so a restart in the
middle of "above 50 ppm for 2 minutes" resumes where it stood.

`on_message` takes a reading, `on_tick` lets time pass without one (a duration running out
while the device stays quiet, silence, a schedule's window), and `step` turns "holds" into the
rising and falling edges that raise and clear an alarm.
"""

import operator
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

OPS = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
LOCAL = ZoneInfo("Asia/Shanghai")


class Transition(StrEnum):
    RAISE = "raise"
    CLEAR = "clear"


class Ctx:
    """One evaluation: the rule's parameters, its state, the reading (or None on a tick)."""

    __slots__ = ("last", "leaves", "params", "state", "ts", "values")

    def __init__(self, params: dict, state: dict, values: dict | None, ts: float):
        self.params = params
        self.state = state
        self.leaves = state.setdefault("l", {})
        self.last = state.setdefault("last", {})
        self.values = values
        self.ts = ts


class Leaf:
    __slots__ = ("id", "key", "op", "param", "value")

    def __init__(self, id_: str, cond: dict):
        self.id = id_
        self.key = cond.get("key")
        self.op = OPS.get(cond.get("op", "=="))
        value = cond.get("value")
        self.param = value["param"] if isinstance(value, dict) else None
        self.value = None if isinstance(value, dict) else value

    def limit(self, ctx: Ctx):
        return ctx.params.get(self.param) if self.param is not None else self.value

    def compare(self, value: float, ctx: Ctx) -> bool | None:
        limit = self.limit(ctx)
        return None if limit is None else self.op(value, limit)

    def fresh(self, ctx: Ctx):
        """This leaf's key in the reading, unless the reading is older than one already seen."""
        if ctx.values is None or self.key not in ctx.values:
            return None
        return ctx.values[self.key]

    def message(self, ctx: Ctx) -> bool:
        raise NotImplementedError

    def tick(self, ctx: Ctx) -> bool:
        return self.message(ctx)


class Threshold(Leaf):
    __slots__ = ()

    def message(self, ctx: Ctx) -> bool:
        last = ctx.last.get(self.key)
        return last is not None and bool(self.compare(last[0], ctx))


class Duration(Leaf):
    __slots__ = ("for_s",)

    def __init__(self, id_, cond):
        super().__init__(id_, cond)
        self.for_s = cond["for_s"]

    def message(self, ctx: Ctx) -> bool:
        value = self.fresh(ctx)
        mine = ctx.leaves.get(self.id)
        if value is not None:
            if self.compare(value, ctx):
                if mine is None:
                    mine = ctx.leaves[self.id] = ctx.ts
            else:
                ctx.leaves.pop(self.id, None)
                mine = None
        return mine is not None and ctx.ts - mine >= self.for_s

    def tick(self, ctx: Ctx) -> bool:
        since = ctx.leaves.get(self.id)
        return since is not None and ctx.ts - since >= self.for_s


class Repeat(Leaf):
    __slots__ = ("times",)

    def __init__(self, id_, cond):
        super().__init__(id_, cond)
        self.times = cond["times"]

    def message(self, ctx: Ctx) -> bool:
        value = self.fresh(ctx)
        if value is not None:
            ctx.leaves[self.id] = ctx.leaves.get(self.id, 0) + 1 if self.compare(value, ctx) else 0
        return ctx.leaves.get(self.id, 0) >= self.times

    def tick(self, ctx: Ctx) -> bool:
        return ctx.leaves.get(self.id, 0) >= self.times


class Rate(Leaf):
    __slots__ = ("per_s",)

    def __init__(self, id_, cond):
        super().__init__(id_, cond)
        self.per_s = cond["per_s"]

    def message(self, ctx: Ctx) -> bool:
        value = self.fresh(ctx)
        mine = ctx.leaves.get(self.id)  # [previous value, its time, the last rate]
        if value is not None:
            if mine is None:
                mine = ctx.leaves[self.id] = [value, ctx.ts, None]
            elif ctx.ts > mine[1]:
                mine[2] = (value - mine[0]) / (ctx.ts - mine[1]) * self.per_s
                mine[0], mine[1] = value, ctx.ts
        return mine is not None and mine[2] is not None and bool(self.compare(mine[2], ctx))

    def tick(self, ctx: Ctx) -> bool:
        mine = ctx.leaves.get(self.id)
        return mine is not None and mine[2] is not None and bool(self.compare(mine[2], ctx))


class NoData(Leaf):
    __slots__ = ("for_s",)

    def __init__(self, id_, cond):
        super().__init__(id_, cond)
        self.for_s = cond["for_s"]

    def message(self, ctx: Ctx) -> bool:
        return False  # it just spoke

    def tick(self, ctx: Ctx) -> bool:
        seen = ctx.state.get("seen")
        return seen is not None and ctx.ts - seen >= self.for_s


class Schedule(Leaf):
    __slots__ = ("days", "end", "start")

    def __init__(self, id_, cond):
        super().__init__(id_, cond)
        self.days = frozenset(cond.get("days", range(1, 8)))
        self.start = _minutes(cond["from"])
        self.end = _minutes(cond["to"])

    def message(self, ctx: Ctx) -> bool:
        local = datetime.fromtimestamp(ctx.ts, UTC).astimezone(LOCAL)
        now = local.hour * 60 + local.minute
        weekday = local.isoweekday()
        if self.start <= self.end:
            return weekday in self.days and self.start <= now < self.end
        # crossing midnight: the window belongs to the day it starts on
        return (weekday in self.days and now >= self.start) or (
            (weekday - 2) % 7 + 1 in self.days and now < self.end
        )


def _minutes(clock: str) -> int:
    hour, minute = clock.split(":")
    return int(hour) * 60 + int(minute)


class All:
    __slots__ = ("children",)

    def __init__(self, children):
        self.children = children

    def message(self, ctx: Ctx) -> bool:
        results = [c.message(ctx) for c in self.children]  # every child keeps its own state
        return all(results)

    def tick(self, ctx: Ctx) -> bool:
        return all([c.tick(ctx) for c in self.children])


class Any(All):
    __slots__ = ()

    def message(self, ctx: Ctx) -> bool:
        return any([c.message(ctx) for c in self.children])

    def tick(self, ctx: Ctx) -> bool:
        return any([c.tick(ctx) for c in self.children])


LEAF_TYPES = {
    "threshold": Threshold,
    "duration": Duration,
    "repeat": Repeat,
    "rate": Rate,
    "no_data": NoData,
    "schedule": Schedule,
}


class Compiled:
    __slots__ = ("keys", "root")

    def __init__(self, root, keys: frozenset):
        self.root = root
        self.keys = keys


def _build(cond: dict, path: str, keys: set):
    for name, kind in (("all", All), ("any", Any)):
        if name in cond:
            return kind([_build(c, f"{path}.{i}", keys) for i, c in enumerate(cond[name])])
    if "key" in cond:
        keys.add(cond["key"])
    return LEAF_TYPES[cond["type"]](path, cond)


def compile(cond: dict) -> Compiled:
    keys: set = set()
    root = _build(cond, "0", keys)
    return Compiled(root, frozenset(keys))


def _compiled(cond) -> Compiled:
    return cond if isinstance(cond, Compiled) else compile(cond)


def on_message(cond, *, params: dict, state: dict, values: dict, ts: float) -> bool:
    """A reading at `ts`; keys older than what was already seen of them are ignored."""
    compiled = _compiled(cond)
    last = state.setdefault("last", {})
    fresh = {}
    for key in compiled.keys.intersection(values):
        seen = last.get(key)
        if seen is None or ts >= seen[1]:
            last[key] = [values[key], ts]
            fresh[key] = values[key]
    if ts >= state.get("seen", 0):
        state["seen"] = ts
    return compiled.root.message(Ctx(params, state, fresh, ts))


def on_tick(cond, *, params: dict, state: dict, now: float) -> bool:
    return _compiled(cond).root.tick(Ctx(params, state, None, now))


def step(holds: bool, state: dict) -> Transition | None:
    was = state.get("on", False)
    if holds == was:
        return None
    state["on"] = holds
    return Transition.RAISE if holds else Transition.CLEAR
