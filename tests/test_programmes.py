"""Programmes, payments per person moved, grants and the budget-guarantee offset, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import one_state
from kikcalc import run
from kikcalc.cohort import Structure
from kikcalc.programmes import programmes_of
from kikcalc.scenario import build


def _course(dropout: float = 0.0, initial: float = 100.0, capacity: float = 10.0, months: int = 6, **extra) -> dict:
    """100 on kh, no ordinary moves; the strategy runs one intake of a 3-month course in January 2020."""
    raw = one_state(p_exit=0.0, initial=initial, months=months, cost=12_000, measures_cost=1_200)
    raw["strategies"]["s"] = {"programmes": [{
        "name": "course", "from": "kh", "participants": capacity, "start": "2020-01", "end": "2020-01",
        "duration_months": 3, "cost_per_participant": 1_000, "cost_per_month": 500,
        "outcomes": {"job": 0.75}, "dropout": dropout, **extra}]}
    return raw


def test_a_course_takes_keeps_and_releases_its_participants():
    result = run(build(_course()))
    t = result.trajectory
    # Start of months 0..4 on kh, participants included: 100, 100, 100, then 7.5 leave for a job.
    np.testing.assert_allclose(t.headcount[1, :5, 0], [100, 100, 100, 92.5, 92.5])
    np.testing.assert_allclose(t.in_programme[1, :5, 0].sum(axis=-1), [0, 10, 10, 0, 0])
    np.testing.assert_allclose(t.programme_full_time_persons[1, :4, 0], [5, 10, 5, 0])
    np.testing.assert_allclose(result.flows[1, :4, 0, 1], [0, 0, 7.5, 0])
    # The baseline has no course.
    np.testing.assert_allclose(t.headcount[0, :, 0], 100)


def test_programme_cost_per_participant_and_per_month():
    result = run(build(_course()))
    np.testing.assert_allclose(result.accounts.programme_cost[1, :4], [10 * 1_000 + 10 * 500, 10 * 500, 10 * 500, 0])
    assert result.accounts.programme_cost[0].sum() == 0.0


def test_participants_keep_their_benefit_cost_but_not_ordinary_measures():
    result = run(build(_course()))
    # Month 0: 100 full-time persons on kh (95 ordinary + 5 in the course) at 1.000 kr. a month each.
    assert result.accounts.benefit_cost_net[1, 0, 0] == pytest.approx(100 * 1_000)
    assert result.accounts.measures_cost[1, 0, 0] == pytest.approx(95 * 100)


def test_dropout_returns_participants_each_month():
    result = run(build(_course(dropout=0.1)))
    # 10 start; 9, then 8.1 go on; 7.29 complete, of whom 75 % go to a job.
    np.testing.assert_allclose(result.trajectory.in_programme[1, 1:3, 0].sum(axis=-1), [9.0, 8.1])
    assert result.flows[1, 2, 0, 1] == pytest.approx(0.75 * 7.29)


def _course_over_the_horizon(duration: int) -> dict:
    """The course with drop-outs, taking 10 a month in every one of 36 months, ``duration`` months long."""
    raw = _course(dropout=0.05, initial=1000.0, months=36, duration_months=duration)
    raw["strategies"]["s"]["programmes"][0]["end"] = "2022-12"
    return raw


def test_a_programme_longer_than_the_horizon_runs_as_one_a_month_longer_than_the_horizon():
    # Who starts in month t completes at the end of month t + D - 1: within 36 months nobody completes a
    # course of 37 months or more, so one of 100,000 months is, number for number, the one of 37 months,
    # and costs what the horizon costs (36 places).
    endless, just_longer = run(build(_course_over_the_horizon(1200))), run(build(_course_over_the_horizon(37)))
    assert programmes_of(endless.scenario, Structure.of(endless.scenario)).places == 36
    for name in ("headcount", "flows", "in_programme", "programme_intake", "programme_leavers", "stock"):
        np.testing.assert_array_equal(getattr(endless.trajectory, name), getattr(just_longer.trajectory, name), err_msg=name)
    for table in ("monthly", "yearly", "money", "summary", "programmes", "targets"):
        pd.testing.assert_frame_equal(getattr(endless, table), getattr(just_longer, table))
    # Still in the course at the end: everyone who started, less 5 % drop-out a month.
    started_in = np.arange(36)
    assert endless.trajectory.in_programme[1, -1, 0].sum() == pytest.approx((10 * 0.95 ** (36 - started_in)).sum(), rel=1e-12)


def test_a_programme_as_long_as_the_horizon_lets_its_first_participants_out_in_the_last_month():
    as_long, just_longer = run(build(_course_over_the_horizon(36))), run(build(_course_over_the_horizon(37)))
    # January's 10 complete at the end of month 36, after 36 months of 5 % drop-out; 75 % of them go to a job.
    assert as_long.flows[1, 35, 0, 1] == pytest.approx(0.75 * 10 * 0.95**36, rel=1e-12)
    assert just_longer.flows[1, 35, 0, 1] == 0.0
    np.testing.assert_array_equal(as_long.trajectory.headcount[:, :36], just_longer.trajectory.headcount[:, :36])


def test_fewer_start_when_fewer_are_in_the_state():
    result = run(build(_course(initial=4.0)))
    assert result.trajectory.programme_intake[1, 0, 0] == pytest.approx(4.0)


def test_participants_are_reported_as_their_own_rows():
    result = run(build(_course()))
    rows = result.yearly[result.yearly.state == "kh in course"]
    # Only the strategy that runs the course has the row; the 6 months' mean of 5, 10, 5, 0, 0, 0.
    assert rows.strategy.tolist() == ["s"] and rows.part_of.tolist() == ["kh"]
    assert rows.full_year_persons.tolist() == pytest.approx([20 / 6])
    states = result.yearly[result.yearly.strategy == "s"].state.tolist()
    assert states == ["kh", "kh in course", "job"]


def test_payment_per_person_moved_up_to_a_cap():
    raw = one_state(p_exit=0.1, initial=1000.0, months=4)
    raw["strategies"]["s"] = {"flow_costs": [{"name": "bonus", "from": "kh", "to": "job", "amount": 1_000, "cap": 150}]}
    result = run(build(raw))
    # Moves: 100, 90, 81, ... ; the cap of 150 persons is reached in the second month.
    np.testing.assert_allclose(result.accounts.flow_costs[1], [100_000, 50_000, 0, 0])


def test_payment_for_every_way_into_a_state_counts_inflow_too():
    raw = one_state(p_exit=0.1, initial=1000.0, inflow=20.0, months=2)
    raw["strategies"]["s"] = {"flow_costs": [{"name": "start", "to": "kh", "amount": 50}]}
    np.testing.assert_allclose(run(build(raw)).accounts.flow_costs[1], [1_000, 1_000])


def _pool(threshold: float) -> dict:
    raw = one_state(p_exit=0.1, initial=1000.0, months=12)
    raw["targets"] = [{"name": "half-out", "states": ["kh"], "start": "2020-06", "end": "2020-12", "max": threshold}]
    raw["strategies"]["s"] = {"grants": [
        {"name": "base", "amount": {"2020": 5_800_000}},
        {"name": "result", "amount": 1_900_000, "paid": "2020-12", "if_target": "half-out"},
    ]}
    return raw


def test_a_conditional_grant_is_paid_only_if_its_target_is_met():
    met = run(build(_pool(threshold=500)))  # 1000 x 0.9^t x 0.95 < 500 from month 7
    missed = run(build(_pool(threshold=100)))
    assert met.accounts.grants[1].sum() == pytest.approx(7_700_000)
    assert met.accounts.grants[1, 11] == pytest.approx(5_800_000 / 12 + 1_900_000)
    assert missed.accounts.grants[1].sum() == pytest.approx(5_800_000)
    # What was at stake: the grant had the condition been met.
    assert missed.summary.grants_if_met[1] == pytest.approx(7_700_000)
    assert missed.summary.grants[1] == pytest.approx(5_800_000)
    # Grants are income: they are a saving against the baseline.
    assert met.accounts.net_saving[1].sum() == pytest.approx(7_700_000)


def test_a_window_target_is_met_in_any_month_of_the_window():
    result = run(build(_pool(threshold=500)))
    verdict = next(v for v in result.verdicts if v.target == "half-out" and v.strategy == "s")
    assert verdict.met and verdict.first_month_met == 7
    assert verdict.value == pytest.approx(1000 * 0.9**11 * 0.95)  # the lowest in the window


def test_budget_guarantee_offset_takes_back_a_share_of_the_saving():
    raw = one_state(p_exit=0.0, initial=100.0, months=3, cost=12_000)
    raw["strategies"]["s"] = {"effects": [{"from": "kh", "to": "job", "set": 0.5}]}
    raw["budget_guarantee"] = {"share": 0.4, "states": ["kh"]}
    result = run(build(raw))
    benefit_saving = result.accounts.benefit_cost_net[0, :, 0] - result.accounts.benefit_cost_net[1, :, 0]
    np.testing.assert_allclose(result.accounts.budget_guarantee_offset[1], 0.4 * benefit_saving)
    np.testing.assert_allclose(result.accounts.net_saving[1], 0.6 * benefit_saving)


def _steady_course(dropout: float, threshold: float, start: str = "2020-06") -> dict:
    """10 start a 3-month course every month of 2020 (1000 on kh, no ordinary moves); a programme target."""
    raw = _course(dropout=dropout, initial=1000.0, months=12, end="2020-12")
    raw["targets"] = [{"name": "course-75", "programme": "course", "flow_to": "job", "start": start, "min": threshold}]
    return raw


def test_programme_leavers_account_for_every_participant():
    t = run(build(_steady_course(dropout=0.1, threshold=0.5))).trajectory
    left = t.programme_leavers[1, :, 0].sum()  # (T, S) summed
    still_in = t.in_programme[1, -1, 0].sum()
    assert left + still_in == pytest.approx(t.programme_intake[1, :, 0].sum())
    # A cohort of 10: 1, 0.9, 0.81 drop out; 7.29 complete, 75 % of them to the job.
    np.testing.assert_allclose(t.programme_leavers[1, :3, 0, 0], [1.0, 1.9, 10 * (0.1 + 0.09 + 0.081) + 0.25 * 7.29])
    np.testing.assert_allclose(t.programme_leavers[1, :3, 0, 1], [0.0, 0.0, 0.75 * 7.29])


@pytest.mark.parametrize("threshold, met", [(0.5, True), (0.6, False)])
def test_a_programme_target_is_the_share_of_leavers_who_reach_the_outcome(threshold, met):
    result = run(build(_steady_course(dropout=0.1, threshold=threshold)))
    verdicts = {v.strategy: v for v in result.verdicts}
    # From the third month on, every month's leavers are one month's intake (10): drop-outs from three
    # cohorts, 10 x (0.1 + 0.09 + 0.081), and completers 7.29, of whom 75 % reach the job.
    assert verdicts["s"].value == pytest.approx(0.75 * 0.9**3)
    assert verdicts["s"].met is met
    assert verdicts["s"].first_month_met == (5 if met else None)
    # The baseline runs no course: not applicable, not missed.
    assert verdicts["baseline"].met is None and verdicts["baseline"].value is None


def test_a_programme_target_from_the_start_counts_the_first_months_drop_outs():
    result = run(build(_steady_course(dropout=0.1, threshold=0.5, start="2020-01")))
    verdict = next(v for v in result.verdicts if v.strategy == "s")
    # Months 0 and 1 have only drop-outs (1 + 1.9); in months 2-11, 10 leave a month, 5.4675 of them to the job.
    assert verdict.value == pytest.approx(10 * 5.4675 / (2.9 + 10 * 10))


def test_the_comparison_shows_programmes_and_the_grant_at_stake():
    from kikcalc.report import comparison_frame

    raw = _pool(threshold=100)  # the result part is lost
    raw["strategies"]["s"]["programmes"] = [{"name": "meetings", "from": "kh", "participants": 10, "start": "2020-01",
                                             "end": "2020-01", "duration_months": 1, "cost_per_participant": 4_700}]
    frame = comparison_frame([run(build(raw))]).set_index("line")
    assert frame.loc["Programmes, kr.", "total"] == pytest.approx(47_000)
    assert frame.loc["Grants, kr.", "total"] == pytest.approx(5_800_000)
    assert frame.loc["Grants if every condition is met, kr.", "total"] == pytest.approx(7_700_000)
    assert "Payments per person moved, kr." not in frame.index  # no such payments in this scenario


def test_a_programme_target_judged_before_anyone_leaves_is_missed_and_says_so():
    from kikcalc.report import targets_document

    raw = _course(months=6, duration_months=6)  # the course ends after the horizon
    raw["targets"] = [{"name": "c-75", "programme": "course", "flow_to": "job", "end": "2020-03", "min": 0.75}]
    result = run(build(raw))
    verdict = next(v for v in result.verdicts if v.strategy == "s")
    assert verdict.met is False and np.isnan(verdict.value)
    assert "none to count" in targets_document([result], "table")


def test_the_grant_at_stake_is_shown_also_when_it_is_won():
    from kikcalc.report import comparison_frame

    frame = comparison_frame([run(build(_pool(threshold=100))), run(build(_pool(threshold=500)))])
    at_stake = frame[frame.line == "Grants if every condition is met, kr."]
    paid = frame[frame.line == "Grants, kr."]
    assert at_stake.total.tolist() == pytest.approx([7_700_000, 7_700_000])
    assert paid.total.tolist() == pytest.approx([5_800_000, 7_700_000])  # lost, then won


def test_a_participants_table_need_only_cover_the_intake_window():
    raw = _course(months=8, start="2020-03", end="2020-05", participants={"2020-03": 5, "2020-05": 2})
    intake = run(build(raw)).trajectory.programme_intake[1, :, 0]
    np.testing.assert_allclose(intake, [0, 0, 5, 5, 2, 0, 0, 0])  # 2020-04 carries 2020-03's 5 forward


def test_the_programme_table_by_hand():
    # 10 start a 3-month course each month of 2020 (horizon 2020); 10 % drop out a month; 75 % of completers to a job.
    row = run(build(_steady_course(dropout=0.1, threshold=0.5))).programmes.iloc[0]
    assert (row.strategy, row.programme, row["from"]) == ("s", "course", "kh")
    assert row.started == pytest.approx(120)
    # Cohorts of January-October have left (100); November's lost 1 + 0.9, December's 1 by the end.
    assert row.left == pytest.approx(102.9) and row.still_in == pytest.approx(8.1 + 9)
    assert row.reached_outcome == pytest.approx(10 * 10 * 0.75 * 0.9**3)
    assert row.success_share == pytest.approx(54.675 / 102.9)
    # 1.000 kr. at the start, 500 kr. a participant-month: 10 + 9 + 8.1 months a full cohort, 19 and 10 for the last two.
    assert row.cost == pytest.approx(120 * 1_000 + (10 * 27.1 + 19 + 10) * 500)
    assert row.cost_per_outcome == pytest.approx(row.cost / 54.675)
    assert row.cost_per_start == pytest.approx(row.cost / 120)
