"""Anciennitet survives a short job (kikcalc.returns, docs/model.md section 7): a person who leaves benefit
and comes back within 52 weeks comes back with the anciennitet they left with; after 52 weeks outside it
starts again. Every figure is the refusion staircase worked by hand: 80 % in weeks 1-4, 40 % in weeks
5-26, 30 % in weeks 27-52, 20 % from week 53, 52/12 weeks a month.

The timing (docs/model.md, "Refusion timing within the month"): a returner arrives at a uniform moment u of
the month of return, like an entrant, and is on benefit for 1 - u of it, at times T .. T + 1 - u on benefit,
T the time carried: 0 after a reset, a = c + 1 months for one who left during a month begun with c completed
(the mean of c + U + V, U the spread of arrival and V the moment of leaving). Per half full-time person (the
returner's gross in that month) the state's share is the mean of s(T + tau) with tau weighted 2 (1 - tau) on
0..1. From the month after they have been on benefit T + U' months at its start, U' = 1 - u uniform, and
the month's share is the mean of s(T + U' + v), U' and v uniform: a triangle on T .. T + 2.
"""

from __future__ import annotations

import numpy as np
import pytest

import kikcalc
from kikcalc.cohort import Structure
from kikcalc.engine import simulate, simulate_chunks
from kikcalc.keyslots import assign
from kikcalc.money import anciennitet_weights
from kikcalc.refusion import reset_months
from kikcalc.scenario import build
from kikcalc.spec import Refusion
from kikcalc.values import for_scenario

WEEKS_PER_MONTH = 52 / 12
FIRST_STEP = 4 / WEEKS_PER_MONTH  # b: the 80 % band ends 0.923 months into a spell
# A reset returner arrives at time on benefit 0: s = 0.8 for tau < b, 0.4 after, tau weighted 2 (1 - tau):
# 0.4 + 0.4 * integral over (0, b) of 2 (1 - tau) = 0.4 + 0.4 (2b - b^2) = 79.76 %, which is
# (2/M^2)[0.8 (4M - 8) + 0.4 (M - 4)^2 / 2] with M = 52/12 weeks a month.
RESET_RETURN_MONTH = 0.4 + 0.4 * (2 * FIRST_STEP - FIRST_STEP**2)
# The month after: s(U' + v) is 0.8 where U' + v < b, probability b^2 / 2: 0.4 + 0.2 b^2 = 57.0 %.
RESET_MONTH_AFTER = 0.4 + 0.2 * FIRST_STEP**2
GROSS_A_MONTH = 120_000 / 12


def one_person(left_at: int, months_outside: int, refusion: dict | None = None, programme: bool = False) -> dict:
    """One person on kh (gross, 120.000 kr. a year) with ``left_at`` completed months at the start of 2021-01,
    who leaves for a job during that month and comes back during the month ``months_outside`` later.

    The moves are strategy "short"'s effects, each set to 1 for one month (kh -> job in month 0, job ->
    kh in month ``months_outside``): the baseline stays on kh. With ``programme``, the person leaves
    instead by a one-month course in month 0 whose completers all go to job.
    """
    leave = {"from": "kh", "to": "job", "set": 1.0, "start": "2021-01", "end": "2021-01"}
    back_month = f"{2021 + months_outside // 12}-{months_outside % 12 + 1:02d}"
    come_back = {"from": "job", "to": "kh", "set": 1.0, "start": back_month, "end": back_month}
    strategy: dict = {"effects": [come_back] if programme else [leave, come_back]}
    if programme:
        strategy["programmes"] = [{"name": "course", "from": "kh", "participants": 1.0, "start": "2021-01",
                                   "end": "2021-01", "duration_months": 1, "outcomes": {"job": 1.0}}]
    raw = {
        "scenario": {"name": "one person", "start": "2021-01", "end": "2022-12"},
        "states": {"kh": {"initial": 1.0, "initial_anciennitet": {str(left_at): 1.0}, "cost": 120_000,
                          "cost_basis": "gross"},
                   "job": {"kind": "outside"}},
        "transitions": [{"from": "kh", "to": "job", "probability": 0.0}, {"from": "job", "to": "kh", "probability": 0.0}],
        "strategies": {"baseline": {}, "short": strategy},
    }
    if refusion is not None:
        raw["refusion"] = refusion
    return raw


def refunded_share(raw: dict, month: int) -> float:
    """The state's share of strategy "short"'s gross benefit on kh in a model month."""
    result = kikcalc.run(build(raw))
    gross, refusion = result.accounts.benefit_cost_gross[1, month, 0], result.accounts.refusion[1, month, 0]
    return refusion / gross


def test_a_person_who_leaves_in_anciennitet_month_20_and_works_3_months_is_refunded_at_20_percent():
    # 19 completed months at the start: anciennitet month 20. Back during month 3 with 20 months: half a
    # month on kh, at the end of it, in anciennitet month 20 (20 %); the month after, all of it at 20 %.
    raw = one_person(left_at=19, months_outside=3)
    result = kikcalc.run(build(raw))
    np.testing.assert_allclose(result.trajectory.headcount[1, :6, 0], [1, 0, 0, 0, 1, 1])
    gross = result.accounts.benefit_cost_gross[1, 3, 0]
    assert gross == pytest.approx(0.5 * GROSS_A_MONTH, rel=1e-12)
    assert refunded_share(raw, 0) == pytest.approx(0.20, rel=1e-12)  # the half month of leaving
    assert refunded_share(raw, 3) == pytest.approx(0.20, rel=1e-12)
    assert refunded_share(raw, 4) == pytest.approx(0.20, rel=1e-12)


def test_one_who_works_13_months_starts_again_in_the_first_step():
    """Outside for 13 months, over 52 weeks: anciennitet starts again. Arriving at a uniform moment of the
    month with time on benefit 0: 0.4 + 0.4 (2b - b^2), b = 4 / (52/12) months (the 80 % band's end), 79.8 %;
    the month after, the triangle over 0..2 puts b^2 / 2 of it in the 80 % band: 0.4 + 0.2 b^2, 57.0 %.
    (The rule before gave the month-1 share, 76.9 %, in both.)"""
    raw = one_person(left_at=19, months_outside=13)
    assert refunded_share(raw, 13) == pytest.approx(RESET_RETURN_MONTH, rel=1e-12)
    assert RESET_RETURN_MONTH == pytest.approx(0.79763, abs=5e-6)
    assert refunded_share(raw, 14) == pytest.approx(RESET_MONTH_AFTER, rel=1e-12)
    assert refunded_share(raw, 15) == pytest.approx(0.40, rel=1e-12)  # 1 + U' + v: past b, before 26 weeks


@pytest.mark.parametrize(("months_outside", "share"), [(11, 0.20), (12, RESET_RETURN_MONTH)])
def test_the_reset_falls_after_52_weeks_that_is_12_months_outside(months_outside, share):
    # 11 months outside are 47.7 weeks: kept; 12 months are 52 weeks: starts again.
    assert refunded_share(one_person(left_at=19, months_outside=months_outside), months_outside) == pytest.approx(share, rel=1e-12)


def test_a_kept_returner_arrives_with_the_time_on_benefit_it_left_with():
    """5 completed months at the start of the month of leaving: the time carried is 6 months, which is
    26 weeks, the 40 % band's end. Back at times 6 + tau: 30 % throughout, in the month of return and after
    (the rule before gave 40 %, then the timing of the refusion branch 32.5 %, in the month of return)."""
    raw = one_person(left_at=5, months_outside=3)
    assert refunded_share(raw, 3) == pytest.approx(0.30, rel=1e-12)
    assert refunded_share(raw, 4) == pytest.approx(0.30, rel=1e-12)


def test_a_kept_returner_across_a_step_in_the_month_of_return_and_after():
    """A staircase with a step inside the month the returner comes back in: 4 weeks a month and the 40 %
    band ending at week 25, 6.25 months. Carried 6 months (5 completed at leaving), back at 6 + tau:
    40 % for tau < 1/4, 30 % after. In the month of return, tau weighted 2 (1 - tau):
    0.3 + 0.1 * (2/4 - 1/16) = 0.34375. The month after, 6 + U' + v with U' + v < 1/4 at probability
    (1/4)^2 / 2 = 1/32: 0.3 + 0.1 / 32. (Valued as a stayer's second half, a - 1 + U + v with v in 1/2..1,
    the return month would be 0.35.)"""
    raw = one_person(left_at=5, months_outside=3,
                     refusion={"weeks_per_month": 4, "band_end_weeks": [4, 25, 52], "state_share": [0.8, 0.4, 0.3, 0.2]})
    assert refunded_share(raw, 3) == pytest.approx(0.3 + 0.1 * (2 / 4 - 1 / 16), rel=1e-12)
    assert refunded_share(raw, 4) == pytest.approx(0.3 + 0.1 / 32, rel=1e-12)


def test_no_reset_weeks_is_the_rule_before_it_every_return_starts_again():
    # Back at time on benefit 0, arriving at a uniform moment: 0.4 + 0.4 (2b - b^2), as after a reset.
    raw = one_person(left_at=19, months_outside=3, refusion={"reset_after_weeks": 0})
    assert refunded_share(raw, 3) == pytest.approx(RESET_RETURN_MONTH, rel=1e-12)


@pytest.mark.parametrize(("weeks", "months_outside", "share"),
                         [(13, 2, 0.20), (13, 3, RESET_RETURN_MONTH), (14, 3, 0.20)])
def test_reset_after_weeks_converts_to_whole_months_outside(weeks, months_outside, share):
    # 13 weeks at 52/12 a month are exactly 3 months: a return after 3 starts again, after 2 does not;
    # 14 weeks are 3.23 months: a return after 3 months (13 weeks) keeps its anciennitet.
    raw = one_person(left_at=19, months_outside=months_outside, refusion={"reset_after_weeks": weeks})
    assert refunded_share(raw, months_outside) == pytest.approx(share, rel=1e-12)


@pytest.mark.parametrize(("weeks", "per_month", "months"), [(52, 52 / 12, 12), (0, 52 / 12, 0), (13, 52 / 12, 3),
                                                            (14, 52 / 12, 4), (52, 4.0, 13), (156, 52 / 12, 36)])
def test_reset_months(weeks, per_month, months):
    # K = ceil(weeks / weeks_per_month): the first whole number of months outside that reaches the weeks.
    assert reset_months(Refusion(reset_after_weeks=weeks, weeks_per_month=per_month)) == months


def test_a_course_completer_who_goes_outside_keeps_the_anciennitet_too():
    # Self-support after a course is not always permanent: taken at 19 months, one month on the course
    # (20 at its end), back 3 months later: 20 %.
    raw = one_person(left_at=19, months_outside=3, programme=True)
    result = kikcalc.run(build(raw))
    np.testing.assert_allclose(result.trajectory.headcount[1, :6, 1], [0, 1, 1, 1, 0, 0])
    assert refunded_share(raw, 3) == pytest.approx(0.20, rel=1e-12)
    raw = one_person(left_at=19, months_outside=13, programme=True)  # reset: arriving at time on benefit 0
    assert refunded_share(raw, 13) == pytest.approx(RESET_RETURN_MONTH, rel=1e-12)


def _two_ways(weeks: float = 52) -> dict:
    """kh (gross) and syg, job and gone outside, inflow into kh, syg and job, moves both ways, exits by band."""
    return {
        "scenario": {"name": "conservation", "start": "2021-01", "end": "2023-12"},
        "states": {"kh": {"initial": 500.0, "inflow": 20.0, "cost": 120_000, "cost_basis": "gross"},
                   "syg": {"initial": 200.0, "inflow": 5.0},
                   "job": {"kind": "outside", "initial": 50.0, "inflow": 3.0}, "gone": {"kind": "outside"}},
        "transitions": [{"from": "kh", "to": "job", "probability": {"0-5": 0.08, "6+": 0.04}},
                        {"from": "syg", "to": "job", "hazard": 0.5, "per": "year"},
                        {"from": "kh", "to": "syg", "probability": 0.01},
                        {"from": "job", "to": "kh", "probability": 0.06}, {"from": "job", "to": "syg", "probability": 0.01},
                        {"from": "job", "to": "gone", "probability": 0.02}, {"from": "gone", "to": "job", "probability": 0.05}],
        "strategies": {"baseline": {}, "more": {"effects": [{"from": "kh", "to": "job", "multiply": 1.4, "ramp_months": 3}]}},
        "refusion": {"reset_after_weeks": weeks},
    }


@pytest.mark.parametrize("weeks", [52, 0, 13])
def test_persons_are_conserved_with_the_outside_clock(weeks):
    # Everyone in all states is the start plus all inflow so far; flows account for every change.
    trajectory = simulate(build(_two_ways(weeks)))
    expected = 750.0 + 28.0 * np.arange(37)
    np.testing.assert_allclose(trajectory.headcount.sum(axis=2), np.broadcast_to(expected, (2, 37)), rtol=1e-13)
    net = -trajectory.flows.sum(axis=3) + trajectory.flows.sum(axis=2) + trajectory.inflow
    np.testing.assert_allclose(np.diff(trajectory.headcount, axis=1), net, atol=1e-9)


def test_chunks_and_rows_give_the_same_numbers_bit_for_bit_with_the_outside_clock():
    scenario = build(_two_ways())
    assert Structure.of(scenario).clock == 11
    values = for_scenario(scenario, draws=5)
    per_draw = np.repeat(np.linspace(0.03, 0.09, 5), 2)  # each draw its own return rate
    values = assign(scenario, values, "transitions[3].probability", per_draw)
    weights = anciennitet_weights(scenario)
    whole = simulate(scenario, values, weights, keep_stock=False, keep_flows=False)
    assert np.ptp(whole.weighted[0, 1::2, -1, 0]) > 0  # the draws differ
    for chunk_rows in (2, 4, 512):
        pieces = list(simulate_chunks(scenario, values, weights, chunk_rows=chunk_rows))
        np.testing.assert_array_equal(np.concatenate([t.headcount for _, _, t in pieces]), whole.headcount)
        np.testing.assert_array_equal(np.concatenate([t.weighted for _, _, t in pieces], axis=1), whole.weighted)
        np.testing.assert_array_equal(np.concatenate([t.initial_stock for _, _, t in pieces]), whole.initial_stock)
