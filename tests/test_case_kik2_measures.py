"""Aabenraa's four KIK II measures in 2021 (scenarios/aabenraa-kik2-measures-2021.toml).

Figures from SEED-FACTS.md, "Aabenraa: KIK II" (4.8 mio. kr. for measures in 2021; the measures' own
success targets 75 / 60 / 50 / 25 %) and "Aabenraa: budget 2021 by benefit group" (715 and 795 full-year
persons; 74.740 and 109.898 mio. kr. net benefit payments).
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import pytest

import kikcalc
from kikcalc.scenario import build

MEASURES = Path(__file__).parent.parent / "scenarios" / "aabenraa-kik2-measures-2021.toml"
STRATEGY = "kik2-2021"

# programme, source state, outcome state, the measure's own success target (SEED-FACTS, "Aabenraa: KIK II")
TARGETS = [
    ("unge-paa-toppen", "kontanthjaelp", "selvforsorgende_efter_indsats", 0.75),
    ("vp-plus", "kontanthjaelp", "uddannelse", 0.60),
    ("individuelt-forloeb", "kontanthjaelp", "uddannelse", 0.50),
    ("a-dagpenge-udloeb", "a_dagpenge_udloeb", "selvforsorgende_efter_indsats", 0.25),
]


@pytest.fixture(scope="module")
def result() -> kikcalc.Result:
    return kikcalc.run(MEASURES)


def _raw() -> dict:
    with MEASURES.open("rb") as f:
        return tomllib.load(f)


def _money(result, strategy, year, column):
    money = result.money
    return money[(money.strategy == strategy) & (money.year == year)][column].item()


def test_the_four_measures_cost_4_8_mio_kr_in_2021(result):
    assert _money(result, STRATEGY, 2021, "programme_cost") == pytest.approx(4_800_000, abs=1)
    assert _money(result, STRATEGY, 2022, "programme_cost") == 0.0
    assert _money(result, "baseline", 2021, "programme_cost") == 0.0


def test_every_place_is_filled_and_priced(result):
    # Places x 12 months x price, by hand: 48 x 40.000 + 36 x 40.000 + 24 x 47.500 + 24 x 12.500.
    by_hand = {"unge-paa-toppen": 1_920_000, "vp-plus": 1_440_000, "individuelt-forloeb": 1_140_000,
               "a-dagpenge-udloeb": 300_000}
    costs = result.programmes[result.programmes.strategy == STRATEGY].set_index("programme").cost
    assert costs.to_dict() == pytest.approx(by_hand)
    assert sum(by_hand.values()) == pytest.approx(_money(result, STRATEGY, 2021, "programme_cost"))
    k = result.strategy(STRATEGY)
    for p, (_, programme) in enumerate(result.scenario.programmes):
        intake = result.trajectory.programme_intake[k, :, p]
        np.testing.assert_allclose(intake[:12], programme.capacity[:12])  # capacity never binds
        assert intake.sum() * programme.cost_per_participant == pytest.approx(by_hand[programme.name])


def test_the_outcome_shares_are_the_measures_own_targets(result):
    programmes = {programme.name: programme for _, programme in result.scenario.programmes}
    for name, source, outcome, share in TARGETS:
        assert programmes[name].source == source
        assert dict(programmes[name].outcomes) == {outcome: share}


@pytest.mark.parametrize(("name", "source", "outcome", "share"), TARGETS)
def test_completers_go_to_the_outcome_at_the_measures_target(name, source, outcome, share):
    # Only this programme, and no ordinary moves or inflow: every move source -> outcome is the programme's.
    raw = copy.deepcopy(_raw())
    raw["strategies"][STRATEGY]["programmes"] = [p for p in raw["strategies"][STRATEGY]["programmes"]
                                                 if p["name"] == name]
    raw["targets"] = [t for t in raw["targets"] if t.get("programme", name) == name]
    for transition in raw["transitions"]:
        transition["probability"] = 0.0
    for state in raw["states"].values():
        state.pop("inflow", None)
    only = kikcalc.run(build(raw))
    k, states = only.strategy(STRATEGY), [s.name for s in only.scenario.states]
    programme = only.scenario.programmes[0][1]
    completers = only.trajectory.programme_intake[k].sum() * (1 - programme.dropout) ** programme.duration
    moved = only.flows[k, :, states.index(source), states.index(outcome)].sum()
    assert moved / completers == pytest.approx(share)


def test_each_measure_is_judged_on_its_own_target(result):
    # No drop-out: every participant who leaves completes, and the outcome share is the target.
    verdicts = {(v.target, v.strategy): v for v in result.verdicts}
    for name, _, _, share in TARGETS:
        target = f"{name}-{round(share * 100)}"
        assert verdicts[target, STRATEGY].value == pytest.approx(share)
        assert verdicts[target, STRATEGY].met
        assert verdicts[target, "baseline"].met is None  # the baseline runs no measures


def test_education_flows_in_the_real_run_by_hand(result):
    # No ordinary route into "uddannelse": 60 % of VP+'s 36 + 50 % of the course's 24 = 21.6 + 12 = 33.6,
    # all within the horizon (the last starts in December 2021 finish by May 2022).
    states = [s.name for s in result.scenario.states]
    flows = result.flows[:, :, states.index("kontanthjaelp"), states.index("uddannelse")]
    assert flows[result.strategy(STRATEGY)].sum() == pytest.approx(33.6)
    assert flows[0].sum() == 0.0


def test_baseline_holds_the_2021_budget_caseload_and_payments(result):
    yearly = result.yearly[(result.yearly.strategy == "baseline") & (result.yearly.year == 2021)].set_index("state")
    fyp = yearly.full_year_persons
    assert fyp["kontanthjaelp"] == pytest.approx(715)
    assert fyp["a_dagpenge"] + fyp["a_dagpenge_udloeb"] == pytest.approx(795)
    assert yearly.benefit_cost_net["kontanthjaelp"] == pytest.approx(74_740_000, abs=1_000)
    net_a = yearly.benefit_cost_net["a_dagpenge"] + yearly.benefit_cost_net["a_dagpenge_udloeb"]
    assert net_a == pytest.approx(109_898_000, abs=1_000)



def test_those_made_self_supporting_come_back_at_the_assumed_3_percent_a_month(result):
    # Unge på Toppen: 4 a month in 2021, 4 months, 75 % out: 3 arrive at the start of month t + 4 for intake
    # month t; the a-dagpenge measure: 2 a month, 3 months, 25 %: 0.5 at the start of month t + 3. Each stays
    # out with 0.97 a month, so at the end of 2022 (the start of month 24) sum_t 3 x 0.97^(20-t) + 0.5 x 0.97^(21-t)
    # are still out, and the rest of the 12 x 3.5 = 42 have come back to kontanthjælp.
    k, scenario = result.strategy(STRATEGY), result.scenario
    out, back_to = scenario.state_index("selvforsorgende_efter_indsats"), scenario.state_index("kontanthjaelp")
    t = np.arange(12)
    still_out = (3 * 0.97 ** (20 - t) + 0.5 * 0.97 ** (21 - t)).sum()
    assert result.trajectory.headcount[k, -1, out] == pytest.approx(still_out, rel=1e-12)
    assert result.flows[k, :, out, back_to].sum() == pytest.approx(42 - still_out, rel=1e-12)
