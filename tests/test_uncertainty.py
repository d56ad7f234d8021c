"""The [uncertainty] table: distributions against their stated moments, checks, designs and the copula.

Every expected number here is a closed form of the distribution (or scipy.stats' moments of the
distribution the entry names), never kikcalc's own arithmetic repeated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from conftest import one_state, with_changes
from kikcalc.errors import ScenarioError
from kikcalc.sampling import BLOCK_DRAWS, Design
from kikcalc.scenario import build
from kikcalc.uncertainty import read

DRAWS = 16_384  # a power of 2, which keeps a Sobol sequence balanced
SAMPLERS = ("random", "lhs", "sobol")


def _raw(**uncertainty_and_more) -> dict:
    """One benefit state leaving at 10 % a month, a level target, and the given top-level tables."""
    raw = one_state(p_exit=0.1, months=24)
    raw["targets"] = [{"name": "level", "states": ["kh"], "at": "2020-06", "max": 500}]
    return with_changes(raw, **uncertainty_and_more)


def _one(path: str, entry: dict, **more):
    """The scenario with one uncertain number, and its Uncertainty."""
    scenario = build(_raw(uncertainty={path: entry}, **more))
    uncertainty, problems = read(scenario)
    assert problems == []
    return scenario, uncertainty


def _draws(path: str, entry: dict, sampler: str, draws: int = DRAWS, seed: int = 20260601, **more) -> np.ndarray:
    _, uncertainty = _one(path, entry, **more)
    return Design(uncertainty, draws, seed, sampler).numbers(0, draws)[:, 0]


def _truncnorm(mean: float, sd: float, low: float = -math.inf, high: float = math.inf):
    """A truncnormal entry's mean and sd are its parent normal's: scipy's truncnorm with loc = mean, scale = sd."""
    return stats.truncnorm((low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd)


INFLOW_BY_YEAR = {"states": {"kh": {"initial": 1000.0, "inflow": {"2020": 20, "2021": 30}, "cost": 120_000},
                             "job": {"kind": "outside"}}}

# (id, key path, entry, (mean, variance) in closed form, more top-level tables)
MOMENTS = [
    ("beta-mean-sd", "transitions[0].probability", {"dist": "beta", "mean": 0.1, "sd": 0.03}, (0.1, 0.03**2), {}),
    ("beta-a-b", "transitions[0].probability", {"dist": "beta", "a": 2.0, "b": 18.0},
     (2 / 20, 2 * 18 / (20**2 * 21)), {}),
    ("gamma-mean-sd", "states.kh.cost", {"dist": "gamma", "mean": 120_000, "sd": 15_000}, (120_000, 15_000**2), {}),
    ("gamma-shape-scale", "states.kh.cost", {"dist": "gamma", "shape": 4.0, "scale": 30_000.0},
     (4 * 30_000, 4 * 30_000**2), {}),
    ("lognormal-mean-sd", "states.kh.cost", {"dist": "lognormal", "mean": 120_000, "sd": 40_000},
     (120_000, 40_000**2), {}),
    ("lognormal-mu-sigma", "states.kh.cost", {"dist": "lognormal", "mu": 11.6, "sigma": 0.3},
     (math.exp(11.6 + 0.3**2 / 2), (math.exp(0.3**2) - 1) * math.exp(2 * 11.6 + 0.3**2)), {}),
    ("normal", "targets[0].max", {"dist": "normal", "mean": 500, "sd": 50}, (500, 50**2), {}),
    ("truncnormal-two-sided", "transitions[0].probability",
     {"dist": "truncnormal", "mean": 0.1, "sd": 0.05, "low": 0.0, "high": 0.3}, _truncnorm(0.1, 0.05, 0.0, 0.3).stats("mv"), {}),
    ("truncnormal-low", "states.kh.cost", {"dist": "truncnormal", "mean": 20_000, "sd": 15_000, "low": 0.0},
     _truncnorm(20_000, 15_000, low=0.0).stats("mv"), {}),
    ("truncnormal-high", "targets[0].max", {"dist": "truncnormal", "mean": 500, "sd": 50, "high": 520},
     _truncnorm(500, 50, high=520).stats("mv"), {}),
    ("triangular", "transitions[0].probability", {"dist": "triangular", "low": 0.05, "mode": 0.08, "high": 0.15},
     ((0.05 + 0.08 + 0.15) / 3, (0.05**2 + 0.08**2 + 0.15**2 - 0.05 * 0.08 - 0.05 * 0.15 - 0.08 * 0.15) / 18), {}),
    ("uniform", "states.kh.initial", {"dist": "uniform", "low": 800, "high": 1200}, (1000, 400**2 / 12), {}),
    ("gamma-factor-on-a-series", "states.kh.inflow", {"dist": "gamma", "mean": 1.0, "sd": 0.1, "scale": True},
     (1.0, 0.1**2), INFLOW_BY_YEAR),
]


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize(("path", "entry", "moments", "more"), [c[1:] for c in MOMENTS], ids=[c[0] for c in MOMENTS])
def test_the_draws_have_the_stated_mean_and_sd(sampler, path, entry, moments, more):
    """Sample mean within 4 standard errors of the closed-form mean, sample variance within 4 of its own
    standard error (from the sample's fourth central moment) of the closed-form variance."""
    mean, variance = (float(m) for m in moments)
    x = _draws(path, entry, sampler, **more)
    assert x.shape == (DRAWS,) and np.isfinite(x).all()
    assert abs(x.mean() - mean) <= 4 * math.sqrt(variance / DRAWS), (x.mean(), mean)
    centred = x - x.mean()
    sample_variance = float(np.mean(centred**2))
    se_variance = math.sqrt((np.mean(centred**4) - sample_variance**2) / DRAWS)
    assert abs(sample_variance - variance) <= 4 * se_variance, (sample_variance, variance)


@pytest.mark.parametrize(("path", "entry", "moments", "more"), [c[1:] for c in MOMENTS], ids=[c[0] for c in MOMENTS])
def test_the_parameters_given_become_scipy_distributions_with_the_stated_moments(path, entry, moments, more):
    """mean/sd -> scipy's parameters (and the own parameters as given): scipy.stats' exact moments of the
    distribution kikcalc builds equal the closed form. Two moments pin down each two-parameter family."""
    mean, variance = (float(m) for m in moments)
    _, uncertainty = _one(path, entry, **more)
    (item,) = uncertainty.inputs
    scipy_mean, scipy_variance = (float(m) for m in item.frozen().stats("mv"))
    assert scipy_mean == pytest.approx(mean, rel=1e-12)
    assert scipy_variance == pytest.approx(variance, rel=1e-10)
    assert item.mean == pytest.approx(mean, rel=1e-12)
    assert item.sd == pytest.approx(math.sqrt(variance), rel=1e-10)


ZERO_SPREAD = [
    ("transitions[0].probability", {"dist": "beta", "mean": 0.07, "sd": 0}, 0.07, {}),
    ("states.kh.cost", {"dist": "gamma", "mean": 110_000, "sd": 0}, 110_000, {}),
    ("states.kh.cost", {"dist": "lognormal", "mean": 95_000, "sd": 0}, 95_000, {}),
    ("targets[0].max", {"dist": "normal", "mean": 450, "sd": 0}, 450, {}),
    ("transitions[0].probability", {"dist": "truncnormal", "mean": 0.2, "sd": 0, "low": 0, "high": 1}, 0.2, {}),
    ("transitions[0].probability", {"dist": "triangular", "low": 0.3, "mode": 0.3, "high": 0.3}, 0.3, {}),
    ("states.kh.initial", {"dist": "uniform", "low": 900, "high": 900}, 900, {}),
    ("states.kh.inflow", {"dist": "gamma", "mean": 1.0, "sd": 0, "scale": True}, 1.0, INFLOW_BY_YEAR),
]


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize(("path", "entry", "point", "more"), ZERO_SPREAD, ids=[e["dist"] for _, e, _, _ in ZERO_SPREAD])
def test_zero_spread_gives_the_point_in_every_draw(sampler, path, entry, point, more):
    x = _draws(path, entry, sampler, draws=64, **more)
    np.testing.assert_array_equal(x, np.full(64, float(point)))
    (item,) = _one(path, entry, **more)[1].inputs
    assert item.sd == 0.0 and item.endpoints() == (float(point), float(point))


# --- designs and the copula -------------------------------------------------------------------


@pytest.mark.parametrize("sampler", ["lhs", "sobol"])
def test_a_uniform_design_hands_out_the_same_rows_whatever_the_split(sampler):
    uncertainty = _correlated(0.6)
    design = Design(uncertainty, 2100, 7, sampler)
    whole = Design(uncertainty, 2100, 7, sampler).uniforms(0, 2100)
    assert whole.shape == (2100, 4) and ((whole > 0) & (whole < 1)).all()
    for step in (7, 700, 1024, 1500):
        pieces = [design.uniforms(first, min(first + step, 2100)) for first in range(0, 2100, step)]
        np.testing.assert_array_equal(np.concatenate(pieces), whole)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_a_draws_numbers_do_not_depend_on_the_draws_asked_for_with_it(sampler):
    """Bit for bit, correlated and independent inputs alike: the draws one at a time, in pieces across the
    random sampler's blocks of 1024 draws, or all at once, from a fresh design or one already used."""
    uncertainty = _correlated(0.6)
    whole = Design(uncertainty, 2100, 7, sampler).numbers(0, 2100)
    assert whole.shape == (2100, 4) and np.isfinite(whole).all()
    design = Design(uncertainty, 2100, 7, sampler)
    for step in (1, 7, 700, 1024, 1500):
        pieces = [design.numbers(first, min(first + step, 2100)) for first in range(0, 2100, step)]
        np.testing.assert_array_equal(np.concatenate(pieces), whole)
    np.testing.assert_array_equal(design.numbers(1000, 1100), whole[1000:1100])  # backwards, across a block
    with pytest.raises(ValueError, match="not within"):
        design.numbers(2000, 2101)


def _correlated(rank: float):
    """Three inputs in a chain of rank correlations, and a fourth independent of them."""
    raw = _raw(uncertainty={"transitions[0].probability": {"dist": "beta", "mean": 0.1, "sd": 0.03},
                            "states.kh.cost": {"dist": "gamma", "mean": 120_000, "sd": 15_000},
                            "states.kh.initial": {"dist": "uniform", "low": 800, "high": 1200},
                            "targets[0].max": {"dist": "normal", "mean": 500, "sd": 50}},
               correlations=[{"between": ["transitions[0].probability", "states.kh.cost"], "rank": rank},
                             {"between": ["states.kh.cost", "states.kh.initial"], "rank": -rank / 2}])
    uncertainty, problems = read(build(raw))
    assert problems == []
    return uncertainty


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_the_draws_have_the_stated_rank_correlations_and_keep_their_marginals(sampler):
    rank = 0.6
    x = Design(_correlated(rank), DRAWS, 5, sampler).numbers(0, DRAWS)
    spearman = stats.spearmanr(x).statistic
    # Spearman's rho has a standard error below 1/sqrt(N) (0.008 here): 4 of them.
    assert spearman[0, 1] == pytest.approx(rank, abs=0.03)
    assert spearman[1, 2] == pytest.approx(-rank / 2, abs=0.03)
    assert spearman[0, 2] == pytest.approx(0.0, abs=0.03)
    np.testing.assert_allclose(spearman[3, :3], 0.0, atol=0.03)  # the independent input
    # The marginals stay the stated distributions: the mean of each within 4 standard errors.
    for column, (mean, sd) in enumerate([(0.1, 0.03), (120_000, 15_000), (1000, 400 / math.sqrt(12)), (500, 50)]):
        assert abs(x[:, column].mean() - mean) <= 4 * sd / math.sqrt(DRAWS)


def _block_stream(seed: int, block: int) -> np.random.Generator:
    """The random sampler's stream of block ``block``, as its rule states it."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


def test_the_random_sampler_draws_each_block_from_its_own_stream_in_the_stated_order():
    """The stream rule pinned against scipy.stats itself: per block, the copula's standard normals (rows x the
    correlated inputs), then each independent input's ``.rvs`` in [uncertainty] order; a point draws nothing.
    The correlated pair: a two-dimensional Gaussian copula with normal-score correlation rho = 2 sin(pi r / 6),
    whose Cholesky factor is [[1, 0], [rho, sqrt(1 - rho^2)]]."""
    rank, seed, draws = 0.5, 31, 1500  # two blocks, the second of 476 draws
    raw = _raw(uncertainty={"transitions[0].probability": {"dist": "beta", "a": 2.0, "b": 18.0},
                            "states.kh.cost": {"dist": "lognormal", "mean": 120_000, "sd": 40_000},
                            "states.kh.initial": {"dist": "uniform", "low": 800, "high": 1200},
                            "targets[0].max": {"dist": "normal", "mean": 450, "sd": 0},
                            "states.kh.inflow": {"dist": "gamma", "mean": 20, "sd": 4}},
               correlations=[{"between": ["states.kh.cost", "states.kh.inflow"], "rank": rank}])
    uncertainty, problems = read(build(raw))
    assert problems == [] and uncertainty.paths[0] == "transitions[0].probability"
    x = Design(uncertainty, draws, seed).numbers(0, draws)
    rho = 2 * math.sin(math.pi * rank / 6)
    cost = stats.lognorm(math.sqrt(math.log1p((40_000 / 120_000) ** 2)),
                         scale=120_000 / math.sqrt(1 + (40_000 / 120_000) ** 2))
    inflow = stats.gamma((20 / 4) ** 2, scale=4**2 / 20)
    for block, n in ((0, BLOCK_DRAWS), (1, draws - BLOCK_DRAWS)):
        rows = slice(block * BLOCK_DRAWS, block * BLOCK_DRAWS + n)
        stream = _block_stream(seed, block)  # a block is drawn whole (1,024 draws), also the last, and cut
        z = stream.standard_normal((BLOCK_DRAWS, 2))[:n]
        np.testing.assert_array_equal(x[rows, 0], stats.beta(2.0, 18.0).rvs(size=BLOCK_DRAWS, random_state=stream)[:n])
        np.testing.assert_array_equal(x[rows, 2], stats.uniform(800, 400).rvs(size=BLOCK_DRAWS, random_state=stream)[:n])
        np.testing.assert_array_equal(x[rows, 3], np.full(n, 450.0))
        np.testing.assert_allclose(x[rows, 1], cost.ppf(stats.norm.cdf(z[:, 0])), rtol=1e-12)
        np.testing.assert_allclose(x[rows, 4], inflow.ppf(stats.norm.cdf(rho * z[:, 0] + math.sqrt(1 - rho**2) * z[:, 1])),
                                   rtol=1e-10)


def test_an_input_drawn_alone_is_scipys_rvs_on_the_block_stream():
    """With no correlation at all, one beta's draws are scipy.stats' beta .rvs on each block's stream, block after
    block: what a reader can reproduce from the docs with scipy alone."""
    seed, draws = 20260601, 3000
    x = _draws("transitions[0].probability", {"dist": "beta", "mean": 0.1, "sd": 0.03}, "random", draws=draws, seed=seed)
    k = 0.1 * 0.9 / 0.03**2 - 1
    beta = stats.beta(0.1 * k, 0.9 * k)
    expected = np.concatenate([beta.rvs(size=BLOCK_DRAWS, random_state=_block_stream(seed, b)) for b in range(3)])[:draws]
    np.testing.assert_array_equal(x, expected)


# --- checks -----------------------------------------------------------------------------------


def _problems(raw: dict) -> list:
    with pytest.raises(ScenarioError) as caught:
        build(raw, "x.toml")
    return [(p.path, p.message) for p in caught.value.problems]


THREE = {"transitions[0].probability": {"dist": "beta", "mean": 0.1, "sd": 0.03},
         "states.kh.cost": {"dist": "gamma", "mean": 120_000, "sd": 15_000},
         "states.kh.initial": {"dist": "uniform", "low": 800, "high": 1200}}

# (id, top-level tables, key path of the one problem, words its message holds)
INVALID = [
    ("a-text", {"uncertainty": {"scenario.name": {"dist": "gamma", "mean": 1.0, "sd": 0.1}}},  # not "structure"
     'uncertainty."scenario.name"', "'scenario.name' names no number the model can draw: is a text (\"test\"), not a number"),
    ("an-observation", {"observed": {"kh": {"persons": {"2020-06-01": 600}}},
                        "uncertainty": {"observed.kh.persons.2020-06-01": {"dist": "gamma", "mean": 600.0, "sd": 10.0}}},
     'uncertainty."observed.kh.persons.2020-06-01"', "is an observation (what kikcalc calibrate and followup compare"),
    ("beta-sd-impossible", {"uncertainty": {"transitions[0].probability": {"dist": "beta", "mean": 0.1, "sd": 0.35}}},
     'uncertainty."transitions[0].probability"', f"sqrt(mean (1 - mean)) = {math.sqrt(0.1 * 0.9):.4g}, got 0.35"),
    ("normal-on-a-cost", {"uncertainty": {"states.kh.cost": {"dist": "normal", "mean": 120_000, "sd": 10_000}}},
     'uncertainty."states.kh.cost"', "a normal here can draw any negative number"),
    ("gamma-on-a-probability", {"uncertainty": {"transitions[0].probability": {"dist": "gamma", "mean": 0.1, "sd": 0.03}}},
     'uncertainty."transitions[0].probability"', "monthly probability of at most 1; use beta"),
    ("unknown-dist", {"uncertainty": {"transitions[0].probability": {"dist": "betta", "mean": 0.1, "sd": 0.03}}},
     'uncertainty."transitions[0].probability".dist', "unknown distribution 'betta'; expected one of beta"),
    ("unknown-dist-suggestion", {"uncertainty": {"states.kh.cost": {"dist": "lognorm", "mean": 1e5, "sd": 1e4}}},
     'uncertainty."states.kh.cost".dist', 'did you mean "lognormal"?'),
    ("path-does-not-exist", {"uncertainty": {"transitions[0].probabilty": {"dist": "beta", "mean": 0.1, "sd": 0.03}}},
     'uncertainty."transitions[0].probabilty"', "nearest: transitions[0].probability"),
    ("state-does-not-exist", {"uncertainty": {"states.kx.cost": {"dist": "gamma", "mean": 1e5, "sd": 1e4}}},
     'uncertainty."states.kx.cost"', "nearest: states.kh.cost"),
    ("series-without-scale", {**INFLOW_BY_YEAR, "uncertainty": {"states.kh.inflow": {"dist": "gamma", "mean": 25, "sd": 3}}},
     'uncertainty."states.kh.inflow"', "is a table of numbers (by year, month or anciennitet band); add scale = true"),
    ("a-series-and-its-entry", {**INFLOW_BY_YEAR, "uncertainty": {
        "states.kh.inflow": {"dist": "gamma", "mean": 1, "sd": 0.1, "scale": True},
        "states.kh.inflow.2021": {"dist": "gamma", "mean": 30, "sd": 3}}},
     'uncertainty."states.kh.inflow.2021"', "given together with 'states.kh.inflow', and one holds the other"),
    ("an-entry-and-its-series", {**INFLOW_BY_YEAR, "uncertainty": {
        "states.kh.inflow.2021": {"dist": "gamma", "mean": 30, "sd": 3},
        "states.kh.cost": {"dist": "gamma", "mean": 120_000, "sd": 15_000},
        "states.kh.inflow.2020": {"dist": "gamma", "mean": 20, "sd": 3},
        "states.kh.inflow": {"dist": "gamma", "mean": 1, "sd": 0.1, "scale": True}}},
     'uncertainty."states.kh.inflow"', "given together with 'states.kh.inflow.2021'"),
    ("factor-that-can-be-negative", {**INFLOW_BY_YEAR, "uncertainty": {
        "states.kh.inflow": {"dist": "normal", "mean": 1, "sd": 0.1, "scale": True}}},
     'uncertainty."states.kh.inflow"', "can draw a negative factor"),
    ("not-positive-definite", {"uncertainty": THREE, "correlations": [
        {"between": ["transitions[0].probability", "states.kh.cost"], "rank": 0.9},
        {"between": ["transitions[0].probability", "states.kh.initial"], "rank": 0.9},
        {"between": ["states.kh.cost", "states.kh.initial"], "rank": -0.9}]},
     "correlations", "not positive definite"),
    ("correlation-with-a-number-not-uncertain", {"uncertainty": THREE, "correlations": [
        {"between": ["states.kh.cost", "states.kh.inflow"], "rank": 0.5}]},
     "correlations[0].between", "'states.kh.inflow' is not an entry of [uncertainty]"),
    ("gamma-scale-not-a-number", {"uncertainty": {"states.kh.cost": {"dist": "gamma", "shape": 2.0, "scale": "big"}}},
     'uncertainty."states.kh.cost".scale', "expected a finite number"),
    ("scale-flag-not-a-boolean", {"uncertainty": {"states.kh.cost": {"dist": "lognormal", "mean": 1, "sd": 0.1, "scale": 2.0}}},
     'uncertainty."states.kh.cost".scale', "expected true or false, got 2.0"),
    ("gamma-scale-flag-as-text", {"uncertainty": {"states.kh.cost": {"dist": "gamma", "mean": 1, "sd": 0.1, "scale": "yes"}}},
     'uncertainty."states.kh.cost".scale', "expected true or false (one factor on the whole number), or, with shape"),
]


@pytest.mark.parametrize(("tables", "path", "words"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_a_bad_entry_is_one_problem_at_its_key_path(tables, path, words):
    problems = _problems(_raw(**tables))
    assert len(problems) == 1, problems
    assert problems[0][0] == path
    assert words in problems[0][1], problems[0][1]


def test_the_beta_sd_limit_is_exactly_sqrt_mean_one_minus_mean():
    """Just under the limit is a beta (tiny a and b); at or above it is refused."""
    mean = 0.25  # m (1 - m) = 3/16 and its square root are exact in binary
    limit = math.sqrt(mean * (1 - mean))
    _, uncertainty = _one("transitions[0].probability", {"dist": "beta", "mean": mean, "sd": limit * (1 - 1e-6)})
    assert uncertainty.inputs[0].mean == pytest.approx(mean, rel=1e-9)
    for sd in (limit, limit * 1.01):
        problems = _problems(_raw(uncertainty={"transitions[0].probability": {"dist": "beta", "mean": mean, "sd": sd}}))
        assert [p for p, _ in problems] == ['uncertainty."transitions[0].probability"']


def test_a_spread_too_small_to_draw_is_told_that_sd_0_keeps_the_number_certain():
    """A beta whose sd is 1e-11 beside its mean cannot be drawn (its inverse CDF gives NaN): the problem says so and
    that sd = 0 is the way to say "certain"; a drawable small spread gets no such hint."""
    from kikcalc.uncertainty import probe

    scenario = build(_raw(uncertainty={"transitions[0].probability": {"dist": "beta", "mean": 0.0142359, "sd": 1e-11}}))
    problems = probe(read(scenario)[0], scenario)
    assert [p.path for p in problems] == ['uncertainty."transitions[0].probability"']
    assert "no finite number" in problems[0].message and "sd = 0 keeps the number certain" in problems[0].message
    fine = build(_raw(uncertainty={"transitions[0].probability": {"dist": "beta", "mean": 0.1, "sd": 0.001}}))
    assert probe(read(fine)[0], fine) == []


def test_a_distribution_scipy_cannot_evaluate_is_a_problem_not_a_crash():
    """A beta with a = b = 1e-308 makes scipy's inverse CDF raise OverflowError (boost's beta function): that is a
    problem at the entry's key path, as for any distribution beyond floating point, never a crash (exit 3)."""
    from kikcalc.uncertainty import probe

    scenario = build(_raw(uncertainty={"transitions[0].probability": {"dist": "beta", "a": 1e-308, "b": 1e-308}}))
    problems = probe(read(scenario)[0], scenario)
    assert [p.path for p in problems] == ['uncertainty."transitions[0].probability"']
    assert "a = 1e-308, b = 1e-308" in problems[0].message and "cannot be evaluated" in problems[0].message
