"""The shipped KIJOS scenario: its figures trace back to SEED-FACTS, and its run keeps the model's promises."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import kikcalc

KIJOS = Path(__file__).parent.parent / "scenarios" / "aabenraa-kijos.toml"


@pytest.fixture(scope="module")
def result() -> kikcalc.Result:
    return kikcalc.run(KIJOS)


@pytest.mark.parametrize(
    ("state", "persons", "payments", "measures"),
    [
        # SEED-FACTS, "Aabenraa: budget 2021 by benefit group": full-year persons, benefit payments
        # and ordinary active measures, kr.
        ("sygedagpenge", 465, 64_841_000, 4_638_000),
        ("jobafklaring", 256, 33_116_000, 2_849_000),
        ("ressourceforloeb", 228, 29_901_000, 3_419_000),
    ],
)
def test_per_person_costs_reproduce_the_2021_budget_lines(state, persons, payments, measures):
    states = {s.name: s for s in kikcalc.load(KIJOS).states}
    assert states[state].cost_basis == "net"
    assert persons * states[state].cost == pytest.approx(payments, abs=1_000)
    assert persons * states[state].measures_cost == pytest.approx(measures, abs=1_000)


def test_investment_totals_16_7_mio_kr(result):
    kijos = result.strategy("kijos")
    assert kijos == 1
    assert result.accounts.investment[kijos].sum() == pytest.approx(16_700_000, abs=1)
    assert result.accounts.investment[0].sum() == 0


def test_persons_are_conserved_in_every_month(result):
    trajectory = result.trajectory
    total = trajectory.headcount.sum(axis=2)  # (K, T+1), outside states included
    initial = sum(s.initial for s in result.scenario.states)
    entered = np.concatenate([np.zeros((total.shape[0], 1)), np.cumsum(trajectory.inflow.sum(axis=2), axis=1)], axis=1)
    np.testing.assert_allclose(total, initial + entered, rtol=1e-12)


def test_baseline_misses_target_8_so_the_target_is_a_real_test(result):
    yearly = result.yearly
    baseline_2021 = yearly[(yearly.strategy == "baseline") & (yearly.year == 2021)].set_index("state")
    assert baseline_2021.full_year_persons["sygedagpenge"] > 465
    assert baseline_2021.full_year_persons["jobafklaring"] > 256


def test_target_8_counts_economic_full_time_persons(result):
    # Issue 12, rule 5: local target 8 counts økonomiske fuldtidspersoner. The source gives no share of
    # partial benefits, so nobody is paid a part and the target's value is the full-year persons.
    targets = {t.name: t for t in result.scenario.targets}
    assert {targets[n].measure for n in ("maal-8-jobafklaring-2021", "maal-8-sygedagpenge-2021")} == {"economic"}
    verdicts = result.targets.set_index(["name", "strategy"])
    yearly = result.yearly[result.yearly.year == 2021].set_index(["strategy", "state"])
    value = verdicts.loc[("maal-8-sygedagpenge-2021", "baseline"), "value"]
    assert value == pytest.approx(yearly.loc[("baseline", "sygedagpenge"), "full_year_persons"], rel=1e-12)
    # Were 90 % of a full sickness benefit paid on average, the target's value would be 90 % of the persons.
    partial = kikcalc.run(kikcalc.load(KIJOS, overrides=[("states.sygedagpenge.payment_share", 0.9)]))
    partial_value = partial.targets.set_index(["name", "strategy"]).loc[("maal-8-sygedagpenge-2021", "baseline"), "value"]
    full_year = partial.yearly[partial.yearly.year == 2021].set_index(["strategy", "state"])
    assert partial_value == pytest.approx(0.9 * full_year.loc[("baseline", "sygedagpenge"), "full_year_persons"], rel=1e-12)
