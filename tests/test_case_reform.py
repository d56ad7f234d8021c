"""Case: the expert group's reform as it reaches Aabenraa (scenarios/reform-2026-2030.toml)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import kikcalc

FILE = Path(__file__).parent.parent / "scenarios" / "reform-2026-2030.toml"
PATH = {2025: 0, 2026: 6e6, 2027: 12e6, 2028: 18e6, 2029: 24e6, 2030: 30e6}  # linear phase-in (the file's assumption)


@pytest.fixture(scope="module")
def result() -> kikcalc.Result:
    return kikcalc.run(FILE)


def _saving_by_year(result) -> dict[int, float]:
    money = result.money
    rows = money[money.strategy == "reform"]
    return dict(zip(rows.year, rows.net_saving, strict=True))


def test_the_2030_saving_is_30_mio_kr(result):
    # SEED-FACTS, "Aabenraa 2024": up to 30 mio. kr. for Aabenraa in 2030. Tolerance: 1 kr. (rounding only).
    assert _saving_by_year(result)[2030] == pytest.approx(30_000_000, abs=1)


def test_the_phase_in_path(result):
    saving = _saving_by_year(result)
    for year, amount in PATH.items():
        assert saving[year] == pytest.approx(amount, abs=1)
    # Nothing before 2026, then a steady climb of 6 mio. kr. a year: phased in 2026-2030.
    steps = np.diff([saving[y] for y in range(2025, 2031)])
    np.testing.assert_allclose(steps, 6_000_000, atol=1)


def test_the_saving_is_on_the_effort_not_on_caseloads(result):
    # The reform changes no one's benefit: caseload and benefit cost are the baseline's in every month;
    # the whole saving is on the measure line, and nothing is booked as a grant.
    k = result.strategy("reform")
    np.testing.assert_allclose(result.accounts.benefit_cost_net[k], result.accounts.benefit_cost_net[0])
    measures_saved = result.accounts.measures_cost[0].sum() - result.accounts.measures_cost[k].sum()
    assert measures_saved == pytest.approx(90_000_000, abs=1)
    assert result.accounts.grants[k].sum() == 0.0
    yearly = result.yearly
    persons = yearly[(yearly.state == "alle_ydelser") & (yearly.year == 2030)].set_index("strategy").full_year_persons
    assert persons["reform"] == pytest.approx(4_165) and persons["baseline"] == pytest.approx(4_165)


def test_baseline_cost_is_the_2021_budget(result):
    # SEED-FACTS budget 2021: 509.392 mio. kr. benefit payments + 35.881 + 4.979 mio. kr. measures = 550.252 mio. kr.
    base = result.money[result.money.strategy == "baseline"].set_index("year").total_cost
    assert base[2030] == pytest.approx(509_392_000 + 35_881_000 + 4_979_000, abs=100)


def test_npv_by_hand(result):
    # Each year's amount in twelve equal months, month t (from January 2025) discounted by 1.035^(-t/12).
    by_hand = sum(PATH[2025 + t // 12] / 12 * 1.035 ** (-t / 12) for t in range(72))
    summary = result.summary.set_index("strategy")
    assert summary.npv["reform"] == pytest.approx(by_hand, rel=1e-9)
    # kikcalc's 90 mio. kr. undiscounted are saved 1-6 years out (2026-2030), so its NPV lies between
    # them discounted 6 years (90 / 1.035^6 = 73.2 mio. kr.) and 1 year (90 / 1.035 = 87.0 mio. kr.).
    saving = summary.net_saving["reform"]
    assert saving == pytest.approx(90_000_000, abs=1)
    assert saving * 1.035**-6 < summary.npv["reform"] < saving * 1.035**-1
