"""The refusion staircase in months, and its blend into the net benefit cost."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from conftest import one_state
from kikcalc import run
from kikcalc.refusion import state_share_by_month, state_share_during_month, state_share_on_return
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


def _staircase(refusion: Refusion):
    """s(tau): the state's share after tau months on benefit, straight from the weekly bands."""
    ends = np.array(refusion.band_end_weeks) / refusion.weeks_per_month
    return lambda tau: refusion.state_share[int(np.searchsorted(ends, tau, side="right"))], list(ends)


def _month_share(refusion: Refusion, start: float) -> float:
    """Continuous time: the mean of s over a month for persons on benefit start + U months at its start,
    U uniform on (0, 1): the mean of s(start + x) with x triangular on (0, 2)."""
    s, ends = _staircase(refusion)
    value, _ = integrate.quad(lambda x: s(start + x) * (1 - abs(1 - x)), 0, 2,
                              points=[e - start for e in ends if 0 < e - start < 2], limit=200)
    return value


def _gross(initial_anciennitet: dict, months: int = 15):
    raw = one_state(p_exit=0.0, initial=100.0, months=months, cost_basis="gross", initial_anciennitet=initial_anciennitet)
    return run(build(raw))


def test_long_term_recipients_are_refunded_20_percent():
    result = _gross({"13": 1})
    gross = result.accounts.benefit_cost_gross[0, :, 0]
    np.testing.assert_allclose(gross, 100 * 120_000 / 12)
    np.testing.assert_allclose(result.accounts.refusion[0, :, 0], 0.20 * gross)
    np.testing.assert_allclose(result.accounts.benefit_cost_net[0, :, 0], 0.80 * gross)


def test_a_new_cohort_walks_down_the_staircase_in_continuous_time():
    # The initial stock at anciennitet 0 has been on benefit U months, U uniform on (0, 1), at the start.
    result = _gross({"0": 1})
    share = result.accounts.refusion[0, :, 0] / result.accounts.benefit_cost_gross[0, :, 0]
    expected = [_month_share(Refusion(), t) for t in range(15)]
    np.testing.assert_allclose(share, expected, rtol=1e-9)
    # Month 1 mixes the first band (0 - 12/13 months) and the second: below 76.9 %, above 40 %.
    assert 0.40 < share[0] < 0.7692


def test_a_mixed_caseload_blends_the_shares():
    result = _gross({"0": 0.5, "13": 0.5}, months=1)
    share = result.accounts.refusion[0, 0, 0] / result.accounts.benefit_cost_gross[0, 0, 0]
    assert share == pytest.approx(0.5 * _month_share(Refusion(), 0) + 0.5 * 0.20, rel=1e-9)


def _steady_inflow_refusion(refusion: Refusion, inflow: float, yearly_cost: float, month: int) -> float:
    """Continuous time, no exits, arrivals at a constant rate from time 0: refusion in month ``month``
    (0-based), kr. = inflow * cost/12 * integral over (month, month+1) of S(t), S(t) = integral_0^t s."""
    s, ends = _staircase(refusion)

    def big_s(t: float) -> float:
        return integrate.quad(s, 0, t, points=[e for e in ends if e < t], limit=200)[0]

    return inflow * yearly_cost / 12 * integrate.quad(big_s, month, month + 1, limit=200)[0]


def test_steady_inflow_matches_the_continuous_time_closed_form():
    # Issue 12, rule 2: inflow 12 a month, gross 120.000 kr. a year, no exits. The old timing gave
    # 714.462 kr. in month 18; arrivals spread evenly through their month give 680.308 kr.
    raw = one_state(p_exit=0.0, initial=0.0, inflow=12.0, months=24, cost_basis="gross")
    refusion = run(build(raw)).accounts.refusion[0, :, 0]
    expected = [_steady_inflow_refusion(Refusion(), 12.0, 120_000, t) for t in range(24)]
    np.testing.assert_allclose(refusion, expected, rtol=1e-9)
    assert refusion[17] == pytest.approx(680_308, abs=0.5)


def test_an_entrant_gets_the_mean_of_the_staircase_over_their_part_of_the_month():
    # Arriving at u, on benefit for 1 - u of the month: per half full-time person, 2 * integral (1 - tau) s(tau).
    s, ends = _staircase(Refusion())
    entrant = 2 * integrate.quad(lambda tau: (1 - tau) * s(tau), 0, 1, points=ends[:1])[0]
    at_start, at_end = state_share_during_month(Refusion(), 14)
    assert at_end[0] == pytest.approx(entrant, rel=1e-12)
    # A person who stays a month is counted half at its start, half at its end: the month's mean of s.
    for a in range(13):
        assert 0.5 * (at_start[a] + at_end[a + 1]) == pytest.approx(_month_share(Refusion(), a), rel=1e-9)


@pytest.mark.parametrize("refusion", [Refusion(), Refusion(weeks_per_month=4.0, band_end_weeks=(4.0, 25.0, 52.0))],
                         ids=["the rule", "steps inside months"])
def test_a_kept_returner_gets_the_mean_of_the_staircase_from_the_time_it_carries(refusion):
    # Carrying a months on benefit and arriving at u: on benefit at a + tau, tau in 0..1-u; per half full-time
    # person 2 * integral (1 - tau) s(a + tau) (numerically here, in closed form in kikcalc).
    s, ends = _staircase(refusion)
    on_return = state_share_on_return(refusion, 16)
    for a in range(16):
        inside = [e - a for e in ends if 0 < e - a < 1]
        expected = 2 * integrate.quad(lambda tau, a=a: (1 - tau) * s(a + tau), 0, 1, points=inside or None)[0]
        assert on_return[a] == pytest.approx(expected, rel=1e-9)
    assert on_return[0] == pytest.approx(state_share_during_month(refusion, 16)[1][0], rel=1e-12)  # an entrant's


def test_with_exits_the_leavers_half_month_is_valued_over_the_months_first_half():
    # One month, exit probability p: leavers are counted half a full-time person at the start only.
    raw = one_state(p_exit=0.5, initial=100.0, months=1, cost_basis="gross", initial_anciennitet={"0": 1})
    result = run(build(raw))
    s, ends = _staircase(Refusion())

    def half(first: float) -> float:  # mean of s(U + v), U uniform on (0, 1), v uniform on (first, first + 1/2)
        def inner(u: float) -> float:
            return integrate.quad(s, u + first, u + first + 0.5, points=[e for e in ends if u + first < e < u + first + 0.5])[0]
        kinks = [k for e in ends for k in (e - first - 0.5, e - first) if 0 < k < 1]
        return 2 * integrate.quad(inner, 0, 1, points=kinks or None)[0]

    first_half, second_half = half(0.0), half(0.5)
    expected = 10_000 * (0.5 * 100 * first_half + 0.5 * 50 * second_half)
    assert result.accounts.refusion[0, 0, 0] == pytest.approx(expected, rel=1e-7)


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
    expected = [_month_share(scenario.refusion, t) for t in range(24)]
    np.testing.assert_allclose(share, expected, rtol=1e-9)
    # Week 78 is 18 months: the cohort, on benefit 17 + U months at the start of month 18, straddles it.
    assert share[16] == pytest.approx(0.2) and 0.1 < share[17] < 0.2 and share[19] == pytest.approx(0.1)


def test_one_entrant_by_hand_as_in_docs_model():
    # docs/model.md, "Worked example: one entrant": arrives in January, stays; 10.000 kr. a month gross.
    raw = one_state(p_exit=0.0, initial=0.0, months=15, cost_basis="gross")
    raw["states"]["kh"]["inflow"] = {"2020-01": 1, "2020-02": 0}  # a table by month holds until the next entry
    refusion = run(build(raw)).accounts.refusion[0, :, 0]
    e = 12 / 13  # 4 weeks in months, at 52/12 weeks a month
    # January: on benefit 1 - u of the month, u uniform: integral_0^1 S(tau) d tau = S2(1), S2 by hand.
    s2_1 = 0.4 * e**2 + 0.8 * e * (1 - e) + 0.2 * (1 - e) ** 2
    assert refusion[0] == pytest.approx(10_000 * s2_1, rel=1e-12)  # 3.988 kr.
    # The steps at 26 and 52 weeks fall on whole months (6 and 12): in July and the next January the
    # person has been on 5 + U + v (11 + U + v) months, past the step with probability P(U + v > 1) = 1/2.
    assert refusion[6] == pytest.approx(10_000 * (0.40 + 0.30) / 2)
    assert refusion[12] == pytest.approx(10_000 * (0.30 + 0.20) / 2)
    assert refusion[2:6] == pytest.approx([4_000] * 4) and refusion[13] == pytest.approx(2_000)
    # Against the rule before (76.9 % for 1.5 months, each step half a month late): 0.2846 months less.
    before = 5_000 * 0.7692307692 + 10_000 * (0.7692307692 + 5 * 0.40 + 6 * 0.30 + 0.20)
    assert before - refusion[:14].sum() == pytest.approx(10_000 * 0.2846, abs=1.0)


def _steady_inflow_with_exits(refusion: Refusion, p: float, month: int) -> float:
    """Continuous time, exact: 1 entrant a month from month 0 arriving at a uniform moment; from the month after
    arrival each leaves in a month with probability p, at a uniform moment in it. Refusion of a 12.000 kr.-a-year
    benefit (1.000 kr. a month) in month ``month``."""
    s, ends = _staircase(refusion)

    def big_s(t: float) -> float:
        return integrate.quad(s, 0, t, points=[e for e in ends if e < t], limit=200)[0]

    def g(a: float, v: float) -> float:  # E over U of s(a + U + v): the mean of s over (a + v, a + v + 1)
        return big_s(a + v + 1) - big_s(a + v)

    total = integrate.quad(lambda tau: (1 - tau) * s(tau), 0, 1, points=ends[:1])[0]  # entrants of the month itself
    for k in range(1, month + 1):  # arrived k months before: at the start of the month on benefit k - 1 + U months
        a = k - 1
        points = [x for x in (e - a - 1 for e in ends) if 0 < x < 1] + [x for x in (e - a for e in ends) if 0 < x < 1]
        stay = integrate.quad(lambda v, a=a: g(a, v), 0, 1, points=points or None)[0]
        leave = integrate.quad(lambda v, a=a: (1 - v) * g(a, v), 0, 1, points=points or None)[0]
        total += (1 - p) ** (k - 1) * ((1 - p) * stay + p * leave)
    return 1_000 * total


@pytest.mark.parametrize(("p", "month", "within"), [(0.1, 40, 0.002), (0.3, 24, 0.005)])
def test_with_exits_the_refusion_is_close_to_continuous_time(p, month, within):
    # Leavers are valued over their month's first half (docs/model.md, "Approximations that remain"):
    # against the exact continuous-time value, 0.06 % high at p = 0.1 and 0.32 % at p = 0.3 (the rule
    # before this one: 6.1 % and 9.3 %).
    raw = one_state(p_exit=p, initial=0.0, inflow=1.0, months=month + 1, cost=12_000, cost_basis="gross")
    model = run(build(raw)).accounts.refusion[0, month, 0]
    exact = _steady_inflow_with_exits(Refusion(), p, month)
    assert model == pytest.approx(exact, rel=within)
    assert model > exact  # a leaver's half month is valued a little early, where the staircase is higher
