"""The fast step against a plain, loop-by-loop reading of the model's rules, on scenarios that use every path;
the settled anciennitet mix against closed forms and against the plain sum of the monthly series."""

from __future__ import annotations

import sys
import tracemalloc
import warnings

import numpy as np
import pytest

from conftest import ROOT, SCENARIOS, one_state
from kikcalc.cohort import Structure, month_moves, rescaled_moves, step, stock_buffer
from kikcalc.engine import UnsettledMixWarning, simulate
from kikcalc.keyslots import assign
from kikcalc.money import anciennitet_weights
from kikcalc.refusion import reset_months
from kikcalc.scenario import build, load
from kikcalc.scenario import read as read_file
from kikcalc.settle import SETTLE_ROUNDS, settle, settled_anciennitet_mix
from kikcalc.transitions import (
    base_rates,
    effect_transitions,
    inflows,
    multiply_factors,
    rates_in_month,
    transition_probabilities,
)
from kikcalc.values import for_scenario

sys.path.insert(0, str(ROOT))
from benchmarks.large import large_raw


def reference_headcount(scenario, values) -> np.ndarray:
    """Persons by state at each month's start, (R, T+1, S), by the rules of docs/model.md, one person-group at a time.

    A person in benefit state s with a completed months moves with the month's probability to j; in a
    benefit state they have min(a + 1, A - 1) months next month. In an outside state they carry that
    anciennitet with c = 0 months outside, one more each month, until c reaches K - 1 (K the reset months):
    then, and for the initial outside stock and inflow into outside states, the model forgets it. A person
    who comes back with it lands at it; one whose anciennitet is forgotten, and entrants, land in a
    benefit state by its inflow mix.
    """
    months, anc = scenario.calendar.months, scenario.anciennitet_months
    clock = max(reset_months(scenario.refusion) - 1, 0)
    states = scenario.states
    index = {s.name: j for j, s in enumerate(states)}
    benefit = [s.is_benefit for s in states]
    inflow = inflows(scenario, values)
    result = np.zeros((values.rows, months + 1, len(states)))
    for r in range(values.rows):
        stock = values.initial[r][:, None] * values.initial_mix[r]  # outside states: everyone at 0, forgotten
        kept = np.zeros((len(states), clock, anc))  # outside states: persons by months outside and anciennitet
        result[r, 0] = stock.sum(axis=1)
        for t in range(months):
            p = transition_probabilities(scenario, rates_in_month(scenario, values, t))[r]  # (n, A)
            following, kept_following = np.zeros_like(stock), np.zeros_like(kept)
            groups = [(s, a, None, stock[s, a]) for s in range(len(states)) for a in range(anc)]
            groups += [(o, a, c, kept[o, c, a]) for o in range(len(states)) for c in range(clock) for a in range(anc)]
            for s, a, c, persons in groups:
                if persons == 0:
                    continue
                stay = 1.0
                destinations = []
                for i, tr in enumerate(scenario.transitions):
                    if index[tr.source] == s:
                        q = p[i, a if benefit[s] else 0]
                        stay -= q
                        destinations.append((index[tr.target], persons * q))
                destinations.append((s, persons * stay))
                for j, moving in destinations:
                    if benefit[s]:
                        if benefit[j]:
                            following[j, min(a + 1, anc - 1)] += moving
                        elif clock:
                            kept_following[j, 0, min(a + 1, anc - 1)] += moving
                        else:
                            following[j, 0] += moving
                    elif c is None:  # forgotten
                        if benefit[j]:
                            following[j] += moving * values.inflow_mix[r, j]
                        else:
                            following[j, 0] += moving
                    elif benefit[j]:
                        following[j, a] += moving
                    elif c + 1 < clock:
                        kept_following[j, c + 1, a] += moving
                    else:
                        following[j, 0] += moving
            for j in range(len(states)):
                following[j] += inflow[r, t, j] * values.inflow_mix[r, j]
            stock, kept = following, kept_following
            result[r, t + 1] = stock.sum(axis=1) + kept.sum(axis=(1, 2))
    return result


def _every_path() -> dict:
    """Outside states listed first; banded moves between benefit states and out of them; a competing
    hazard by band; re-entry; entrants with anciennitet; a ramped multiply on a banded move out."""
    return {
        "scenario": {"name": "paths", "start": "2021-01", "end": "2022-06"},
        "states": {
            "job": {"kind": "outside", "initial": 40},
            "kh": {"initial": 300, "initial_anciennitet": {"0": 0.5, "4": 0.3, "13": 0.2}, "inflow": 12,
                   "inflow_anciennitet": {"0": 0.7, "13": 0.3}, "cost": 120_000, "cost_basis": "gross"},
            "syg": {"initial": 150, "initial_anciennitet": {"2": 1.0}, "inflow": {"2021": 8, "2022": 5}},
            "other": {"kind": "outside"},
        },
        "transitions": [
            {"from": "kh", "to": "job", "probability": {"0-5": 0.06, "6-11": 0.04, "12+": 0.02}},
            {"from": "kh", "to": "syg", "probability": {"0-2": 0.01, "3+": 0.03}},
            {"from": "syg", "to": "kh", "probability": 0.02},
            {"from": "syg", "to": "job", "hazard": {"0-5": 0.3, "6+": 0.1}, "per": "year"},
            {"from": "syg", "to": "other", "hazard": 0.05, "per": "year"},
            {"from": "job", "to": "kh", "probability": 0.004},
            {"from": "job", "to": "other", "probability": 0.01},
        ],
        "strategies": {"baseline": {},
                       "s": {"effects": [{"from": "kh", "to": "job", "multiply": 1.5, "start": "2021-03", "ramp_months": 4}]}},
    }


@pytest.mark.parametrize("draw_a_band", [False, True], ids=["profiles kept", "one band drawn alone"])
def test_the_step_equals_the_rules_applied_person_group_by_person_group(draw_a_band):
    scenario = build(_every_path())
    values = for_scenario(scenario, draws=2)
    if draw_a_band:  # the second draw's first band alone: that row leaves its profile
        values = assign(scenario, values, "transitions[0].probability.0-5", 0.09, rows=np.arange(values.rows) >= 2)
    _assert_the_rules(scenario, values)


def _assert_the_rules(scenario, values) -> None:
    """The run's headcount is the rules' applied group by group, and its flows account for every change of stock."""
    trajectory = simulate(scenario, values, anciennitet_weights(scenario))
    np.testing.assert_allclose(trajectory.headcount, reference_headcount(scenario, values), rtol=1e-12, atol=1e-9)
    net = -trajectory.flows.sum(axis=3) + trajectory.flows.sum(axis=2) + trajectory.inflow
    np.testing.assert_allclose(np.diff(trajectory.headcount, axis=1), net, atol=1e-9)


@pytest.mark.parametrize("into_one", [False, True], ids=["each to its own state", "two to one state"])
def test_moves_between_benefit_states_by_band_are_added_whether_or_not_two_go_to_one_state(into_one):
    # Moves by band between benefit states go into the month's product one indexed addition where no two go to the
    # same state, and by np.add.at where two do: both as the rules applied group by group give them.
    raw = _every_path()
    raw["states"]["fleks"] = {"initial": 80, "initial_anciennitet": {"6": 1.0}, "cost": 150_000}
    raw["transitions"].append({"from": "fleks", "to": "syg" if into_one else "kh", "probability": {"0-3": 0.02, "4+": 0.05}})
    raw["transitions"].append({"from": "fleks", "to": "other", "probability": 0.01})
    scenario = build(raw)
    values = for_scenario(scenario, draws=2)
    structure = Structure.of(scenario)
    moves = month_moves(structure, transition_probabilities(scenario, rates_in_month(scenario, values, 0)))
    assert len(moves.band_target) == 2 and moves.band_targets_distinct != into_one
    _assert_the_rules(scenario, values)


@pytest.mark.parametrize("draw_a_band", [False, True], ids=["profiles kept", "one band drawn alone"])
def test_what_leaves_computed_in_the_stock_itself_gives_the_same_bits(draw_a_band):
    # Without flows and kept persons (every return starts again), the step computes what leaves in the month's
    # stock itself (engine._scratch); with flows, in an array of its own. Rows off their profile take their own.
    raw = _every_path()
    raw["refusion"] = {"reset_after_weeks": 0}
    scenario = build(raw)
    assert Structure.of(scenario).clock == 0
    values = for_scenario(scenario, draws=2)
    if draw_a_band:
        values = assign(scenario, values, "transitions[0].probability.0-5", 0.09, rows=np.arange(values.rows) >= 2)
    weights = anciennitet_weights(scenario)
    in_place = simulate(scenario, values, weights, keep_flows=False)
    apart = simulate(scenario, values, weights, keep_flows=True)
    np.testing.assert_array_equal(in_place.headcount, apart.headcount)
    np.testing.assert_array_equal(in_place.weighted, apart.weighted)
    np.testing.assert_allclose(in_place.headcount, reference_headcount(scenario, values), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("draw_a_band", [False, True], ids=["profiles kept", "one band drawn alone"])
def test_the_small_product_by_its_nonzero_blocks_gives_the_same_persons(monkeypatch, draw_a_band):
    # Above SMALL_BY_BLOCKS benefit states the moves out of and between outside states are two products over the
    # small matrix's nonzero blocks (the moved columns' rows reach only outside states): the same persons.
    import kikcalc.cohort

    scenario = build(_every_path())
    values = for_scenario(scenario, draws=2)
    if draw_a_band:
        values = assign(scenario, values, "transitions[0].probability.0-5", 0.09, rows=np.arange(values.rows) >= 2)
    weights = anciennitet_weights(scenario)
    whole = simulate(scenario, values, weights)
    monkeypatch.setattr(kikcalc.cohort, "SMALL_BY_BLOCKS", 0)
    by_blocks = simulate(scenario, values, weights)
    np.testing.assert_allclose(by_blocks.headcount, whole.headcount, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(by_blocks.flows, whole.flows, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(by_blocks.headcount, reference_headcount(scenario, values), rtol=1e-12, atol=1e-9)


def test_the_step_will_not_compute_in_a_stock_it_reads_after():
    scenario = build(_every_path())
    structure = Structure.of(scenario)
    values = for_scenario(scenario)
    moves = month_moves(structure, transition_probabilities(scenario, base_rates(scenario, values)))
    stock = np.zeros((values.rows, len(scenario.states), scenario.anciennitet_months + 1))
    flows = np.zeros((values.rows, len(scenario.states), len(scenario.states)))
    vector = np.zeros((values.rows, moves.small.shape[1]))
    with pytest.raises(ValueError, match="stock is computed in"):
        step(stock, vector, moves, np.zeros(stock.shape[:2]), None, flows, (stock, stock_buffer(*stock.shape)))


def test_the_moves_between_benefit_states_give_the_same_persons_stored_either_way(monkeypatch):
    import kikcalc.cohort

    scenario = build(_every_path())
    values = for_scenario(scenario, draws=3)
    column_by_column = simulate(scenario, values, anciennitet_weights(scenario))
    assert kikcalc.cohort.COLUMN_BY_COLUMN >= Structure.of(scenario).n_benefit
    monkeypatch.setattr(kikcalc.cohort, "COLUMN_BY_COLUMN", 0)  # row by row, as for large models
    row_by_row = simulate(scenario, values, anciennitet_weights(scenario))
    np.testing.assert_allclose(column_by_column.headcount, row_by_row.headcount, rtol=1e-14)
    np.testing.assert_allclose(column_by_column.weighted, row_by_row.weighted, rtol=1e-14)
    np.testing.assert_allclose(column_by_column.headcount, reference_headcount(scenario, values), rtol=1e-12, atol=1e-9)


def test_rescaling_the_moves_out_equals_rebuilding_them():
    raw = _every_path()
    raw["transitions"] = [t for t in raw["transitions"] if t.get("hazard") is None]
    scenario = build(raw)
    structure = Structure.of(scenario)
    assert structure.rescaled_change
    values = for_scenario(scenario)
    base = base_rates(scenario, values)

    def probabilities(month):
        return transition_probabilities(scenario, rates_in_month(scenario, values, month, base))

    touched = effect_transitions(scenario)
    reference = structure.reference[touched]
    before = month_moves(structure, probabilities(2))
    # The rescale takes each touched rate where its profile is 1: the rate before effects times the effects' factor.
    scale = base[:, touched, reference] * multiply_factors(scenario, values, 4, touched)
    np.testing.assert_allclose(scale, rates_in_month(scenario, values, 4, base)[:, touched, reference], rtol=1e-15)
    rescaled = rescaled_moves(structure, before, touched, scale)
    rebuilt = month_moves(structure, probabilities(4))
    np.testing.assert_allclose(rescaled.small, rebuilt.small, rtol=1e-15)
    np.testing.assert_allclose(rescaled.leaving_else, rebuilt.leaving_else, rtol=1e-14)



@pytest.mark.parametrize("by_band", [True, False], ids=["by band", "flat"])
def test_rescaling_a_move_between_benefit_states_equals_rebuilding_it(by_band):
    # KIK II's effects multiply a move out (kontanthjaelp -> selvforsorgende) and one between benefit states
    # (kontanthjaelp -> anden_ydelse), given by band, or here also as one probability: a change month rescales both.
    raw = read_file(SCENARIOS / "aabenraa-kik2.toml")
    if not by_band:
        raw["transitions"][1]["probability"] = 0.015
    scenario = build(raw)
    structure = Structure.of(scenario)
    assert structure.rescaled_change
    touched = effect_transitions(scenario)
    nb = structure.n_benefit
    between = [i for i in touched if structure.target[i] < nb]
    assert between and any(structure.target[i] >= nb for i in touched)
    assert bool(structure.by_band[between].all()) == by_band
    values = for_scenario(scenario)
    base = base_rates(scenario, values)

    def probabilities(month):
        return transition_probabilities(scenario, rates_in_month(scenario, values, month, base))

    month = 30  # in the effects' ramp: both rates differ from month 0's
    factors = multiply_factors(scenario, values, month, touched)
    scale = base[:, touched, structure.reference[touched]] * factors
    band_rates = base[:, between] * factors[:, [touched.index(i) for i in between], None] if by_band else None
    before = month_moves(structure, probabilities(0))
    rescaled = rescaled_moves(structure, before, touched, scale, band_rates=band_rates)
    rebuilt = month_moves(structure, probabilities(month))
    changed = "band_probability" if by_band else "between_benefit"
    assert not np.allclose(getattr(before, changed), getattr(rebuilt, changed))
    for name in ("between_benefit", "flat_probability", "band_probability", "small", "leaving_else"):
        np.testing.assert_allclose(getattr(rescaled, name), getattr(rebuilt, name), rtol=1e-15, err_msg=name)
    # Not in place: the moves it started from are as they were; in place: the same numbers.
    unchanged = month_moves(structure, probabilities(0))
    for name in ("between_benefit", "band_probability", "leaving_else"):
        np.testing.assert_array_equal(getattr(before, name), getattr(unchanged, name), err_msg=name)
    in_place = rescaled_moves(structure, unchanged, touched, scale, in_place=True, band_rates=band_rates)
    for name in ("between_benefit", "band_probability", "leaving_else"):
        np.testing.assert_array_equal(getattr(in_place, name), getattr(rescaled, name), err_msg=name)
    # The whole run: the engine rescales these moves in the ramp months, as a rebuild of every month would give them.
    values = for_scenario(scenario, draws=2)
    np.testing.assert_allclose(simulate(scenario, values).headcount, reference_headcount(scenario, values),
                               rtol=1e-12, atol=1e-9)


# --- the settled anciennitet mix ---------------------------------------------------------------


def reference_settled_mix(scenario, values, months: int = 4096) -> np.ndarray:
    """The mix each state's stock holds after ``months`` months from empty under row 0's first-month rates
    and inflow, (S, A) in the scenario's order: the one-month matrix M written loop by loop from the rules
    of docs/model.md (as kikcalc computed it before it settled by iteration), the stock u (I + M + ... +
    M^(months-1)) summed by doubling, each state's row normalised; a state with no one at the last month.
    An outside state's persons who keep their anciennitet are nodes of their own, by months outside and
    anciennitet (:func:`reference_headcount`); its mix is the forgotten's, all at 0.
    """
    anc, states = scenario.anciennitet_months, scenario.states
    clock = max(reset_months(scenario.refusion) - 1, 0)
    index = {s.name: j for j, s in enumerate(states)}
    benefit = [s.is_benefit for s in states]
    outside = [j for j in range(len(states)) if not benefit[j]]
    p = transition_probabilities(scenario, rates_in_month(scenario, values, 0))[0]  # (n, A)
    arriving, entry = inflows(scenario, values)[0, 0], values.inflow_mix[0]  # (S,), (S, A)

    def node(j: int, a: int) -> int:
        return j * anc + (a if benefit[j] else 0)  # an outside state holds the forgotten at 0

    def kept(j: int, c: int, a: int) -> int:
        return len(states) * anc + (outside.index(j) * clock + c) * anc + a

    size = len(states) * anc + len(outside) * clock * anc
    matrix = np.zeros((size, size))
    groups = [(s, a, None) for s in range(len(states)) for a in range(anc if benefit[s] else 1)]
    groups += [(o, a, c) for o in outside for c in range(clock) for a in range(anc)]
    for s, a, c in groups:
        here = node(s, a) if c is None else kept(s, c, a)
        moves = []
        stay = 1.0
        for i, tr in enumerate(scenario.transitions):
            if index[tr.source] == s:
                q = p[i, a if benefit[s] else 0]
                stay -= q
                moves.append((index[tr.target], q))
        moves.append((s, stay))
        for j, q in moves:
            if benefit[s]:
                aged = min(a + 1, anc - 1)
                there = node(j, aged) if benefit[j] else kept(j, 0, aged) if clock else node(j, 0)
                matrix[here, there] += q
            elif c is None and benefit[j]:  # back from outside, forgotten: like an entrant
                matrix[here, j * anc: (j + 1) * anc] += q * entry[j]
            elif c is None or (not benefit[j] and c + 1 == clock):  # the forgotten, or a clock that runs out
                matrix[here, node(j, 0)] += q
            elif benefit[j]:  # back with the anciennitet kept
                matrix[here, node(j, a)] += q
            else:
                matrix[here, kept(j, c + 1, a)] += q
    u = np.zeros(size)
    for j in range(len(states)):
        if benefit[j]:
            u[j * anc: (j + 1) * anc] = arriving[j] * entry[j]
        else:
            u[node(j, 0)] = arriving[j]
    total, power = np.eye(size), matrix  # I + ... + M^(N-1) and M^N, for N = 1
    for _ in range(int(np.log2(months))):
        total, power = total + total @ power, power @ power
    stock = (u @ total)[: len(states) * anc].reshape(len(states), anc)
    persons = stock.sum(axis=1, keepdims=True)
    return np.where(persons > 0, stock / np.where(persons > 0, persons, 1.0), np.eye(anc)[-1])


def kikcalc_settled_mix(scenario, values) -> np.ndarray:
    """kikcalc's settled mix of row 0, (S, A) in the scenario's order."""
    structure = Structure.of(scenario)
    p = transition_probabilities(scenario, rates_in_month(scenario, values, 0))[:1]
    inflow = structure.inward(inflows(scenario, values)[:1, 0], axis=1)
    entry = structure.inward(values.inflow_mix[:1], axis=1)[:, :structure.n_benefit]
    return structure.outward(settled_anciennitet_mix(structure, p, inflow, entry), axis=1)[0]


def _settled_initial_mix(raw: dict, state: str = "kh") -> np.ndarray:
    """The initial stock's mix the engine gives a state with no initial_anciennitet (its initial must be > 0)."""
    scenario = build(raw)
    j = scenario.state_index(state)
    trajectory = simulate(scenario)
    assert trajectory.initial_mix_settled[j]
    return trajectory.initial_stock[0, j] / scenario.states[j].initial


@pytest.mark.parametrize("p", [0.5, 0.1, 0.02, 0.001])
def test_one_state_settles_into_the_geometric_mix(p):
    # Inflow at anciennitet 0, one exit p: the share at a months is p (1-p)^a, the open last month (1-p)^(A-1).
    # At p = 0.001 a sum over 4096 months would still miss 1.7 % of the last month ((1-p)^4096).
    mix = _settled_initial_mix(one_state(p_exit=p, initial=1000.0, inflow=40.0))
    a = np.arange(13)
    np.testing.assert_allclose(mix[:13], p * (1 - p) ** a, rtol=1e-10, atol=1e-15)
    assert mix[13] == pytest.approx((1 - p) ** 13, rel=1e-10)


def test_persons_who_return_from_outside_enter_like_inflow_and_settle_in_a_closed_loop():
    # With no memory of anciennitet (reset_after_weeks = 0): kh -> job by band, job -> kh only: nobody
    # ever leaves the pair, so the stock grows without end; it tends to the loop's own mix. Everyone
    # enters kh at 0 (inflow and returns alike), so the share at a months is proportional to the chance
    # of staying a months, prod_{b<a} (1 - p(b)), the last month's to that chance over p(A-1).
    raw = one_state(initial=1000.0, inflow=40.0)
    raw["refusion"] = {"reset_after_weeks": 0}
    raw["transitions"] = [{"from": "kh", "to": "job", "probability": {"0-5": 0.08, "6+": 0.03}},
                          {"from": "job", "to": "kh", "probability": 0.1}]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnsettledMixWarning)
        mix = _settled_initial_mix(raw)
    p = np.array([0.08] * 6 + [0.03] * 8)
    staying = np.concatenate([[1.0], np.cumprod(1 - p[:-1])])
    staying[-1] /= p[-1]
    np.testing.assert_allclose(mix, staying / staying.sum(), rtol=1e-10)


def test_a_state_nobody_leaves_settles_at_the_last_month():
    # anden keeps everyone it gets from kh: its stock grows without end, ever more of it at 13+ months.
    raw = one_state(initial=1000.0, inflow=40.0)
    raw["states"]["anden"] = {"initial": 200.0, "cost": 120_000}
    raw["transitions"].append({"from": "kh", "to": "anden", "probability": 0.02})
    np.testing.assert_array_equal(_settled_initial_mix(raw, "anden"), np.eye(14)[13])
    # The same when nobody leaves only after 12 months: the state is left by the young, kept by the old.
    raw["transitions"].append({"from": "anden", "to": "job", "probability": {"0-11": 0.2, "12+": 0.0}})
    np.testing.assert_array_equal(_settled_initial_mix(raw, "anden"), np.eye(14)[13])


def test_a_loop_that_never_settles_warns_and_says_which_states():
    # a and b swap everyone every month: the stock swings between them for ever, so no round settles it.
    raw = one_state(initial=0.0, inflow=10.0)
    raw["states"] = {"a": {"initial": 100.0, "inflow": 10.0, "cost": 120_000}, "b": {"initial": 0.0, "cost": 120_000}}
    raw["transitions"] = [{"from": "a", "to": "b", "probability": 1.0}, {"from": "b", "to": "a", "probability": 1.0}]
    scenario = build(raw)
    with pytest.warns(UnsettledMixWarning, match=rf"^a: no initial_anciennitet given.*{SETTLE_ROUNDS} rounds"):
        simulate(scenario)
    structure = Structure.of(scenario)
    p = transition_probabilities(scenario, rates_in_month(scenario, for_scenario(scenario), 0))
    settlement = settle(structure, p, np.array([[10.0, 0.0]]), np.eye(14)[None, [0, 0]], rounds=64)
    assert settlement.rounds[0] == 64 and settlement.unsettled[0].all()


def _random_structure(rng: np.random.Generator) -> dict:
    """2-4 benefit states, each leaving to 'gone' (nobody leaves it) with at least 0.02 a month at every
    anciennitet, so 4096 months of the series have settled; random moves between benefit states (flat and
    by band), to 'job' (probabilities and competing hazards), back from 'job', entrants with anciennitet."""
    n = int(rng.integers(2, 5))
    names = [f"b{i}" for i in range(n)]
    states: dict = {"job": {"kind": "outside"}}  # an outside state first: the engine's order differs
    for i, name in enumerate(names):
        states[name] = {"initial": 100.0 * (i + 1), "inflow": float(rng.uniform(0, 20)) if i else 10.0, "cost": 120_000}
        if rng.random() < 0.5:
            states[name]["inflow_anciennitet"] = {"0": 0.6, str(int(rng.integers(1, 14))): 0.4}
    states["gone"] = {"kind": "outside"}
    transitions = []
    for name in names:
        transitions.append({"from": name, "to": "gone", "probability": {"0-5": float(rng.uniform(0.02, 0.1)),
                                                                         "6+": float(rng.uniform(0.02, 0.1))}})
        for other in names:
            if other != name and rng.random() < 0.6:
                flat = rng.random() < 0.5
                q = float(rng.uniform(0.005, 0.05))
                transitions.append({"from": name, "to": other, "probability": q if flat else {"0-2": q, "3+": q / 3}})
        if rng.random() < 0.7:
            transitions.append({"from": name, "to": "job", "hazard": float(rng.uniform(0.1, 0.6)), "per": "year"})
    for name in names:
        if rng.random() < 0.5:
            transitions.append({"from": "job", "to": name, "probability": float(rng.uniform(0.001, 0.02))})
    transitions.append({"from": "job", "to": "gone", "probability": 0.01})
    return {"scenario": {"name": "random", "start": "2021-01", "end": "2021-06"}, "states": states,
            "transitions": transitions, "strategies": {"baseline": {}}}


@pytest.mark.parametrize("seed", range(8))
def test_the_settled_mix_is_the_plain_series_on_random_structures(seed):
    scenario = build(_random_structure(np.random.default_rng(seed)))
    values = for_scenario(scenario)
    expected = reference_settled_mix(scenario, values)
    trajectory = simulate(scenario)
    settled = trajectory.initial_mix_settled
    np.testing.assert_allclose(trajectory.initial_stock[0, settled] / values.initial[0, settled, None], expected[settled],
                               rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda path: path.stem)
def test_the_settled_mix_is_the_plain_series_on_the_shipped_scenarios(path):
    # As kikcalc settled it before, to 1e-10; except that a state nobody leaves (persons who reach its last
    # month stay for ever) is at the last month, where 4096 months leave 1/4096 at each earlier month.
    scenario = load(path)
    values = for_scenario(scenario)
    expected, mix = reference_settled_mix(scenario, values), kikcalc_settled_mix(scenario, values)
    p = transition_probabilities(scenario, rates_in_month(scenario, values, 0))[0]
    sources = [scenario.state_index(t.source) for t in scenario.transitions]
    for j, state in enumerate(scenario.states):
        if not state.is_benefit:
            continue
        kept = sum(p[i, -1] for i, s in enumerate(sources) if s == j) > 0
        reached = expected[j, :-1].sum() > 0
        np.testing.assert_allclose(mix[j], expected[j] if kept or not reached else np.eye(len(mix[j]))[-1],
                                   rtol=1e-10, atol=1e-12, err_msg=state.name)


def test_a_set_settles_the_same_bit_for_bit_whatever_it_is_settled_with():
    scenario = build(_every_path())
    structure = Structure.of(scenario)
    rng = np.random.default_rng(7)
    values = for_scenario(scenario, draws=6)
    probabilities = transition_probabilities(scenario, rates_in_month(scenario, values, 0))
    probabilities = probabilities * rng.uniform(0.5, 1.5, size=(len(probabilities), 1, 1))  # each set its own rates
    inflow = structure.inward(inflows(scenario, values)[:, 0], axis=1) * rng.uniform(0.5, 2.0, size=(len(probabilities), 1))
    entry = structure.inward(values.inflow_mix, axis=1)[:, :structure.n_benefit]
    together = settle(structure, probabilities, inflow, entry)
    assert len(set(together.rounds.tolist())) > 1  # the sets stop in different rounds
    for d in range(len(probabilities)):
        alone = settle(structure, probabilities[d: d + 1], inflow[d: d + 1], entry[d: d + 1])
        np.testing.assert_array_equal(alone.mix[0], together.mix[d])
        assert alone.rounds[0] == together.rounds[d]


def test_a_model_of_500_states_settles_in_bounded_memory():
    # 497 benefit states x 14 anciennitet months and 3 outside states: a one-month matrix of 7,000 x 7,000
    # numbers (390 MB), and far more to sum its series by doubling; settling keeps a few stocks.
    scenario = build(large_raw(n_benefit=497, n_outside=3, months=1))
    Structure.of(scenario)
    tracemalloc.start()
    try:
        trajectory = simulate(scenario, keep_flows=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert trajectory.initial_mix_settled.sum() == 497
    assert peak < 150 * 2**20, f"peak {peak / 2**20:.0f} MiB"
