"""The refusion staircase in months, and its blend into the net benefit cost."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import one_state
from kikcalc import run
from kikcalc.refusion import state_share_by_month
from kikcalc.scenario import build
from kikcalc.spec import Refusion


def test_state_share_for_each_month_of_anciennitet():
    shares = state_share_by_month(Refusion(), 15)
    w = 52 / 12
    month_1 = (4 * 0.80 + (w - 4) * 0.40) / w
    assert month_1 == pytest.approx(0.7692307692)
    expected = [month_1] + [0.40] * 5 + [0.30] * 6 + [0.20] * 3
    np.testing.assert_allclose(shares, expected, rtol=1e-12)


def test_a_month_that_straddles_two_bands_is_week_weighted():
    # With 5 weeks a month, month 6 spans weeks 25-30: 1 week at 40 % and 4 at 30 %.
    shares = state_share_by_month(Refusion(weeks_per_month=5.0), 7)
    assert shares[5] == pytest.approx((1 * 0.40 + 4 * 0.30) / 5)


def _gross(initial_anciennitet: dict, months: int = 15):
    raw = one_state(p_exit=0.0, initial=100.0, months=months, cost_basis="gross", initial_anciennitet=initial_anciennitet)
    return run(build(raw))


def test_long_term_recipients_are_refunded_20_percent():
    result = _gross({"13": 1})
    gross = result.accounts.benefit_cost_gross[0, :, 0]
    np.testing.assert_allclose(gross, 100 * 120_000 / 12)
    np.testing.assert_allclose(result.accounts.refusion[0, :, 0], 0.20 * gross)
    np.testing.assert_allclose(result.accounts.benefit_cost_net[0, :, 0], 0.80 * gross)


def test_a_new_cohort_walks_down_the_staircase():
    result = _gross({"0": 1})
    share = result.accounts.refusion[0, :, 0] / result.accounts.benefit_cost_gross[0, :, 0]
    np.testing.assert_allclose(share, state_share_by_month(Refusion(), 15), rtol=1e-12)


def test_a_mixed_caseload_blends_the_shares():
    result = _gross({"0": 0.5, "13": 0.5}, months=1)
    share = result.accounts.refusion[0, 0, 0] / result.accounts.benefit_cost_gross[0, 0, 0]
    assert share == pytest.approx(0.5 * 0.7692307692 + 0.5 * 0.20)


def test_net_basis_gets_no_refusion():
    result = run(build(one_state(p_exit=0.0, initial=10.0)))
    assert result.accounts.refusion.sum() == 0.0


def test_the_staircase_is_data():
    raw = one_state(p_exit=0.0, initial=100.0, months=2, cost_basis="gross", initial_anciennitet={"13": 1})
    raw["refusion"] = {"band_end_weeks": [4], "state_share": [0.5, 0.25]}
    result = run(build(raw))
    share = result.accounts.refusion[0, :, 0] / result.accounts.benefit_cost_gross[0, :, 0]
    np.testing.assert_allclose(share, 0.25)


def test_a_staircase_step_after_week_52_is_tracked():
    # A fifth band: 10 % from week 79. With 52/12 weeks a month, week 78 ends in month 18.
    raw = one_state(p_exit=0.0, initial=100.0, months=24, cost_basis="gross", initial_anciennitet={"0": 1})
    raw["refusion"] = {"band_end_weeks": [4, 26, 52, 78], "state_share": [0.8, 0.4, 0.3, 0.2, 0.1]}
    scenario = build(raw)
    assert scenario.anciennitet_months >= 19
    result = run(scenario)
    share = result.accounts.refusion[0, :, 0] / result.accounts.benefit_cost_gross[0, :, 0]
    expected = state_share_by_month(scenario.refusion, 24)
    np.testing.assert_allclose(share, expected, rtol=1e-12)
    assert share[17] == pytest.approx(0.2) and share[18] == pytest.approx(0.1)
