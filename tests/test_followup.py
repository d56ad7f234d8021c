"""Follow-up against a projection computed by hand.

One benefit state with 40 persons at the start, 10 entrants a month and an exit probability of 0.1
a month: x[t+1] = 0.9 x[t] + 10, whose closed form is x[t] = 100 - 60 * 0.9^t (the steady state 100
less the start's gap, shrinking by 0.9 a month). Under strategy kik the exit probability is doubled:
x[t] = 50 - 10 * 0.8^t. Net cost basis, so a full-time person-month costs 120,000 / 12 kr.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import one_state
from kikcalc.cli import main
from kikcalc.followup import follow_up
from kikcalc.observed import from_scenario
from kikcalc.scenario import build

COST = 120_000.0
MONTH_COST = COST / 12  # kr. per full-time person-month: net basis, no refusion


def x(t: int | np.ndarray, strategy: str = "baseline") -> float | np.ndarray:
    """Persons at month boundary t (the start of model month t), in closed form."""
    return 100 - 60 * 0.9 ** np.asarray(t, dtype=float) if strategy == "baseline" else 50 - 10 * 0.8 ** np.asarray(t, dtype=float)


def full_time(first: int, last: int, strategy: str = "baseline") -> float:
    """Full-time persons over months first..last: the mean of each month's (start + end) / 2."""
    months = np.arange(first, last + 1)
    return float(np.mean((x(months, strategy) + x(months + 1, strategy)) / 2))


# By hand, for the baseline: the projections the observations are set against.
PERSONS_MARCH = x(3)                      # 2020-03: persons at the end of March, boundary 3
PERSONS_JUNE_20 = x(6)                    # 2020-06-20: day 20 of 30 lies nearer the month's end, boundary 6
PERSONS_SEPT_10 = x(8)                    # 2020-09-10: nearer September's start, boundary 8
FULL_TIME_Q2 = full_time(3, 5)            # 2020Q2: months 3, 4, 5
FULL_TIME_2021 = full_time(12, 23)
ENTRANTS_Q2 = 3 * 10.0                    # inflow 10 a month, no other way in
EXITS_Q2 = 0.1 * float(x(np.arange(3, 6)).sum())   # a month's exits are 0.1 of its start's persons
PASSED_JUNE = 40 + 10 * 6                 # initial + entrants up to the end of June

OBSERVED = {
    "persons": {"2020-03": PERSONS_MARCH - 5, "2020-06-20": PERSONS_JUNE_20 + 3, "2020-09-10": PERSONS_SEPT_10 - 1},
    "full_time": {"2020Q2": FULL_TIME_Q2 + 7, "2021": FULL_TIME_2021 - 2.5},
    "entrants": {"2020Q2": 36.0},
    "exits": {"2020Q2": EXITS_Q2 + 2},
    "passed_through": {"2020-06": 95.0},
}


def scenario(observed: dict | None = None, cost_basis: str = "net"):
    raw = one_state(p_exit=0.1, initial=40, inflow=10, months=24, cost_basis=cost_basis)
    raw["strategies"]["kik"] = {"effects": [{"from": "kh", "to": "job", "multiply": 2.0}]}
    raw["observed"] = {"source": "by hand", "kh": OBSERVED if observed is None else observed}
    return build(raw)


@pytest.fixture(scope="module")
def result():
    built = scenario()
    observations, problems = from_scenario(built)
    assert problems == []
    return follow_up(built, observations, 0)


def _line(result, measure: str, period: str):
    return next(line for line in result.lines if line.measure == measure and line.period == period)


def test_the_closed_form_is_the_recursion():
    # The hand projection's own check: x[t+1] = 0.9 x[t] + 10 from x[0] = 40.
    by_recursion = [40.0]
    for _ in range(24):
        by_recursion.append(0.9 * by_recursion[-1] + 10)
    np.testing.assert_allclose(x(np.arange(25)), by_recursion, rtol=1e-12)


@pytest.mark.parametrize(("measure", "period", "projected"), [
    ("persons", "2020-03", PERSONS_MARCH), ("persons", "2020-06-20", PERSONS_JUNE_20), ("persons", "2020-09-10", PERSONS_SEPT_10),
    ("full_time", "2020Q2", FULL_TIME_Q2), ("full_time", "2021", FULL_TIME_2021),
    ("entrants", "2020Q2", ENTRANTS_Q2), ("exits", "2020Q2", EXITS_Q2), ("passed_through", "2020-06", PASSED_JUNE),
])
def test_projection_equals_the_hand_computation(result, measure, period, projected):
    line = _line(result, measure, period)
    assert line.projected == pytest.approx(projected, rel=1e-12)
    assert line.observed == OBSERVED[measure][period]
    assert line.difference == pytest.approx(OBSERVED[measure][period] - projected, abs=1e-9)


@pytest.mark.parametrize(("measure", "period"), [
    ("persons", "2020-03"), ("persons", "2020-06-20"), ("persons", "2020-09-10"), ("full_time", "2020Q2"), ("full_time", "2021"),
    ("entrants", "2020Q2"), ("exits", "2020Q2"),
])
def test_ahead_means_fewer_on_benefit_fewer_entrants_or_more_exits(result, measure, period):
    line = _line(result, measure, period)
    gap = line.observed - line.projected
    assert line.ahead == (gap > 0 if measure == "exits" else gap < 0)
    assert _line(result, "passed_through", "2020-06").ahead is None  # a count of persons, neither ahead nor behind


def test_kroner_are_the_difference_at_the_net_cost_of_a_full_time_person_month(result):
    for period, (first, last) in {"2020Q2": (3, 5), "2021": (12, 23)}.items():
        line = _line(result, "full_time", period)
        assert line.kroner == pytest.approx((OBSERVED["full_time"][period] - full_time(first, last)) * MONTH_COST * (last - first + 1),
                                            rel=1e-9)
        assert line.kroner_unit == f"kr. over {period}"
    for period, projected in {"2020-03": PERSONS_MARCH, "2020-06-20": PERSONS_JUNE_20}.items():
        line = _line(result, "persons", period)
        assert line.kroner == pytest.approx((OBSERVED["persons"][period] - projected) * MONTH_COST, rel=1e-9)
        assert line.kroner_unit == "kr. a month"
    for measure in ("entrants", "exits"):
        assert np.isnan(_line(result, measure, "2020Q2").kroner)  # a flow has no caseload cost of its own


def test_the_gap_is_split_into_entrants_and_exits(result):
    (split,) = result.splits
    assert split.states == ("kh",) and split.period == "2020Q2"
    assert split.more_entrants == pytest.approx(36.0 - ENTRANTS_Q2, abs=1e-9)
    assert split.more_exits == pytest.approx(2.0, abs=1e-9)
    assert split.net == pytest.approx((36.0 - ENTRANTS_Q2) - 2.0, abs=1e-9)
    assert result.missing_split == []


def test_without_flows_the_split_is_missing_for_the_state():
    built = scenario({"persons": OBSERVED["persons"], "full_time": OBSERVED["full_time"]})
    followed = follow_up(built, from_scenario(built)[0], 0)
    assert followed.splits == []
    assert followed.missing_split == [built.states[0].name]


def test_passed_through_and_their_status(result):
    (passed,) = result.passed
    assert passed.until == 6
    assert passed.persons == pytest.approx(PASSED_JUNE, rel=1e-12)
    assert passed.status["still there"] == pytest.approx(x(6) / PASSED_JUNE, rel=1e-12)
    # everyone else left for the job: the exits of months 0..5, 0.1 of each month's start
    assert passed.status["job"] == pytest.approx(0.1 * float(x(np.arange(6)).sum()) / PASSED_JUNE, rel=1e-12)
    assert sum(passed.status.values()) == pytest.approx(1.0, rel=1e-12)


def test_the_projection_is_the_strategy_followed():
    built = scenario()
    followed = follow_up(built, from_scenario(built)[0], 1)
    assert followed.strategy == built.strategy_names[1]
    assert _line(followed, "persons", "2020-03").projected == pytest.approx(x(3, "kik"), rel=1e-12)
    assert _line(followed, "full_time", "2020Q2").projected == pytest.approx(full_time(3, 5, "kik"), rel=1e-12)
    assert _line(followed, "exits", "2020Q2").projected == pytest.approx(0.2 * float(x(np.arange(3, 6), "kik").sum()), rel=1e-12)


# --- the command line ------------------------------------------------------------------------------------


def _file(tmp_path, observed: dict | None = OBSERVED) -> str:
    lines = ['[scenario]', 'name = "follow-up test"', 'start = "2020-01"', 'end = "2021-12"', '',
             '[states.kh]', 'initial = 40', 'inflow = 10', 'cost = 120_000', 'cost_basis = "net"', '',
             '[states.job]', 'kind = "outside"', '',
             '[[transitions]]', 'from = "kh"', 'to = "job"', 'probability = 0.1', '']
    if observed:
        lines += ['[observed]', 'source = "by hand"', '[observed.kh]']
        lines += [f"{measure} = {{ " + ", ".join(f'"{k}" = {float(v)!r}' for k, v in series.items()) + " }"
                  for measure, series in observed.items()]
    path = tmp_path / "followup.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
def test_followup_in_every_format(tmp_path, fmt):
    result = invoke("followup", _file(tmp_path), "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        document = json.loads(result.stdout)
        line = next(r for r in document["lines"] if r["measure"] == "full_time" and r["period"] == "2020Q2")
        assert line["projected"] == pytest.approx(FULL_TIME_Q2, rel=1e-12)
        assert line["difference_kr"] == pytest.approx(7 * MONTH_COST * 3, rel=1e-9)
        assert document["splits"][0]["more_entrants"] == pytest.approx(36.0 - ENTRANTS_Q2, abs=1e-9)
    elif fmt == "csv":
        frame = pd.read_csv(io.StringIO(result.stdout))
        row = frame[(frame.measure == "persons") & (frame.period == "2020-03")].iloc[0]
        assert row.projected == pytest.approx(PERSONS_MARCH, rel=1e-9)
        assert bool(row.ahead)
    else:
        row = next(line for line in result.stdout.splitlines() if "full-time persons 2020Q2" in line)
        assert f"{FULL_TIME_Q2:,.1f}" in row and "BEHIND" in row
        assert ("|" in row) == (fmt == "markdown")


def test_followup_without_observations_is_bad_input(tmp_path):
    result = invoke("followup", _file(tmp_path, observed=None))
    assert result.exit_code == 2
    assert "no observations" in result.output


def test_followup_unknown_strategy_is_bad_input(tmp_path):
    result = invoke("followup", _file(tmp_path), "--strategy", "basline")
    assert result.exit_code == 2
    assert 'did you mean "baseline"' in result.output


def test_locale_da_writes_the_follow_ups_headings_and_verdicts_in_danish():
    from conftest import SCENARIOS
    from kikcalc.locale import phrase

    kik2 = str(SCENARIOS / "aabenraa-kik2.toml")
    english = CliRunner().invoke(main, ["followup", kik2]).stdout
    danish = CliRunner().invoke(main, ["followup", kik2, "--locale", "da"]).stdout
    assert "KIK II, AABENRAA: FOLLOW-UP OF KIK2 AGAINST THE PLAN" in english
    assert phrase("{name}: follow-up of {strategy} against the plan", "da", name="KIK II, Aabenraa",
                  strategy="kik2").upper() in danish
    def table(text: str) -> str:  # the table's heading and rows (the sentences around it stay English)
        lines = text.splitlines()
        first = next(i for i, line in enumerate(lines) if line.startswith("observation"))
        return "\n".join(lines[first: lines.index("", first)])

    for word in ("observed", "difference", "net cost of the difference", "BEHIND", "kr. a month"):
        assert word in table(english) and word not in table(danish) and phrase(word, "da") in table(danish)


@pytest.mark.parametrize("fmt", ["csv", "csv-da", "xlsx"])
def test_a_table_only_format_carries_the_split_who_passed_through_and_the_values_set(tmp_path, fmt):
    """A CSV holds the observations' table only: the gap split into entrants and exits, who passed through and the
    values set go to standard error beside it, as the text says them; a workbook has them on its notes sheet and the
    split on a sheet of its own, with the JSON's numbers."""
    args = ["followup", _file(tmp_path), "--set", "states.kh.initial=40"]
    text = invoke(*args).stdout
    passed = next(line for line in text.splitlines() if line.startswith("Passed through kh"))
    assert "Set: states.kh.initial = 40 (file: 40)" in text
    document = json.loads(invoke(*args, "--format", "json").stdout)
    assert document["set"] == [{"path": "states.kh.initial", "value": 40, "value_in_file": 40}]
    (split,) = document["splits"]
    out = tmp_path / f"followup.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    result = invoke(*args, "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(out)
        notes = [row[0] for row in book["notes"].iter_rows(min_row=2, values_only=True)]
        (row,) = book["splits"].iter_rows(min_row=2, values_only=True)
        assert row[:4] == ("kh", "2020Q2", pytest.approx(split["more_entrants"]), pytest.approx(split["more_exits"]))
    else:
        notes = [line.removeprefix("note: ") for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert passed in notes
    assert "set states.kh.initial = 40 (file: 40)" in notes
    assert any(n.startswith("The gap in kh over 2020Q2: +6.0 from more entrants, -2.0 from more exits") for n in notes)


def test_locale_da_writes_the_numbers_in_the_sentences_the_danish_way(tmp_path):
    """2,474 persons reads as 2.474 (two and a bit) to a Dane: with --locale da the sentences around the tables write
    their numbers as the tables do."""
    from kikcalc.locale import number, share

    args = ["followup", _file(tmp_path)]
    (passed,) = json.loads(invoke(*args, "--format", "json").stdout)["passed_through"]
    danish = next(line for line in invoke(*args, "--locale", "da").stdout.splitlines() if line.startswith("Passed through"))
    assert f"{number(passed['persons'], 0, 'da')} persons" in danish
    assert f"{share(passed['status']['still there'], 'da', 0)} still there" in danish


@pytest.mark.parametrize("prices", ["current", "fixed"])
def test_the_prices_the_kroner_are_in_are_said(tmp_path, prices):
    """With a [prices] table the net cost of a difference is in current or fixed prices (--prices), and the two
    differ: the report says which, as run's header does."""
    from conftest import ROOT
    from kikcalc.formats._text import price_line
    from kikcalc.money import price_view

    example = ROOT / "docs" / "examples" / "prices-and-payers.toml"
    data = tmp_path / "counts.csv"
    data.write_text("period,state,measure,value\n2022,kontanthjaelp,full_time,300\n", encoding="utf-8")
    result = invoke("followup", str(example), "--observed", str(data), "--prices", prices)
    assert result.exit_code == 0, result.output
    import kikcalc

    assert price_line(price_view(kikcalc.load(example), prices)) in result.stdout.splitlines()
    csv = invoke("followup", str(example), "--observed", str(data), "--prices", prices, "--format", "csv")
    assert f"note: {price_line(price_view(kikcalc.load(example), prices))}" in csv.stderr


def test_a_workbook_shows_persons_and_kroner_as_such(tmp_path):
    """The workbook's follow-up and splits sheets format persons with one decimal and kroner without, as every other
    workbook kikcalc writes (they were General, 6 decimals shown)."""
    import openpyxl

    from kikcalc.formats.xlsx import KRONER, PERSONS

    out = tmp_path / "followup.xlsx"
    assert invoke("followup", _file(tmp_path), "--output", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    header = [cell.value for cell in book["followup"][1]]
    row = next(r for r in book["followup"].iter_rows(min_row=2) if r[header.index("measure")].value == "full_time")
    assert [row[header.index(c)].number_format for c in ("projected", "observed", "difference")] == [PERSONS] * 3
    assert row[header.index("difference_kr")].number_format == KRONER
    assert {cell.number_format for cell in book["splits"][2][2:]} == {PERSONS}


def test_map_or_measure_without_a_data_file_is_said_to_do_nothing(tmp_path):
    result = invoke("followup", _file(tmp_path), "--map", "Kontanthjælp=kh", "--measure", "persons")
    assert result.exit_code == 0
    assert ("note: --map and --measure say how to read a data file (--observed DATA), and none is given: the scenario's "
            "[observed] table is read as it is") in result.stderr.splitlines()
    assert "--map" not in invoke("followup", _file(tmp_path)).stderr
