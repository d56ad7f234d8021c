"""The draws of a whole sensitivity run across the random sampler's blocks: the same bit for bit whatever the
chunks and workers, and each draw the one kikcalc.sampling hands out for its number.

Within one block this is tests/test_sensitivity.py's reproducibility test; here the runs cross the boundaries
of blocks of BLOCK_DRAWS draws, with chunks that straddle them, on independent and copula inputs alike.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import one_state, with_changes
from kikcalc.errors import ScenarioError
from kikcalc.sampling import BLOCK_DRAWS, Design
from kikcalc.scenario import build
from kikcalc.sensitivity import Outcomes, run
from kikcalc.uncertainty import read

DRAWS = 2 * BLOCK_DRAWS + 77  # three blocks, the last a short one


def _scenario():
    raw = with_changes(one_state(p_exit=0.1, months=12),
                       uncertainty={"transitions[0].probability": {"dist": "beta", "mean": 0.1, "sd": 0.03},
                                    "states.kh.cost": {"dist": "gamma", "mean": 120_000, "sd": 15_000},
                                    "states.kh.initial": {"dist": "uniform", "low": 800, "high": 1200}},
                       correlations=[{"between": ["transitions[0].probability", "states.kh.initial"], "rank": -0.4}])
    scenario = build(raw)
    uncertainty, problems = read(scenario)
    assert problems == []
    return scenario, uncertainty


@pytest.mark.parametrize("sampler", ["random", "sobol"])
def test_a_run_across_blocks_draws_the_same_numbers_whatever_the_chunks_and_workers(sampler):
    scenario, uncertainty = _scenario()
    per_draw = len(scenario.strategies)
    first = run(scenario, uncertainty, DRAWS, seed=5, sampler=sampler, keep_drawn=True)
    np.testing.assert_array_equal(first.drawn, Design(uncertainty, DRAWS, 5, sampler).numbers(0, DRAWS))
    assert len(np.unique(first.drawn[:, 1])) == DRAWS  # every draw its own numbers
    for chunk_rows, workers in ((per_draw * 1000, 1), (per_draw * 3 * BLOCK_DRAWS, 1), (per_draw * 700, 2)):
        again = run(scenario, uncertainty, DRAWS, seed=5, sampler=sampler, chunk_rows=chunk_rows, workers=workers,
                    keep_drawn=True)
        np.testing.assert_array_equal(again.drawn, first.drawn)
        for name in Outcomes.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(again.outcomes, name), getattr(first.outcomes, name), err_msg=name)
        assert again.summary == first.summary


@pytest.mark.parametrize("sampler", ["random", "sobol"])
def test_a_draws_numbers_do_not_depend_on_how_many_draws_are_asked_for(sampler):
    """The first 1,100 draws of a 1,500-draw design are those of an 1,100-draw design, copula inputs (drawn
    first in a random block) and independent ones alike: a block is drawn whole where the draws end within it."""
    _, uncertainty = _scenario()
    short = Design(uncertainty, BLOCK_DRAWS + 76, 11, sampler).numbers(0, BLOCK_DRAWS + 76)
    longer = Design(uncertainty, BLOCK_DRAWS + 476, 11, sampler).numbers(0, BLOCK_DRAWS + 76)
    np.testing.assert_array_equal(short, longer)


def _three_states() -> dict:
    """kh (one_state's), rf and ud, each with an exit to job: numbers of every kind for [uncertainty] entries."""
    raw = one_state(p_exit=0.1, months=12)
    raw["states"] |= {"rf": {"initial": 100.0, "inflow": 3.0, "cost": 100_000}, "ud": {"initial": 50.0, "cost": 90_000}}
    raw["transitions"] += [{"from": "rf", "to": "job", "probability": 0.05}, {"from": "ud", "to": "job", "probability": 0.2}]
    return raw


def test_a_rank_correlation_of_zero_leaves_its_numbers_independent_and_may_not_be_given_twice():
    """rank = 0 is a correlation like any other between -1 and 1: the run draws the two numbers as independent
    ones (the same numbers as without the entry); the same pair given again, at 0 or not, is a problem."""
    base = one_state(p_exit=0.1, months=12)
    table = {"transitions[0].probability": {"dist": "beta", "mean": 0.1, "sd": 0.03},
             "states.kh.cost": {"dist": "gamma", "mean": 120_000, "sd": 15_000}}
    pair = ["transitions[0].probability", "states.kh.cost"]
    zero = build(with_changes(base, uncertainty=table, correlations=[{"between": pair, "rank": 0}]))
    plain = build(with_changes(base, uncertainty=table))
    uncertainty, problems = read(zero)
    assert problems == []
    np.testing.assert_array_equal(Design(uncertainty, 300, 4).numbers(0, 300), Design(read(plain)[0], 300, 4).numbers(0, 300))
    twice = with_changes(base, uncertainty=table, correlations=[{"between": pair, "rank": 0}, {"between": pair[::-1], "rank": 0.3}])
    with pytest.raises(ScenarioError, match="given a rank correlation twice"):
        build(twice)


def test_the_random_samplers_block_is_each_inputs_own_rvs_one_after_the_other_in_the_stream():
    """Inputs next to each other of one distribution (three betas, two gammas with different scales, two uniforms,
    two lognormals) are drawn together, a point and a truncnormal on their own, a correlated pair by the copula:
    every independent input's numbers must be its own scipy.stats .rvs of BLOCK_DRAWS, drawn one after the other
    from the block's stream after the copula's normals, as the sampler documents."""
    from scipy import stats

    raw = _three_states()
    raw["uncertainty"] = {
        "transitions[0].probability": {"dist": "beta", "mean": 0.1, "sd": 0.03},
        "transitions[1].probability": {"dist": "beta", "mean": 0.05, "sd": 0.01},
        "transitions[2].probability": {"dist": "beta", "mean": 0.2, "sd": 0.05},
        "states.kh.cost": {"dist": "gamma", "mean": 120_000, "sd": 15_000},
        "states.rf.cost": {"dist": "gamma", "mean": 100_000, "sd": 30_000},
        "states.ud.cost": {"dist": "uniform", "low": 80_000, "high": 95_000},
        "states.kh.initial": {"dist": "uniform", "low": 800, "high": 1200},
        "states.rf.initial": {"dist": "lognormal", "mean": 100, "sd": 10},
        "states.ud.initial": {"dist": "lognormal", "mean": 50, "sd": 20},
        "states.kh.inflow": {"dist": "gamma", "mean": 1.0, "sd": 0.0, "scale": True},  # a point: draws nothing
        "states.rf.inflow": {"dist": "truncnormal", "mean": 3.0, "sd": 1.0, "low": 0.0},
        "scenario.discount_rate": {"dist": "beta", "mean": 0.03, "sd": 0.01},
    }
    raw["correlations"] = [{"between": ["states.kh.initial", "scenario.discount_rate"], "rank": 0.5}]
    scenario = build(raw)
    uncertainty, problems = read(scenario)
    assert problems == []
    seed = 99
    numbers = Design(uncertainty, BLOCK_DRAWS + 5, seed).numbers(BLOCK_DRAWS, BLOCK_DRAWS + 5)  # block 1
    generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(1,))))
    generator.standard_normal((BLOCK_DRAWS, 2))  # the copula's normals come first
    paths = uncertainty.paths
    expected = {}
    for path, entry in raw["uncertainty"].items():
        if path in ("states.kh.initial", "scenario.discount_rate"):
            continue
        if entry.get("sd") == 0.0:
            expected[path] = np.full(BLOCK_DRAWS, 1.0)
            continue
        item = uncertainty.inputs[paths.index(path)]
        frozen = getattr(stats, item.scipy_name)(*item.scipy_args, **dict(item.scipy_kwargs))
        expected[path] = frozen.rvs(size=BLOCK_DRAWS, random_state=generator)
    for path, column in expected.items():
        np.testing.assert_array_equal(numbers[:, paths.index(path)], column[:5], err_msg=path)


@pytest.mark.parametrize("sampler", ["lhs", "sobol"])
def test_the_uniform_samplers_numbers_are_each_inputs_own_inverse_cdf_of_its_column(sampler):
    """Inputs of one distribution (betas, gammas, lognormals, uniforms, truncnormals, triangulars; a point)
    take their inverse CDFs together: every input's numbers must be its own scipy.stats frozen distribution's ppf
    of its column of the design, as the sampler documents."""
    from scipy import stats

    raw = _three_states()
    raw["uncertainty"] = {
        "transitions[0].probability": {"dist": "beta", "mean": 0.1, "sd": 0.03},
        "states.kh.cost": {"dist": "gamma", "mean": 120_000, "sd": 15_000},
        "transitions[1].probability": {"dist": "beta", "mean": 0.05, "sd": 0.01},
        "states.rf.cost": {"dist": "gamma", "mean": 100_000, "sd": 30_000},
        "transitions[2].probability": {"dist": "triangular", "low": 0.1, "mode": 0.2, "high": 0.4},
        "states.ud.cost": {"dist": "uniform", "low": 80_000, "high": 95_000},
        "states.kh.initial": {"dist": "uniform", "low": 800, "high": 1200},
        "states.rf.initial": {"dist": "lognormal", "mean": 100, "sd": 10},
        "states.ud.initial": {"dist": "lognormal", "mean": 50, "sd": 20},
        "states.kh.inflow": {"dist": "gamma", "mean": 1.0, "sd": 0.0, "scale": True},  # a point
        "states.rf.inflow": {"dist": "truncnormal", "mean": 3.0, "sd": 1.0, "low": 0.0},
        "states.ud.inflow": {"dist": "truncnormal", "mean": 2.0, "sd": 0.5, "low": 1.0, "high": 4.0},
        "states.kh.measures_cost": {"dist": "truncnormal", "mean": 5_000, "sd": 500, "low": 0.0},
        "scenario.discount_rate": {"dist": "triangular", "low": 0.01, "mode": 0.03, "high": 0.05},
    }
    scenario = build(raw)
    uncertainty, problems = read(scenario)
    assert problems == []
    design = Design(uncertainty, 300, 7, sampler)
    numbers, uniforms = design.numbers(40, 300), design.uniforms(40, 300)
    for i, item in enumerate(uncertainty.inputs):
        if item.point is not None:
            np.testing.assert_array_equal(numbers[:, i], np.full(260, 1.0), err_msg=item.path)
            continue
        frozen = getattr(stats, item.scipy_name)(*item.scipy_args, **dict(item.scipy_kwargs))
        expected = frozen.ppf(uniforms[:, i])
        assert numbers[:, i].tobytes() == expected.tobytes(), item.path
