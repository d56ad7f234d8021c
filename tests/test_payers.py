"""Who pays: the municipality, the state and the public sector; a-dagpenge's co-financing.

The hand example: 100 persons on a gross-basis benefit of 120.000 kr. a year (10.000 kr. a month),
all with 13 months or more of anciennitet (the state refunds 20 %), nobody leaves in the baseline;
the strategy sends 5 % a month to work. With x_t = 100 * 0.95^t at the start of month t, the strategy
has (x_t + x_{t+1}) / 2 = 100 * 0.95^t * 1.95 / 2 full-time persons in month t, and the gross saving
is 10.000 kr. times the persons fewer. The municipality keeps 80 % of it, the state 20 %.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import one_state, with_changes
from kikcalc import run
from kikcalc.report import comparison_frame
from kikcalc.scenario import build

MONTHS = 24
R = 0.035
DISCOUNT = (1 + R) ** (-np.arange(MONTHS) / 12)


def _gross_saving() -> np.ndarray:
    """Kr. a month saved on benefits, gross (before refusion), by hand."""
    t = np.arange(MONTHS)
    return 10_000 * (100 - 100 * 0.95**t * 1.95 / 2)


def _scenario(state: dict, **sections) -> dict:
    raw = one_state(p_exit=0.0, initial=100.0, months=MONTHS, initial_anciennitet={"13": 1.0}, **state)
    strategy = {"effects": [{"from": "kh", "to": "job", "set": 0.05, "start": "2020-01"}]}
    strategy |= sections.pop("strategy", {})
    return with_changes(raw, strategies={"baseline": {}, "s": strategy}, **sections)


def test_a_gross_benefit_saving_splits_80_20_between_municipality_and_state():
    result = run(build(_scenario({"cost_basis": "gross"})))
    m = result.accounts
    gross = _gross_saving()
    np.testing.assert_allclose(m.net_saving[1], 0.8 * gross, rtol=1e-10)
    np.testing.assert_allclose(m.net_saving_of("state")[1], 0.2 * gross, rtol=1e-10)
    np.testing.assert_allclose(m.net_saving_of("public")[1], gross, rtol=1e-10)
    summary = result.summary.set_index("strategy")
    assert summary.net_saving_state["s"] == pytest.approx(0.2 * gross.sum(), rel=1e-10)
    assert summary.npv_state["s"] == pytest.approx(0.2 * (gross * DISCOUNT).sum(), rel=1e-10)
    assert summary.npv_public["s"] == pytest.approx((gross * DISCOUNT).sum(), rel=1e-10)


def test_grants_and_the_budget_guarantee_move_money_between_payers_and_cancel_for_the_public_sector():
    # 120.000 kr. a year from a state pool, 60.000 kr. a year from a fund, half the saving on kh offset.
    raw = _scenario({"cost_basis": "gross"}, budget_guarantee={"share": 0.5, "states": ["kh"]},
                    strategy={"grants": [{"name": "pool", "amount": 120_000},
                                         {"name": "fund", "amount": 60_000, "payer": "other"}]})
    m = run(build(raw)).accounts
    gross = _gross_saving()
    municipal = 0.8 * gross * 0.5 + 10_000 + 5_000
    state = 0.2 * gross + 0.8 * gross * 0.5 - 10_000
    np.testing.assert_allclose(m.net_saving[1], municipal, rtol=1e-10)
    np.testing.assert_allclose(m.net_saving_of("state")[1], state, rtol=1e-10)
    np.testing.assert_allclose(m.net_saving_of("public")[1], gross + 5_000, rtol=1e-10)


def test_an_npv_target_judges_the_payer_it_names():
    targets = [{"name": "state-gains", "npv_min": 0, "payer": "state"},
               {"name": "public-gains", "npv_min": 0, "payer": "public"},
               {"name": "municipality-gains", "npv_min": 0}]
    # An investment of 8.5 mio. kr. in the first month: the municipality pays it, the state only saves.
    raw = _scenario({"cost_basis": "gross"}, targets=targets, strategy={"investment": {"2020-01": 8_500_000}})
    result = run(build(raw))
    gross = _gross_saving()
    by_name = {v.target: v for v in result.verdicts if v.strategy == "s"}
    state_npv = 0.2 * (gross * DISCOUNT).sum()
    public_npv = (gross * DISCOUNT).sum() - 8_500_000
    municipal_npv = 0.8 * (gross * DISCOUNT).sum() - 8_500_000
    assert by_name["state-gains"].value == pytest.approx(state_npv, rel=1e-10)
    assert by_name["public-gains"].value == pytest.approx(public_npv, rel=1e-10)
    assert by_name["municipality-gains"].value == pytest.approx(municipal_npv, rel=1e-10)
    assert municipal_npv < 0 < public_npv < state_npv  # the hand example is chosen so that the payers disagree
    assert by_name["state-gains"].met is True and by_name["public-gains"].met is True
    assert by_name["municipality-gains"].met is False


def test_compare_shows_the_municipal_and_the_state_net_saving():
    result = run(build(_scenario({"cost_basis": "gross"})))
    frame = comparison_frame([result]).set_index(["line", "strategy"])
    gross = _gross_saving()
    assert frame.loc[("Net saving vs baseline, kr.", "s"), "total"] == pytest.approx(0.8 * gross.sum(), rel=1e-10)
    assert frame.loc[("Net saving vs baseline, state, kr.", "s"), "total"] == pytest.approx(0.2 * gross.sum(), rel=1e-10)
    assert frame.loc[("Net saving vs baseline, state, kr.", "s"), "2020"] == pytest.approx(0.2 * gross[:12].sum(), rel=1e-10)
    assert frame.loc[("Net present value, state, kr.", "s"), "total"] == pytest.approx(0.2 * (gross * DISCOUNT).sum(), rel=1e-10)


# --- a-dagpenge's co-financing -------------------------------------------------------------------

def test_a_co_financed_state_costs_the_municipality_its_share_and_the_state_the_rest():
    # 13 months and more of anciennitet: the municipality co-finances 80 % of the a-dagpenge.
    result = run(build(_scenario({"cofinancing": "a-dagpenge"})))
    m = result.accounts
    gross = _gross_saving()
    np.testing.assert_allclose(m.net_saving[1], 0.8 * gross, rtol=1e-10)
    np.testing.assert_allclose(m.net_saving_of("state")[1], 0.2 * gross, rtol=1e-10)
    # The baseline: 100 persons a month at 10.000 kr., 8.000 of it the municipality's.
    np.testing.assert_allclose(m.benefit_cost_net[0, :, 0], 800_000, rtol=1e-12)
    np.testing.assert_allclose(m.state_benefit[0, :, 0], 200_000, rtol=1e-12)
    assert not m.refusion.any()


def test_a_partly_paid_co_financed_state_splits_what_is_paid():
    # payment_share 0.5: half a benefit is paid, 5.000 kr. a month a person; the municipality co-finances
    # 80 % of it, the state pays 20 %, and the saving splits so: 0.8 x 0.5 and 0.2 x 0.5 of the full one.
    result = run(build(_scenario({"cofinancing": "a-dagpenge", "payment_share": 0.5})))
    m = result.accounts
    gross = _gross_saving()
    np.testing.assert_allclose(m.net_saving[1], 0.8 * 0.5 * gross, rtol=1e-10)
    np.testing.assert_allclose(m.net_saving_of("state")[1], 0.2 * 0.5 * gross, rtol=1e-10)
    np.testing.assert_allclose(m.benefit_cost_net[0, :, 0], 400_000, rtol=1e-12)
    np.testing.assert_allclose(m.state_benefit[0, :, 0], 100_000, rtol=1e-12)


def test_the_co_financing_rates_are_data():
    raw = _scenario({"cofinancing": "a-dagpenge"}, cofinancing={"a-dagpenge": {"municipal_share": [0.2, 0.6, 0.7, 0.9]}})
    m = run(build(raw)).accounts
    np.testing.assert_allclose(m.benefit_cost_net[0, :, 0], 900_000, rtol=1e-12)
    np.testing.assert_allclose(m.net_saving_of("state")[1], 0.1 * _gross_saving(), rtol=1e-10)


def test_todays_co_financing_is_the_municipal_side_of_the_refusion_staircase():
    # 20/60/70/80 % municipal in the bands where the state refunds 80/40/30/20 %: entrants at
    # anciennitet 0 pass through every band, and the municipality pays the same either way: with the same
    # timing for stayers, entrants and returners who keep their anciennitet, and at a payment share.
    def with_entrants(state: dict) -> dict:
        raw = _scenario(state)
        raw["states"]["kh"] |= {"inflow": 12.0, "initial_anciennitet": {"0": 0.5, "3": 0.25, "9": 0.25},
                                "payment_share": {"2020": 0.9, "2021": 0.7}}
        raw["transitions"].append({"from": "job", "to": "kh", "probability": 0.2})
        return raw

    cofinanced = run(build(with_entrants({"cofinancing": "a-dagpenge"}))).accounts
    refunded = run(build(with_entrants({"cost_basis": "gross"}))).accounts
    np.testing.assert_allclose(cofinanced.benefit_cost_net, refunded.benefit_cost_net, rtol=1e-12)
    np.testing.assert_allclose(cofinanced.state_cost, refunded.state_cost, rtol=1e-12)
    assert cofinanced.benefit_cost_net[0, 0, 0] < 0.8 * cofinanced.benefit_cost_gross[0, 0, 0]  # new cases: less co-financing


def test_a_net_basis_scenario_keeps_the_municipal_figures_and_says_the_state_has_no_refusion_on_it():
    result = run(build(_scenario({})))
    np.testing.assert_allclose(result.accounts.net_saving[1], _gross_saving(), rtol=1e-10)
    assert not result.accounts.net_saving_of("state").any()
    assert "the state's lines hold no refusion on kh: their cost is given net of it (cost_basis = \"net\")" in result.notes


def test_the_liability_counts_the_municipalitys_co_financing():
    # The liability's closed form (tests/test_liability.py): a person with a constant exit probability p
    # costs c (1 + q) / (2 (1 - d q)) in present value; co-financed at 13 months and more, the
    # municipality's part is 80 % of it (90 % with municipal_share = [0.2, 0.6, 0.7, 0.9]).
    from kikcalc.liability import value

    p, c, d = 0.1, 120_000 / 12, 1.035 ** (-1 / 12)
    closed_form = c * (1 + (1 - p)) / (2 * (1 - d * (1 - p)))
    for share, rates in ((0.8, {}), (0.9, {"a-dagpenge": {"municipal_share": [0.2, 0.6, 0.7, 0.9]}})):
        raw = one_state(p_exit=p, initial=500, months=24, cofinancing="a-dagpenge", initial_anciennitet={"13": 1.0})
        if rates:
            raw["cofinancing"] = rates
        liability = value(build(raw))
        assert liability.stock_value[0, 0, -1] == pytest.approx(share * closed_form, rel=1e-12)
        assert liability.stock_value[0, 0, -1] < closed_form
