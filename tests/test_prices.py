"""Prices: a price year and index for the file's amounts, current or fixed prices, and consistent discounting.

The hand example: 10 persons at 12.000 kr. a year (1.000 kr. a month each) in 2020 prices, two years
(2020-2021), prices up 2 % from 2020 to 2021, a real discount rate of 3.5 %. In current prices a
2021 month costs 10.200 kr.; in fixed prices 10.000 kr. Discounting the current-price flows at the
nominal rate the index implies, (1.035)(1.02) - 1 a year, gives the same present value (in 2020
kroner) as discounting the fixed-price flows at the real rate.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import one_state, with_changes
from kikcalc import run
from kikcalc.cli import main
from kikcalc.money import discount_factors, net_present_value, price_view
from kikcalc.scenario import build

R = 0.035
V = (1 + R) ** (-1 / 12)  # the real monthly discount factor
GROWTH = 0.02


def _two_years(prices: dict | None, investment: dict | None = None) -> dict:
    """The hand example: a baseline, "invest" (12.000 kr. a year, nothing else) and "clear" (everyone
    out in the first month, at no cost)."""
    raw = one_state(p_exit=0.0, initial=10.0, months=24, cost=12_000)
    raw["scenario"]["discount_rate"] = R
    raw = with_changes(raw, strategies={
        "baseline": {},
        "invest": {"investment": investment or {"2020": 12_000, "2021": 12_000}},
        "clear": {"effects": [{"from": "kh", "to": "job", "set": 1.0, "start": "2020-01", "end": "2020-01"}]},
    })
    if prices is not None:
        raw["prices"] = prices
    return raw


def _geometric(first: int, last: int) -> float:
    """The sum of V**t for t = first..last, in closed form."""
    return (V**first - V ** (last + 1)) / (1 - V)


def test_the_nominal_discount_factor_is_the_real_one_over_the_price_level():
    level = np.repeat([1.0, 1.0 + GROWTH], 12)
    factors = discount_factors(R, 24, level)
    # A year on, the nominal rate is (1 + r)(1 + inflation) - 1 = 5.57 %.
    assert factors[12] == pytest.approx(1 / ((1 + R) * (1 + GROWTH)), rel=1e-14)
    assert factors[5] == pytest.approx(V**5, rel=1e-14)  # within the base year: no inflation yet
    assert net_present_value(np.full(24, 100.0) * level, R, level) == pytest.approx(100 * _geometric(0, 23), rel=1e-12)


def test_current_prices_inflate_a_base_year_amount_by_the_index():
    result = run(build(_two_years({"base_year": 2020, "growth": GROWTH})))
    money = result.money.set_index(["strategy", "year"])
    assert money.loc[("baseline", 2020), "total_cost"] == pytest.approx(10 * 12_000, rel=1e-12)
    assert money.loc[("baseline", 2021), "total_cost"] == pytest.approx(10 * 12_000 * 1.02, rel=1e-12)
    assert money.loc[("invest", 2021), "investment"] == pytest.approx(12_000 * 1.02, rel=1e-12)


@pytest.mark.parametrize("view", ["current", "fixed"])
def test_npv_is_the_same_in_current_and_fixed_prices(view):
    scenario = price_view(build(_two_years({"base_year": 2020, "growth": GROWTH})), view)
    npv = run(scenario).summary.set_index("strategy").npv
    # invest: -1.000 kr. a month in 2020 prices for 24 months.
    assert npv["invest"] == pytest.approx(-1000 * _geometric(0, 23), rel=1e-12)
    # clear: half a month's cost saved in month 0 (5 full-time persons), then 10.000 kr. a month.
    assert npv["clear"] == pytest.approx(5000 + 10_000 * _geometric(1, 23), rel=1e-12)


def test_fixed_prices_are_the_file_as_it_stands():
    plain = run(build(_two_years(None)))
    fixed = run(price_view(build(_two_years({"base_year": 2020, "growth": GROWTH})), "fixed"))
    for column in ("total_cost", "net_saving", "investment", "benefit_cost_gross", "net_saving_state"):
        np.testing.assert_allclose(fixed.money[column], plain.money[column], rtol=1e-12)
    np.testing.assert_allclose(fixed.summary.npv, plain.summary.npv, rtol=1e-12)


def test_an_index_by_year_states_amounts_in_its_base_year():
    # Costs in 2021 prices; 2020's index 98 against 2021's 100: a 2020 month costs 9.800 kr. in its own kroner.
    prices = {"base_year": 2021, "index": {"2020": 98.0, "2021": 100.0}}
    result = run(build(_two_years(prices)))
    money = result.money.set_index(["strategy", "year"])
    assert money.loc[("baseline", 2020), "total_cost"] == pytest.approx(10 * 12_000 * 0.98, rel=1e-12)
    assert money.loc[("baseline", 2021), "total_cost"] == pytest.approx(10 * 12_000, rel=1e-12)
    # Present values in 2021 kroner, whichever prices money is shown in.
    for view in ("current", "fixed"):
        npv = run(price_view(build(_two_years(prices)), view)).summary.set_index("strategy").npv
        assert npv["clear"] == pytest.approx(5000 + 10_000 * _geometric(1, 23), rel=1e-12)


def test_an_amount_given_in_current_prices_is_deflated_in_fixed_prices():
    # The investment is the budget's kroner: 12.000 kr. in each year as paid, so 12.000 / 1.02 in 2020 prices in 2021.
    prices = {"base_year": 2020, "growth": GROWTH, "in_current_prices": ["investment"]}
    expected = -(1000 * _geometric(0, 11) + 1000 / 1.02 * _geometric(12, 23))
    for view, in_2021 in (("current", 12_000), ("fixed", 12_000 / 1.02)):
        result = run(price_view(build(_two_years(prices)), view))
        money = result.money.set_index(["strategy", "year"])
        assert money.loc[("invest", 2021), "investment"] == pytest.approx(in_2021, rel=1e-12)
        assert money.loc[("invest", 2020), "investment"] == pytest.approx(12_000, rel=1e-12)
        assert result.summary.set_index("strategy").npv["invest"] == pytest.approx(expected, rel=1e-12)


def test_a_negative_growth_rate_deflates(make):
    result = run(make(_two_years({"base_year": 2020, "growth": -0.1})))
    money = result.money.set_index(["strategy", "year"])
    assert money.loc[("baseline", 2021), "total_cost"] == pytest.approx(10 * 12_000 * 0.9, rel=1e-12)


TWO_YEARS_TOML = """
[scenario]
name = "prices"
start = "2020-01"
end = "2021-12"

[states.kh]
initial = 10
cost = 12_000

[states.job]
kind = "outside"

[[transitions]]
from = "kh"
to = "job"
probability = 0.0

[strategies.baseline]

[strategies.invest]
investment = 12_000
"""


def _write(tmp_path, prices: str = "") -> str:
    """The hand example's baseline and "invest" as a file, with a [prices] table or none."""
    path = tmp_path / "prices.toml"
    path.write_text(TWO_YEARS_TOML + prices, encoding="utf-8")
    return str(path)


def test_the_command_line_shows_money_in_the_prices_asked_for(tmp_path):
    file = _write(tmp_path, "\n[prices]\nbase_year = 2020\ngrowth = 0.02\n")
    runner = CliRunner()
    current = runner.invoke(main, ["run", file, "--format", "json"], catch_exceptions=False)
    fixed = runner.invoke(main, ["run", file, "--format", "json", "--prices", "fixed"], catch_exceptions=False)
    assert current.exit_code == fixed.exit_code == 0
    def baseline_2021(text: str) -> float:
        rows = json.loads(text)["money"]
        return next(r["total_cost"] for r in rows if r["strategy"] == "baseline" and r["year"] == 2021)

    assert baseline_2021(current.stdout) == pytest.approx(122_400)
    assert baseline_2021(fixed.stdout) == pytest.approx(120_000)
    table = runner.invoke(main, ["compare", file, "--prices", "fixed"], catch_exceptions=False)
    assert "Money in fixed 2020 prices; present values in 2020 kroner" in table.stdout


def test_prices_fixed_on_a_file_without_prices_says_so_and_changes_nothing(tmp_path):
    file = _write(tmp_path)
    result = CliRunner().invoke(main, ["run", file, "--prices", "fixed"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "has no [prices] table: --prices fixed leaves its money as the file gives it" in result.stderr
    assert "Money in" not in result.stdout


def test_an_unknown_price_view_is_bad_usage(tmp_path):
    file = _write(tmp_path, "\n[prices]\nbase_year = 2020\ngrowth = 0.02\n")
    result = CliRunner().invoke(main, ["compare", file, "--prices", "nominal"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "'nominal' is not one of 'current', 'fixed'" in result.output


def test_from_python_fixed_prices_are_the_command_lines_and_an_unknown_view_is_refused(tmp_path):
    """kikcalc.money.price_view is --prices from Python; "Fixed", None or "real" gave fixed prices without a word."""
    import kikcalc
    from kikcalc.money import price_view

    file = _write(tmp_path, "\n[prices]\nbase_year = 2020\ngrowth = 0.02\n")
    fixed = CliRunner().invoke(main, ["run", file, "--format", "json", "--prices", "fixed"], catch_exceptions=False)
    rows = json.loads(fixed.stdout)["money"]
    frame = kikcalc.run(price_view(kikcalc.load(file), "fixed")).money
    assert frame.total_cost.tolist() == pytest.approx([r["total_cost"] for r in rows], abs=0.01)
    for view in ("Fixed", None, "real"):
        with pytest.raises(ValueError, match=f"prices: expected 'current' or 'fixed', got {view!r}"):
            price_view(kikcalc.load(file), view)


def test_the_json_says_which_prices_money_is_in(tmp_path):
    file = _write(tmp_path, "\n[prices]\nbase_year = 2020\ngrowth = 0.02\n")
    fixed = CliRunner().invoke(main, ["run", file, "--format", "json", "--prices", "fixed"], catch_exceptions=False)
    assert json.loads(fixed.stdout)["scenario"]["prices"] == {"base_year": 2020, "view": "fixed"}
    plain = CliRunner().invoke(main, ["run", _write(tmp_path), "--format", "json"], catch_exceptions=False)
    assert json.loads(plain.stdout)["scenario"]["prices"] is None


def test_draws_discount_current_prices_as_a_plain_run_does():
    from kikcalc import sensitivity
    from kikcalc.uncertainty import read

    raw = _two_years({"base_year": 2020, "growth": GROWTH})
    raw["uncertainty"] = {"strategies.invest.investment": {"dist": "uniform", "low": 0.5, "high": 1.5, "scale": True}}
    scenario = build(raw)
    drawn = sensitivity.run(scenario, read(scenario)[0], 64, seed=3, sampler="random", keep_drawn=True)
    factor = drawn.drawn[:, 0]  # one factor a draw, scaling 12.000 kr. a year
    assert np.ptp(factor) > 0.5
    # The investment's NPV is linear in it: -1.000 kr. x factor a month over 24 months, in 2020 kroner.
    np.testing.assert_allclose(drawn.outcomes.npv[1::3], -1000 * factor * _geometric(0, 23), rtol=1e-10)


def test_a_price_index_that_jumps_is_warned_at_the_year_it_jumps():
    from kikcalc import plausibility

    rebased = build(_two_years({"base_year": 2020, "index": {"2020": 100.0, "2021": 1.02}}))
    (warning,) = plausibility.price_warnings(rebased)
    assert warning.path == "prices.index.2021"
    assert "prices change by -99.0% from 2020 to 2021" in warning.message
    (slip,) = plausibility.price_warnings(build(_two_years({"base_year": 2020, "growth": 0.2})))
    assert slip.path == "prices.growth" and "+20.0%" in slip.message
    assert not plausibility.price_warnings(build(_two_years({"base_year": 2020, "growth": 0.1})))  # at the threshold


def test_follow_up_prices_a_gap_in_the_kroner_money_is_shown_in():
    # The follow-up's hand example (tests/test_followup.py) with prices up 2 % in 2021: a full-time person-month
    # of 2021 costs 10.000 x 1.02 kr. in current prices and 10.000 kr. in fixed 2020 prices.
    from test_followup import MONTH_COST, OBSERVED, full_time

    from kikcalc.followup import follow_up
    from kikcalc.observed import from_scenario

    raw = one_state(p_exit=0.1, initial=40, inflow=10, months=24)
    raw["observed"] = {"source": "by hand", "kh": {"full_time": {"2021": OBSERVED["full_time"]["2021"]}}}
    raw["prices"] = {"base_year": 2020, "growth": GROWTH}
    gap = OBSERVED["full_time"]["2021"] - full_time(12, 23)
    for view, level in (("current", 1.02), ("fixed", 1.0)):
        scenario = price_view(build(raw), view)
        (line,) = follow_up(scenario, from_scenario(scenario)[0], 0).lines
        assert line.kroner == pytest.approx(gap * MONTH_COST * level * 12, rel=1e-9)


@pytest.mark.parametrize("command", ["sensitivity", "tornado"])
def test_sensitivity_and_tornado_say_which_prices_their_kroner_are_in(tmp_path, command):
    file = _write(tmp_path, "\n[prices]\nbase_year = 2020\ngrowth = 0.02\n\n[uncertainty]\n"
                            '"strategies.invest.investment" = { dist = "uniform", low = 0.5, high = 1.5, scale = true }\n')
    extra = ["--draws", "20"] if command == "sensitivity" else []
    for view, words in (("current", "Money in current prices (each year's kroner, price index 2020 = 1)"),
                        ("fixed", "Money in fixed 2020 prices; present values in 2020 kroner")):
        shown = CliRunner().invoke(main, [command, file, "--prices", view, *extra], catch_exceptions=False)
        assert shown.exit_code == 0, shown.output
        assert words in shown.stdout
    plain = CliRunner().invoke(main, [command, _write(tmp_path, '\n[uncertainty]\n"strategies.invest.investment" = '
                                                                '{ dist = "uniform", low = 0.5, high = 1.5, scale = true }\n'),
                                      *extra], catch_exceptions=False)
    assert plain.exit_code == 0 and "Money in" not in plain.stdout
