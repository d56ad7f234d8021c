"""Case: the education course with VUC Syd, Aabenraa (scenarios/aabenraa-vuc-course.toml).

The source (SEED-FACTS, "Aabenraa: other figures"): 3 teams, 36 participants, 12 weeks; target 60 %
into education; result so far 33 % self-supporting plus 6 % referred to preparatory adult education.
"""

from __future__ import annotations

import numpy as np
import pytest

import kikcalc
from conftest import SCENARIOS

PATH = SCENARIOS / "aabenraa-vuc-course.toml"
P_EXIT = 0.03                 # the scenario's ordinary monthly exit (assumption)
MONTHLY_BENEFIT = 104_531 / 12
MONTHLY_MEASURES = 18_585 / 12


@pytest.fixture(scope="module")
def result() -> kikcalc.Result:
    return kikcalc.run(PATH)


def _index(result, name):
    return [s.name for s in result.scenario.states].index(name)


def test_three_teams_of_twelve_make_36_participants(result):
    intake = result.trajectory.programme_intake.sum(axis=(1, 2))
    np.testing.assert_allclose(intake, [0, 36, 36])
    # Three intakes of 12, in three different months.
    per_month = result.trajectory.programme_intake[result.strategy("maal")].sum(axis=-1)
    np.testing.assert_allclose(sorted(per_month[per_month > 0]), [12, 12, 12])


def test_target_strategy_meets_60_pct_and_result_strategy_misses_it(result):
    verdicts = result.targets[result.targets.name == "60-pct-i-uddannelse"].set_index("strategy")
    # By hand: 0.60 x 36 = 21.6 persons into education for the target; the result moves no one into
    # ordinary education (33 % self-supporting, 6 % FVU), and the baseline has no move to education.
    assert verdicts.value["maal"] == pytest.approx(0.60 * 36)
    assert verdicts.value["resultat"] == pytest.approx(0.0)
    assert bool(verdicts.met["maal"]) and not bool(verdicts.met["resultat"])
    assert not bool(verdicts.met["baseline"])
    # The result strategy misses by the whole 21.6 persons: 0 - 0.60 x 36.
    assert verdicts.margin["resultat"] == pytest.approx(-0.60 * 36)
    assert verdicts.margin["maal"] == pytest.approx(0.0, abs=1e-9)


def test_result_strategy_makes_11_88_self_supporting_and_sends_2_16_to_fvu(result):
    k = result.strategy("resultat")
    kh, selv, fvu = _index(result, "uddannelseshjaelp"), _index(result, "selvforsorgende"), _index(result, "fvu")
    after = _index(result, "selvforsorgende_efter_forloeb")
    flows = result.flows[k]
    # The ordinary moves to self-support are 3 % of those not in the course (the stock at the start of
    # the month, which still holds that month's new participants); the course's 33 % go apart.
    intake = result.trajectory.programme_intake[k].sum(axis=-1)
    ordinary = P_EXIT * (result.stock[k, :-1, kh].sum(axis=-1) - intake)
    np.testing.assert_allclose(flows[:, kh, selv], ordinary, rtol=1e-12)
    from_course = flows[:, kh, after]
    assert from_course.sum() == pytest.approx(0.33 * 36)          # 11.88
    assert flows[:, kh, fvu].sum() == pytest.approx(0.06 * 36)     # 2.16
    # Even counted generously (self-support and FVU as success), 39 % is short of 60 %.
    assert (from_course.sum() + flows[:, kh, fvu].sum()) / 36 == pytest.approx(0.39)


def test_even_counting_fvu_as_success_the_result_is_7_56_persons_short_of_the_target(result):
    # kikcalc's programme table counts every outcome of the course (self-support and FVU) as reached:
    # 0.33 x 36 + 0.06 x 36 = 14.04 of 36, a success share of 39 %, under the target's 60 %.
    row = result.programmes.set_index("strategy").loc["resultat"]
    assert row.started == pytest.approx(36)
    assert row.reached_outcome == pytest.approx(0.39 * 36)
    assert row.success_share == pytest.approx(0.39)
    assert row.success_share < 0.60
    # Against the target's threshold as kikcalc reads it (21.6 persons): 14.04 - 21.6 = -7.56 persons.
    target = result.targets.set_index(["name", "strategy"]).loc[("60-pct-i-uddannelse", "resultat")]
    assert target.threshold == pytest.approx(21.6)
    assert row.reached_outcome - target.threshold == pytest.approx(-7.56)


def test_course_costs_15_000_kr_per_participant(result):
    # The price is an assumption; 36 x 15.000 kr. = 540.000 kr. in each course strategy.
    np.testing.assert_allclose(result.accounts.programme_cost.sum(axis=1), [0, 540_000, 540_000])


def test_first_intake_month_by_hand(result):
    # February 2020: 12 start. The baseline is steady at 250 (inflow 7.5 = 3 % of 250).
    # The 12 are locked in, so 0.03 x 238 = 7.14 leave instead of 7.5: the end-of-month stock is
    # 250.36 and the month's full-time persons (250 + 250.36) / 2 = 250.18, 0.18 above the baseline.
    # Measures are paid for the full-time persons not in the course: 250.18 - 6 (half of the 12).
    net = -0.18 * MONTHLY_BENEFIT + (250 - (250.18 - 6)) * MONTHLY_MEASURES - 12 * 15_000
    feb = result.scenario.calendar.labels.index("2020-02")
    for name in ("maal", "resultat"):
        assert result.accounts.net_saving[result.strategy(name), feb] == pytest.approx(net)


def test_target_strategy_saves_more_than_the_result_strategy(result):
    summary = result.summary.set_index("strategy")
    assert summary.npv["maal"] > summary.npv["resultat"] > 0


def test_those_the_course_made_self_supporting_come_back_at_the_assumed_3_percent_a_month(result):
    # 0.33 x 12 = 3.96 complete each team's 3 months (February, May, September 2020: model months 1, 4, 8)
    # and are out from the start of month t + 3; at the end of 2022 (the start of month 36) 3.96 x 0.97^(33-t)
    # of each team are still out, the rest of the 11.88 back on uddannelseshjælp.
    k = result.strategy("resultat")
    after, kh = _index(result, "selvforsorgende_efter_forloeb"), _index(result, "uddannelseshjaelp")
    still_out = sum(0.33 * 12 * 0.97 ** (33 - t) for t in (1, 4, 8))
    assert result.trajectory.headcount[k, -1, after] == pytest.approx(still_out, rel=1e-12)
    assert result.flows[k, :, after, kh].sum() == pytest.approx(0.33 * 36 - still_out, rel=1e-12)
