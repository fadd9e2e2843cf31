"""The rule engine, table-driven with explicit time: every case replays readings (and ticks) and
checks when the condition holds. The state goes through JSON between every call, as it does
between the worker's batches and across a restart."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from linli.iot.rules import engine
from linli.iot.rules.spec import RuleSpecError, validate_condition, validate_export, validate_rule

T0 = 1_796_000_000.0
CO_2MIN = {"type": "duration", "key": "co", "op": ">", "value": {"param": "co_limit"}, "for_s": 120}


def replay(cond, events, params=None):
    """events: ("m", t, values) for a reading, ("t", t) for a tick; returns what held after each."""
    cond = validate_condition(cond)
    compiled = engine.compile(cond)
    state: dict = {}
    out = []
    for event in events:
        state = json.loads(json.dumps(state))
        if event[0] == "m":
            holds = engine.on_message(
                compiled, params=params or {}, state=state, values=event[2], ts=T0 + event[1]
            )
        else:
            holds = engine.on_tick(compiled, params=params or {}, state=state, now=T0 + event[1])
        out.append(holds)
    return out


@pytest.mark.parametrize(
    "op,value,expected",
    [
        (">", 50, [False, True, False]),
        (">=", 50, [True, True, False]),
        ("<", 50, [False, False, True]),
        ("<=", 50, [True, False, True]),
        ("==", 50, [True, False, False]),
        ("!=", 50, [False, True, True]),
    ],
)
def test_threshold_each_operator(op, value, expected):
    cond = {"type": "threshold", "key": "co", "op": op, "value": value}
    assert replay(cond, [("m", 0, {"co": 50}), ("m", 1, {"co": 51}), ("m", 2, {"co": 49})]) == expected


def test_duration_fires_at_the_limit_and_a_dip_resets_it():
    events = [
        ("m", 0, {"co": 60}),
        ("m", 60, {"co": 70}),
        ("m", 119, {"co": 80}),
        ("m", 120, {"co": 80}),
        ("m", 130, {"co": 10}),
        ("m", 140, {"co": 90}),
        ("m", 259, {"co": 90}),
        ("m", 260, {"co": 90}),
    ]
    assert replay(CO_2MIN, events, {"co_limit": 50}) == [False, False, False, True, False, False, False, True]


def test_duration_runs_out_on_a_tick_while_the_device_is_quiet():
    events = [("m", 0, {"co": 60}), ("t", 119), ("t", 120), ("m", 125, {"co": 5}), ("t", 400)]
    assert replay(CO_2MIN, events, {"co_limit": 50}) == [False, False, True, False, False]


def test_a_restart_in_the_middle_of_a_duration_resumes_it():
    cond = engine.compile(validate_condition(CO_2MIN))
    state: dict = {}
    engine.on_message(cond, params={"co_limit": 50}, state=state, values={"co": 60}, ts=T0)
    saved = json.dumps(state)  # the worker stops here; a new one loads the saved state
    restored = json.loads(saved)
    recompiled = engine.compile(validate_condition(CO_2MIN))
    assert engine.on_tick(recompiled, params={"co_limit": 50}, state=restored, now=T0 + 90) is False
    assert engine.on_tick(recompiled, params={"co_limit": 50}, state=restored, now=T0 + 120) is True


def test_repeat_needs_consecutive_readings_and_ticks_do_not_count():
    cond = {"type": "repeat", "key": "fault", "op": "==", "value": 1, "times": 5}
    ones = [("m", i, {"fault": 1}) for i in range(4)]
    assert replay(cond, [*ones, ("t", 10), ("m", 11, {"fault": 1})])[-2:] == [False, True]
    broken = [*ones, ("m", 5, {"fault": 0}), ("m", 6, {"fault": 1})]
    assert replay(cond, broken)[-1] is False


def test_rate_of_change_scaled_to_the_period():
    cond = {"type": "rate", "key": "t", "op": ">", "value": 5, "per_s": 60}
    events = [("m", 0, {"t": 20}), ("m", 30, {"t": 22}), ("m", 60, {"t": 26}), ("m", 60, {"t": 40})]
    # +2 in 30 s = 4/min: no; +4 in 30 s = 8/min: yes; same time stamp: ignored for the rate
    assert replay(cond, events) == [False, False, True, True]


def test_no_data_fires_on_silence_and_a_message_ends_it():
    cond = {"type": "no_data", "for_s": 600}
    events = [("m", 0, {"x": 1}), ("t", 599), ("t", 600), ("m", 700, {"x": 1}), ("t", 1000)]
    assert replay(cond, events) == [False, False, True, False, False]


def _at(local: str) -> float:
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() - T0


def test_schedule_crossing_midnight_in_china_time_whatever_the_machine_says():
    night = {"type": "schedule", "days": [1, 2, 3, 4, 5], "from": "22:00", "to": "06:00"}
    # 2026-12-04 is a Friday, 12-05 a Saturday
    times = [
        "2026-12-04 21:59",
        "2026-12-04 22:00",
        "2026-12-05 05:59",
        "2026-12-05 06:00",
        "2026-12-05 23:00",
    ]
    assert replay(night, [("t", _at(t)) for t in times]) == [False, True, True, False, False]


def test_all_and_any_across_keys_reported_separately():
    cond = {
        "all": [
            {"type": "threshold", "key": "t", "op": ">", "value": 30},
            {
                "any": [
                    {"type": "threshold", "key": "h", "op": ">", "value": 80},
                    {"type": "threshold", "key": "pm25", "op": ">", "value": 150},
                ]
            },
        ]
    }
    events = [("m", 0, {"t": 35}), ("m", 1, {"h": 50}), ("m", 2, {"pm25": 200}), ("m", 3, {"t": 20})]
    assert replay(cond, events) == [False, False, True, False]


def test_night_and_co_combined_only_at_night():
    cond = {
        "all": [
            {"type": "schedule", "from": "22:00", "to": "06:00"},
            {"type": "threshold", "key": "co", "op": ">", "value": 50},
        ]
    }
    assert replay(
        cond, [("m", _at("2026-12-04 12:00"), {"co": 90}), ("m", _at("2026-12-04 23:00"), {"co": 90})]
    ) == [False, True]


def test_per_device_params_override_and_a_missing_param_never_holds():
    cond = {"type": "threshold", "key": "co", "op": ">", "value": {"param": "co_limit"}}
    assert replay(cond, [("m", 0, {"co": 45})], {"co_limit": 40}) == [True]
    assert replay(cond, [("m", 0, {"co": 45})], {"co_limit": 50}) == [False]
    assert replay(cond, [("m", 0, {"co": 45})], {}) == [False]


def test_an_older_reading_does_not_overwrite_a_newer_one():
    cond = {"type": "threshold", "key": "co", "op": ">", "value": 50}
    assert replay(cond, [("m", 10, {"co": 60}), ("m", 5, {"co": 10})]) == [True, True]


def test_step_gives_one_raise_per_rising_edge():
    state: dict = {}
    edges = [engine.step(h, state) for h in (False, True, True, False, True)]
    assert edges == [None, engine.Transition.RAISE, None, engine.Transition.CLEAR, engine.Transition.RAISE]


@pytest.mark.parametrize(
    "cond,field",
    [
        ({"type": "threshold", "key": "co", "op": "~", "value": 1}, "condition.op"),
        ({"type": "duration", "key": "co", "op": ">", "value": 1}, "condition.for_s"),
        (
            {"all": [{"type": "repeat", "key": "x", "op": ">", "value": 1, "times": 1}]},
            "condition.all.0.times",
        ),
        ({"type": "schedule", "from": "25:00", "to": "06:00"}, "condition.from"),
        ({"type": "threshold", "key": "Bad Key", "op": ">", "value": 1}, "condition.key"),
        ({"type": "magic"}, "condition.type"),
        ({"type": "threshold", "key": "co", "op": ">", "value": float("nan")}, "condition.value"),
    ],
)
def test_spec_errors_name_the_field(cond, field):
    with pytest.raises(RuleSpecError) as error:
        validate_condition(cond)
    assert error.value.field == field


def test_a_referenced_param_needs_a_default_and_export_names_the_rule():
    rule = {"name": "CO", "alarm_type": "co_high", "severity": "critical", "condition": CO_2MIN}
    with pytest.raises(RuleSpecError) as error:
        validate_rule(rule)
    assert error.value.field == "params.co_limit"
    good = {**rule, "params": {"co_limit": 50}}
    assert validate_export({"version": 1, "rules": [good]})["rules"][0]["auto_clear"] is True
    with pytest.raises(RuleSpecError) as error:
        validate_export({"version": 1, "rules": [good, {**good, "severity": "loud"}]})
    assert error.value.field == "rules.1.severity"
