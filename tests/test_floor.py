"""The benchmark floor (benchmarks/floor.py) computes what kikcalc computes, draw by draw.

Each draw of the benchmark workload is also written as a kikcalc scenario with its two strategies
(benchmarks/workload.py); kikcalc runs it and the floor's rows for that draw must agree with it:
the net benefit cost over the horizon and the full-time persons in month 48.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import kikcalc
from kikcalc.scenario import build

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.floor import MONTH_KEPT, floor  # noqa: E402
from benchmarks.workload import draw_rows, scenario_raw, take  # noqa: E402

RTOL = 1e-9


def kikcalc_rows(params: dict, draws: range) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """kikcalc's net cost (2R,), full-time persons in the kept month (2R, S) and over all months (R, 2, T, S)."""
    net, kept, full_time = [], [], []
    for d in draws:
        result = kikcalc.run(build(scenario_raw(params, d)))
        assert result.scenario.anciennitet_months == params["anc_factor"].shape[0]
        net.append(result.accounts.benefit_cost_net.sum(axis=(1, 2)))
        kept.append(result.trajectory.full_time_persons[:, MONTH_KEPT])
        full_time.append(result.trajectory.full_time_persons)
    return np.concatenate(net), np.concatenate(kept), np.stack(full_time)


@pytest.fixture(scope="module")
def params():
    return draw_rows(3, seed=2024)


def test_floor_equals_kikcalc_draw_by_draw(params):
    net, kept, full_time = kikcalc_rows(params, range(3))
    got = floor(params)
    assert got["net_cost"].shape == (6,) and got["full_time_kept"].shape == (6, 10)
    np.testing.assert_allclose(got["net_cost"], net, rtol=RTOL)
    np.testing.assert_allclose(got["full_time_kept"], kept, rtol=RTOL)
    np.testing.assert_allclose(got["full_time_mean"], full_time.mean(axis=0), rtol=RTOL)
    # The effect is there to be found: strategy 1 costs less than the baseline in every draw.
    assert (got["net_cost"][1::2] < got["net_cost"][::2]).all()


def test_floor_does_not_depend_on_the_chunking(params):
    whole, one_draw_at_a_time = floor(params, chunk_rows=64), floor(params, chunk_rows=2)
    for key in ("net_cost", "full_time_kept", "full_time_mean"):
        np.testing.assert_allclose(one_draw_at_a_time[key], whole[key], rtol=1e-13)


def test_floor_equals_kikcalc_with_an_inflow_anciennitet_mix(params):
    """Entrants (and returns from outside) with earlier months on benefit take the floor's general path."""
    one = take(params, [1])
    mix = one["inflow_mix"].copy()
    mix[3] = 0.0
    mix[3, [0, 3]] = 0.7, 0.3
    mix[7] = 0.0
    mix[7, [0, 13]] = 0.5, 0.5
    one["inflow_mix"] = mix
    net, kept, _ = kikcalc_rows(one, range(1))
    got = floor(one)
    np.testing.assert_allclose(got["net_cost"], net, rtol=RTOL)
    np.testing.assert_allclose(got["full_time_kept"], kept, rtol=RTOL)
