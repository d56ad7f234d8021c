"""Values on a row axis: numbers set by key path, many rows at once, chunks, baselines per row."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from conftest import SCENARIOS, one_state, with_changes
from kikcalc import keypaths
from kikcalc.engine import simulate, simulate_chunks
from kikcalc.keyslots import ValueDomainError, assign, assign_per_row, slot
from kikcalc.money import anciennitet_weights
from kikcalc.result import run_scenario
from kikcalc.scenario import build, read
from kikcalc.values import for_scenario

SHIPPED = sorted(SCENARIOS.glob("*.toml"))


def _kind(scenario, path: str) -> str:
    """What kind of number a path names: its Values field, and whether it is one entry of a series or band."""
    where = slot(scenario, path)
    parts = keypaths.parse(path)
    entry = isinstance(parts[-1], str) and parts[-1][:1].isdigit() and where.field in ("inflow", "investment", "grant",
                                                                                        "capacity", "rate")
    return f"{where.field}{' entry' if entry else ''}"


def _one_path_of_each_kind(scenario, raw) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for path in keypaths.numbers(raw):
        try:
            kinds.setdefault(_kind(scenario, path), path)
        except keypaths.KeyPathError:  # structure: a window, a duration, a band's bounds, a mix
            continue
    return kinds


def _changed(value: float) -> float:
    """Another value in the same domain: shares and probabilities stay within [0, 1]."""
    return value * 0.9 if value else 0.5


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_a_value_set_by_key_path_gives_the_result_of_the_same_value_written_in_the_file(path):
    raw = read(path)
    scenario = build(raw, str(path))
    kinds = _one_path_of_each_kind(scenario, raw)
    assert kinds, "every shipped scenario has numbers that can vary by row"
    for kind, key in kinds.items():
        new = _changed(keypaths.get(raw, key))
        got = run_scenario(scenario, assign(scenario, for_scenario(scenario), key, new))
        written = run_scenario(build(keypaths.assign(raw, key, new), str(path)))
        np.testing.assert_allclose(got.trajectory.headcount, written.trajectory.headcount, rtol=1e-12, atol=1e-9,
                                   err_msg=f"{kind}: {key}")
        np.testing.assert_allclose(got.accounts.total_cost, written.accounts.total_cost, rtol=1e-12, atol=1e-6,
                                   err_msg=f"{kind}: {key}")
        np.testing.assert_allclose(got.accounts.npv, written.accounts.npv, rtol=1e-12, atol=1e-6, err_msg=key)
        assert [v.met for v in got.verdicts] == [v.met for v in written.verdicts], key
        assert [np.nan if v.value is None else v.value for v in got.verdicts] == pytest.approx(
            [np.nan if v.value is None else v.value for v in written.verdicts], rel=1e-12, nan_ok=True), key


def test_the_shipped_scenarios_cover_every_kind_of_number():
    kinds = set()
    for path in SHIPPED:
        raw = read(path)
        kinds |= set(_one_path_of_each_kind(build(raw, str(path)), raw))
    expected = {"discount_rate", "initial", "cost", "measures_cost", "inflow", "inflow entry", "rate", "rate entry",
                "investment", "investment entry", "effect", "capacity", "cost_per_participant", "outcome",
                "flow_amount", "flow_cap", "grant", "threshold"}
    assert expected <= kinds


def test_a_yearly_amount_set_by_key_path_is_spread_over_its_simulated_months():
    raw = read(SCENARIOS / "aabenraa-kik2.toml")
    scenario = build(raw)
    values = assign(scenario, for_scenario(scenario), "strategies.kik2.investment.2018", 7_000_000)
    kik2 = scenario.strategy_names.index("kik2")
    months_2018 = scenario.calendar.year_months(2018)  # June to December: 7 months
    np.testing.assert_allclose(values.investment[kik2, months_2018], 1_000_000)
    # Only the strategy's own row changes.
    np.testing.assert_array_equal(values.investment[0], for_scenario(scenario).investment[0])


def test_structure_and_unknown_paths_and_out_of_domain_values_are_refused_with_the_key_path():
    scenario = build(read(SCENARIOS / "aabenraa-kik2.toml"))
    values = for_scenario(scenario)
    with pytest.raises(keypaths.KeyPathError, match="structure"):
        assign(scenario, values, "strategies.kik2.effects[0].ramp_months", 6)
    with pytest.raises(keypaths.KeyPathError, match=r"nearest: strategies\.kik2\.effects\[0\]\.multiply"):
        assign(scenario, values, "strategies.kik2.effects[0].multiplu", 1.5)
    with pytest.raises(ValueDomainError, match=r"transitions\[0\]\.probability: expected a monthly probability between 0 and 1, got 1.5"):
        assign(scenario, values, "transitions[0].probability", 1.5)
    with pytest.raises(ValueDomainError, match="finite"):
        assign(scenario, values, "states.kontanthjaelp.initial", float("nan"))


def test_numbers_of_the_wrong_count_name_the_key_path_and_the_count_expected():
    """Two numbers for three rows gave numpy's "operands could not be broadcast"; draws=-1 its "negative dimensions"."""
    scenario = build(read(SCENARIOS / "aabenraa-kik2.toml"))
    values = for_scenario(scenario, draws=3)
    with pytest.raises(ValueDomainError, match=r"strategies\.kik2\.effects\[0\]\.multiply: expected one number or 3 "
                                               r"\(one per row set\), got 2"):
        assign(scenario, values, "strategies.kik2.effects[0].multiply", [1.2, 1.45])
    column = assign(scenario, values, "strategies.kik2.effects[0].multiply", [1.2])  # one number for every row
    assert column.rows == values.rows
    for draws in (-1, 1.5, True):
        with pytest.raises(ValueError, match=f"draws: expected a whole number from 0, got {draws!r}"):
            for_scenario(scenario, draws=draws)


def _three_draws():
    """The KIK II scenario with three draws of an effect size, an exit probability and an inflow."""
    raw = read(SCENARIOS / "aabenraa-kik2.toml")
    scenario = build(raw)
    draws = {"strategies.kik2.effects[0].multiply": [1.2, 1.45, 1.7],
             "transitions[0].probability": [0.02, 0.025, 0.03],
             "states.kontanthjaelp.inflow": [50.0, 60.0, 70.0]}
    draws = {path: numbers for path, numbers in draws.items() if _has(raw, path)}
    assert len(draws) == 3
    values = for_scenario(scenario, draws=3)
    per_row = 3 * len(scenario.strategies)
    for path, numbers in draws.items():
        values = assign(scenario, values, path, np.repeat(numbers, per_row // 3)[slot_rows(scenario, values, path)])
    return raw, scenario, values, draws


def _has(raw, path):
    try:
        keypaths.get(raw, path)
        return True
    except keypaths.KeyPathError:
        return False


def slot_rows(scenario, values, path):
    """The rows a number acts on, as assign chooses them."""
    owner = slot(scenario, path).strategy
    return np.ones(values.rows, bool) if owner is None else values.strategy == owner


def test_the_engine_on_many_rows_equals_one_run_per_draw_row_by_row():
    raw, scenario, values, draws = _three_draws()
    together = run_scenario(scenario, values)
    n_strategies = len(scenario.strategies)
    for d in range(3):
        changed = raw
        for path, numbers in draws.items():
            changed = keypaths.assign(changed, path, numbers[d])
        alone = run_scenario(build(changed))
        rows = slice(d * n_strategies, (d + 1) * n_strategies)
        np.testing.assert_allclose(together.trajectory.headcount[rows], alone.trajectory.headcount, rtol=1e-13)
        np.testing.assert_allclose(together.accounts.net_saving[rows], alone.accounts.net_saving, rtol=1e-12, atol=1e-6)
        np.testing.assert_allclose(together.accounts.npv[rows], alone.accounts.npv, rtol=1e-12)
    # Each row is measured against its own draw's baseline.
    np.testing.assert_array_equal(values.baseline, np.repeat(np.arange(3) * n_strategies, n_strategies))


def test_every_row_conserves_persons():
    _, scenario, values, _ = _three_draws()
    trajectory = simulate(scenario, values)
    total = trajectory.headcount.sum(axis=2)  # (R, T+1)
    entered = np.concatenate([np.zeros((values.rows, 1)), np.cumsum(trajectory.inflow.sum(axis=2), axis=1)], axis=1)
    np.testing.assert_allclose(total, values.initial.sum(axis=1)[:, None] + entered, rtol=1e-12)


def test_chunks_give_the_same_numbers_bit_for_bit():
    _, scenario, values, _ = _three_draws()
    weights = anciennitet_weights(scenario)
    whole = simulate(scenario, values, weights, keep_stock=False, keep_flows=False)
    for chunk_rows in (1, 2, 5):
        pieces = list(simulate_chunks(scenario, values, weights, chunk_rows=chunk_rows))
        np.testing.assert_array_equal(np.concatenate([t.headcount for _, _, t in pieces]), whole.headcount)
        np.testing.assert_array_equal(np.concatenate([t.weighted for _, _, t in pieces], axis=1), whole.weighted)


def test_a_year_target_on_a_partial_year_equals_the_yearly_tables_figure():
    raw = with_changes(one_state(p_exit=0.05, initial=1000, inflow=20, months=18),
                       scenario={"name": "partial", "start": "2020-08", "end": "2022-01"},
                       targets=[{"name": "y2020", "states": "kh", "year": 2020, "max": 900},
                                {"name": "y2022", "states": "kh", "year": 2022, "max": 900}])
    result = run_scenario(build(raw))
    yearly = result.yearly.set_index(["year", "state"]).full_year_persons
    verdicts = {v.target: v for v in result.verdicts}
    assert verdicts["y2020"].value == pytest.approx(yearly[2020, "kh"], rel=1e-15)  # 5 simulated months
    assert verdicts["y2022"].value == pytest.approx(yearly[2022, "kh"], rel=1e-15)  # 1 simulated month
    # By hand: a closed cohort from 1000 with 20 in a month and 5 % out: the mean of August to December.
    stock = [1000.0]
    for _ in range(5):
        stock.append(stock[-1] * 0.95 + 20)
    assert verdicts["y2020"].value == pytest.approx(np.mean([(a + b) / 2 for a, b in itertools.pairwise(stock)]), rel=1e-12)


def test_the_initial_anciennitet_mix_is_settled_per_draw_from_that_draws_rates():
    raw = with_changes(one_state(p_exit={"0-5": 0.08, "6+": 0.02}, initial=1000, inflow=30, months=12))
    scenario = build(raw)
    values = assign(scenario, for_scenario(scenario, draws=2), "transitions[0].probability.6+", [0.02, 0.05],
                    rows=None)
    together = simulate(scenario, values)
    for d, rate in enumerate((0.02, 0.05)):
        alone = simulate(build(keypaths.assign(raw, "transitions[0].probability.6+", rate)))
        np.testing.assert_allclose(together.initial_stock[d], alone.initial_stock[0], rtol=1e-12)
    # Closed form for the settled mix: inflow 30 enters at month 0 and stays with probability 1 - p(a) each month,
    # so the stock at anciennitet a is 30 * prod_{b<a} (1 - p(b)); the last month holds the geometric tail.
    for d, late in enumerate((0.02, 0.05)):
        p = np.array([0.08] * 6 + [late] * 8)
        stay = np.concatenate([[1.0], np.cumprod(1 - p[:-1])])
        stock = 30 * stay
        stock[-1] = 30 * stay[-1] / p[-1]
        np.testing.assert_allclose(together.initial_stock[d, 0], 1000 * stock / stock.sum(), rtol=1e-9)


@pytest.mark.parametrize(("twice", "keep"), [(False, True), (True, True), (False, False)],
                         ids=["each place once", "one place set, then scaled", "no row keeps its number"])
def test_many_numbers_set_at_once_are_each_set_where_its_key_path_points(twice, keep):
    """assign_per_row with every transition (set where the file gives a number, scaled where a band table), every
    inflow series scaled, each effect of kijos set on kijos's rows only (one inflow with rows that keep theirs, NaN,
    with ``keep``), each benefit cost set: each field as set by hand, one number at a time. ``twice``: transition 1
    is set and then scaled by a second number, which only the order given can get right. Without ``twice`` and
    ``keep`` every field is made in one pass (kikcalc.keyslots._factored); the numbers must be the same."""
    raw = read(SCENARIOS / "aabenraa-kijos.toml")
    scenario = build(raw)
    draws = 6
    values = for_scenario(scenario, draws)
    rows = values.rows
    rng = np.random.default_rng(12)
    expected = {field: np.array(getattr(values, field)) for field in ("rate", "inflow", "effect", "cost")}
    settings = []
    for i, transition in enumerate(raw["transitions"]):
        key = next(k for k in ("probability", "hazard", "mean_months") if k in transition)
        numbers = rng.uniform(0.5, 1.5, rows)
        scale = isinstance(transition[key], dict) or i % 3 == 0
        settings.append((f"transitions[{i}].{key}", numbers, scale))
        expected["rate"][:, i, :] = expected["rate"][:, i, :] * numbers[:, None] if scale else numbers[:, None]
        if twice and i == 1:
            again = rng.uniform(0.5, 1.5, rows)
            settings.append((f"transitions[{i}].{key}", again, True))
            expected["rate"][:, i, :] *= again[:, None]
    for s, (name, state) in enumerate(raw["states"].items()):
        if "inflow" in state:
            numbers = rng.uniform(0.5, 1.5, rows)
            if s == 0 and keep:
                numbers[::4] = np.nan  # these rows keep the file's inflow
            settings.append((f"states.{name}.inflow", numbers, True))
            kept = np.isnan(numbers)
            expected["inflow"][~kept, :, s] *= numbers[~kept, None]
        if "cost" in state:
            numbers = rng.uniform(1e5, 2e5, rows)
            settings.append((f"states.{name}.cost", numbers, False))
            expected["cost"][:, s] = numbers
    k = scenario.strategy_names.index("kijos")
    for e, effect in enumerate(raw["strategies"]["kijos"]["effects"]):
        key = next(key for key in ("multiply", "inflow_multiply") if key in effect)
        numbers = rng.uniform(0.9, 1.2, rows)
        settings.append((f"strategies.kijos.effects[{e}].{key}", numbers, False))
        index = slot(scenario, f"strategies.kijos.effects[{e}].{key}").index[0]
        expected["effect"][values.strategy == k, index] = numbers[values.strategy == k]
    assert sum(np.isnan(numbers).any() for _, numbers, _ in settings) == keep and len(settings) > 12
    result = assign_per_row(scenario, values, settings)
    for field, array in expected.items():
        assert getattr(result, field).tobytes() == array.tobytes(), field
