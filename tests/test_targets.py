"""Targets against hand-computed values: level at/year/by, share, flow, payback, npv."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from conftest import one_state
from kikcalc import run
from kikcalc.errors import ScenarioError
from kikcalc.scenario import build


def _decay(targets: list[dict], p: float = 0.1, months: int = 24) -> dict:
    raw = one_state(p_exit=p, initial=1000.0, months=months)
    raw["targets"] = targets
    return raw


def _verdict(result, name: str, strategy: str = "baseline"):
    return next(v for v in result.verdicts if v.target == name and v.strategy == strategy)


def fte(t, p=0.1):
    """Full-time persons of the decaying cohort in model month t."""
    return 1000 * (1 - p) ** t * (1 - p / 2)


def test_level_at_a_month():
    result = run(build(_decay([{"name": "t", "states": ["kh"], "at": "2020-07", "below": 500}])))
    v = _verdict(result, "t")
    assert v.value == pytest.approx(fte(6))  # 504.4: missed by 4.4
    assert v.met is False
    assert v.margin == pytest.approx(500 - fte(6))
    # The condition holds from t = 7 ((0.9)^t 0.95 < 0.5), after the target's month: never by then.
    assert v.first_month_met is None


def test_level_as_a_years_mean():
    result = run(build(_decay([{"name": "y", "states": "kh", "year": 2021, "max": 200}])))
    v = _verdict(result, "y")
    assert v.value == pytest.approx(np.mean([fte(t) for t in range(12, 24)]))
    assert v.met is True


def test_level_by_a_month_is_met_if_any_month_up_to_it_meets():
    result = run(build(_decay([
        {"name": "early", "states": ["kh"], "by": "2020-06", "below": 500},
        {"name": "late", "states": ["kh"], "by": "2020-09", "below": 500},
    ])))
    early, late = _verdict(result, "early"), _verdict(result, "late")
    assert early.met is False and early.value == pytest.approx(fte(5))
    assert late.met is True and late.first_month_met == 7 and late.value == pytest.approx(fte(8))


def test_min_and_above_use_the_other_side():
    result = run(build(_decay([
        {"name": "min", "states": ["kh"], "at": "2020-01", "min": fte(0)},
        {"name": "above", "states": ["kh"], "at": "2020-01", "above": fte(0)},
    ])))
    assert _verdict(result, "min").met is True
    assert _verdict(result, "above").met is False
    assert _verdict(result, "min").margin == pytest.approx(0.0)


def test_share_target():
    raw = {
        "scenario": {"name": "share", "start": "2020-01", "end": "2020-12"},
        "states": {"rf": {"initial": 260}, "rf_praktik": {"initial": 68}},
        "transitions": [],
        "strategies": {"baseline": {}},
        "targets": [{"name": "35pct", "share_of": ["rf_praktik"], "states": ["rf", "rf_praktik"], "at": "2020-06", "min": 0.35}],
    }
    v = _verdict(run(build(raw)), "35pct")
    assert v.value == pytest.approx(68 / 328)
    assert v.met is False
    assert v.margin == pytest.approx(68 / 328 - 0.35)


def test_flow_target_counts_persons_moved_in_the_window():
    p = 0.1
    result = run(build(_decay([{"name": "moved", "flow_from": "kh", "flow_to": "job", "start": "2020-03",
                                "end": "2020-05", "min": 200}], p=p)))
    v = _verdict(result, "moved")
    moved = sum(1000 * (1 - p) ** t * p for t in (2, 3, 4))
    assert v.value == pytest.approx(moved)  # 81 + 72.9 + 65.6 = 219.5
    assert v.met is True
    assert v.first_month_met == 4  # 81 + 72.9 = 153.9 < 200 after month 3, 219.5 after month 4


def test_a_run_keeps_the_flows_only_where_a_target_or_money_counts_them_and_finds_them_when_asked():
    p = 0.1
    plain = run(build(_decay([{"name": "level", "states": ["kh"], "at": "2020-06", "max": 900}], p=p)))
    counted = run(build(_decay([{"name": "moved", "flow_from": "kh", "flow_to": "job", "start": "2020-03",
                                 "end": "2020-05", "min": 200}], p=p)))
    assert plain.trajectory.flows is None and counted.trajectory.flows is not None
    # Asked for, the plain run's flows are its rows run again: the decaying cohort's p x (1 - p)^t a month to job.
    moved = plain.flows[0, :, 0, 1]
    np.testing.assert_allclose(moved, 1000 * p * (1 - p) ** np.arange(24), rtol=1e-12)
    np.testing.assert_array_equal(plain.flows, counted.flows)


def test_money_targets_are_not_applicable_to_the_baseline():
    raw = one_state(p_exit=0.0, initial=10.0, months=6, cost=12_000)
    raw["strategies"]["s"] = {"investment": {"2020-01": 25_000},
                              "effects": [{"from": "kh", "to": "job", "set": 1.0, "start": "2020-01", "end": "2020-01"}]}
    raw["targets"] = [{"name": "pb", "payback_by": "2020-03"}, {"name": "early", "payback_by": "2020-02"},
                      {"name": "npv", "npv_min": 0}]
    result = run(build(raw))
    assert _verdict(result, "pb").met is None
    assert _verdict(result, "pb", "s").met is True and _verdict(result, "pb", "s").value == 2
    assert _verdict(result, "early", "s").met is False and _verdict(result, "early", "s").margin == -1
    assert _verdict(result, "npv", "s").value == pytest.approx(result.accounts.npv[1])
    assert _verdict(result, "npv", "s").met is True
    table = result.targets.set_index(["name", "strategy"])
    assert table.loc[("pb", "s"), "value"] == "2020-03"
    assert table.loc[("pb", "s"), "threshold"] == "2020-03"


def test_a_years_share_is_full_time_persons_over_full_time_persons():
    # Numerator falls from 100 to 0 in month 0 and stays; denominator grows: the year's share is the
    # ratio of the year's means, not the mean of the monthly ratios.
    raw = {
        "scenario": {"name": "share", "start": "2020-01", "end": "2020-12"},
        "states": {"rf": {"initial": 100, "inflow": 10}, "rf_praktik": {"initial": 100}, "out": {"kind": "outside"}},
        "transitions": [{"from": "rf_praktik", "to": "out", "probability": 1.0}],
        "strategies": {"baseline": {}},
        "targets": [{"name": "y", "share_of": "rf_praktik", "states": ["rf", "rf_praktik"], "year": 2020, "min": 0.35}],
    }
    result = run(build(raw))
    fte = result.trajectory.full_time_persons[0]
    v = _verdict(result, "y")
    assert v.value == pytest.approx(fte[:, 1].mean() / (fte[:, 0] + fte[:, 1]).mean())
    assert v.value == pytest.approx((50 / 12) / (50 / 12 + 100 + 10 * 6))


def test_first_month_met_is_searched_up_to_the_targets_date():
    result = run(build(_decay([{"name": "t", "states": ["kh"], "at": "2020-03", "below": 500}])))
    v = _verdict(result, "t")
    assert v.met is False and v.first_month_met is None  # met only from month 7, after the date


def test_a_sum_of_fractions_equal_to_the_threshold_meets_it():
    from kikcalc.targets import meets

    five = sum([0.1] * 50)  # 4.999999999999998 in floating point
    assert meets(np.array(five), "min", 5.0) and meets(np.array(five), "max", 5.0)
    assert not meets(np.array(five), "below", 5.0) and not meets(np.array(five), "above", 5.0)
    assert not meets(np.array(4.99), "min", 5.0)


def _counting_scenario(target: str):
    """100 persons, 10 more a month, nobody leaves: 100 + 10 (m + 1) at the end of month m."""
    return build({"scenario": {"name": "t", "start": "2021-01", "end": "2021-12"},
                  "states": {"kh": {"initial": 100, "inflow": 10, "cost": 120_000}},
                  "targets": [dict(name="n", states=["kh"], **tomllib.loads(target))]})


def test_a_level_target_on_persons_reads_the_headcount_at_the_months_end():
    persons = run(_counting_scenario('at = "2021-03"\nmeasure = "persons"\nmax = 140'))
    full_time = run(_counting_scenario('at = "2021-03"\nmax = 140'))
    # End of March (month 2): 100 + 10 x 3 = 130 persons; full-time persons in March: (120 + 130) / 2 = 125.
    assert persons.verdicts[0].value == pytest.approx(130) and persons.verdicts[0].unit == "persons"
    assert full_time.verdicts[0].value == pytest.approx(125) and full_time.verdicts[0].unit == "full-time persons"
    by = run(_counting_scenario('by = "2021-06"\nmeasure = "persons"\nmin = 150'))
    assert by.verdicts[0].first_month_met == 4  # 100 + 10 x 5 = 150 at the end of May (month 4)


@pytest.mark.parametrize(("target", "message"), [
    ('year = 2021\nmeasure = "persons"\nmax = 140', "persons over a year is ambiguous"),
    ('at = "2021-03"\nmeasure = "personer"\nmax = 140', 'did you mean "persons"'),
])
def test_a_persons_target_that_cannot_be_read_is_bad_input(target, message):
    with pytest.raises(ScenarioError, match=message):
        _counting_scenario(target)
