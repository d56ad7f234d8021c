"""kikcalc.tables: the numbers a report shows beyond Result's own columns, against values known by hand.

tests/data/two-states.toml: 1234.5 persons in kh (120,000 kr. a full-year person) and 100 in sd
(60,000 kr.) that nobody leaves, 2020-01 to 2021-12; the strategy "invest" spends 1.2 mio. kr. in 2020.
"""

from __future__ import annotations

import numpy as np
import pytest

import kikcalc
from conftest import ROOT, one_state
from kikcalc import tables
from kikcalc.scenario import build

TWO = ROOT / "tests" / "data" / "two-states.toml"


@pytest.fixture(scope="module")
def result():
    return kikcalc.run(TWO)


def test_full_year_persons_with_the_benefit_states_total(result):
    table = tables.persons_by_year(result, "baseline")
    assert list(table.state) == ["kh", "sd", "job", tables.BENEFIT_TOTAL]
    assert list(table.row) == ["state", "state", "outside", "total"]
    total = table[table.row == "total"].iloc[0]
    assert total[2020] == pytest.approx(1334.5) and total[2021] == pytest.approx(1334.5)  # 1234.5 + 100, outside not counted
    assert table.attrs["units"][2020] == "full-year persons"


def test_money_lines_and_their_totals(result):
    table = tables.money_by_year(result, "invest").set_index("line")
    # A year: 1234.5 x 120,000 + 100 x 60,000 = 154,140,000 kr.; two years 308,280,000.
    assert table.loc["benefit_cost_net", 2020] == pytest.approx(154_140_000)
    assert table.loc["benefit_cost_net", "total"] == pytest.approx(308_280_000)
    assert table.loc["total_cost", "total"] == pytest.approx(308_280_000 + 1_200_000)
    assert table.loc["net_saving", "total"] == pytest.approx(-1_200_000)
    # The cumulative line's total is where it ends, not a sum of years (-1.2 mio. + -1.2 mio.).
    assert table.loc["cumulative_net_saving", "total"] == pytest.approx(-1_200_000)
    assert "programme_cost" not in table.index and "grants" not in table.index  # lines the scenario has none of
    assert set(table.attrs["units"].values()) == {"kr."}


def test_summary_drops_columns_no_strategy_has(result):
    summary = tables.summary(result)
    assert "spending" not in summary.columns and "grants" not in summary.columns
    assert list(summary.baseline) == [True, False]
    assert summary.set_index("strategy").loc["invest", "investment"] == pytest.approx(1_200_000)


def test_comparison_lines(result):
    frame = tables.comparison_frame([result]).set_index(["line", "strategy"])
    assert frame.loc[("Full-year persons: benefit states, total", "invest"), "2021"] == pytest.approx(1334.5)
    assert frame.loc[("Total cost, kr.", "invest"), "total"] == pytest.approx(309_480_000)
    assert frame.loc[("Payback month", "invest"), "total"] == "not within the horizon"
    assert len(tables.one_figure_lines(tables.comparison_frame([result]))) + \
        len(tables.by_year_lines(tables.comparison_frame([result]))) == len(frame)


def test_targets_met_counts_the_verdicts(result):
    # kh-2021 is met (1234.5 <= 1300), all-2021 missed (1334.5 > 1300): one of two.
    frame = tables.comparison_frame([result]).set_index(["line", "strategy"])
    assert frame.loc[("Targets met", "invest"), "total"] == "1 of 2"
    by_strategy = tables.targets_by_strategy(result)
    assert [r["name"] for r in by_strategy] == ["kh-2021", "all-2021"]
    assert by_strategy[1]["verdicts"]["invest"] == (False, pytest.approx(1334.5))
    assert by_strategy[1]["threshold"] == 1300


def _settling_states(n: int) -> dict:
    """n benefit states without an initial_anciennitet, each leaving to a job by anciennitet band at its own rate."""
    raw = one_state()
    raw["states"] = {f"s{i}": {"initial": 100.0 + i, "inflow": 5.0, "cost": 120_000} for i in range(n)}
    raw["states"]["job"] = {"kind": "outside"}
    raw["transitions"] = [{"from": f"s{i}", "to": "job", "probability": {"0-5": 0.02 + 0.01 * i, "6+": 0.01}}
                          for i in range(n)]
    return raw


def test_a_few_settled_states_each_have_a_note_with_their_own_mix():
    result = kikcalc.run(build(_settling_states(3)))
    anc = result.scenario.anciennitet_months
    said = [note for note in result.notes if "no initial_anciennitet given" in note]
    mixes = result.trajectory.initial_stock[0, :3] / np.array([s.initial for s in result.scenario.states[:3]])[:, None]
    assert said == [f"s{i}: no initial_anciennitet given; the initial stock takes the mix the baseline's inflow and exit "
                    f"rates settle into ({mixes[i, anc - 1]:.0%} at {anc - 1}+ months, {mixes[i, :6].sum():.0%} under 6 months)"
                    for i in range(3)]


def test_many_settled_states_share_one_note_with_the_range_of_their_mixes():
    result = kikcalc.run(build(_settling_states(6)))
    anc = result.scenario.anciennitet_months
    said = [note for note in result.notes if "no initial_anciennitet given" in note]
    mixes = result.trajectory.initial_stock[0, :6] / np.array([s.initial for s in result.scenario.states[:6]])[:, None]
    longest, newest = mixes[:, anc - 1], mixes[:, :6].sum(axis=1)
    assert longest.min() < longest.max()  # the states settle apart: the note gives a range
    assert said == [f"s0, s1, s2 and 3 more: no initial_anciennitet given; the initial stock of each takes the mix the "
                    f"baseline's inflow and exit rates settle into ({longest.min():.0%} to {longest.max():.0%} at "
                    f"{anc - 1}+ months, {newest.min():.0%} to {newest.max():.0%} under 6 months)"]


def test_many_states_settling_alike_have_one_share_not_a_range_of_one():
    """Six states of the same rates said '65% to 65% at 13+ months'."""
    raw = _settling_states(6)
    raw["transitions"] = [{"from": f"s{i}", "to": "job", "probability": {"0-5": 0.08, "6+": 0.03}} for i in range(6)]
    result = kikcalc.run(build(raw))
    anc = result.scenario.anciennitet_months
    (said,) = [note for note in result.notes if "no initial_anciennitet given" in note]
    mix = result.trajectory.initial_stock[0, 0] / result.scenario.states[0].initial
    assert said.endswith(f"settle into ({mix[anc - 1]:.0%} at {anc - 1}+ months, {mix[:6].sum():.0%} under 6 months)")
