"""Observations in the scenario ([observed]) and what the model says for them, against values by hand."""

from __future__ import annotations

import pytest

from conftest import one_state, with_changes
from kikcalc.engine import simulate
from kikcalc.errors import ScenarioError
from kikcalc.observed import Observation, Observations, expected, from_scenario, parse_period
from kikcalc.scenario import build


def _growing(months: int = 12):
    """One state, no exits, initial 100, inflow 10 a month: persons at the end of month m are 100 + 10 (m + 1)."""
    return build(one_state(p_exit=0.0, initial=100.0, inflow=10.0, months=months))


def _observation(scenario, measure: str, period: str, states: tuple[str, ...] = ("kh",)) -> Observation:
    return Observation(states, measure, parse_period(period, scenario.calendar), 0.0, "test")


def _expected(scenario, *observations: Observation):
    return expected(scenario, simulate(scenario), Observations(observations))[0]


# --- expected: what the model says for an observation -------------------------------------------------

def test_persons_at_a_months_end_and_at_a_date():
    scenario = _growing()
    said = _expected(scenario,
                     _observation(scenario, "persons", "2020-01"),     # end of month 0: 100 + 10
                     _observation(scenario, "persons", "2020M03"),     # end of month 2: 100 + 30
                     _observation(scenario, "persons", "2020-12"),     # end of month 11: 100 + 120
                     _observation(scenario, "persons", "2020-01-01"),  # the start: 100
                     _observation(scenario, "persons", "2020-01-19"),  # nearer the month's end (18 of 31 days gone)
                     _observation(scenario, "persons", "2020-03-10"))  # nearer the month's start: end of month 1
    assert said.tolist() == pytest.approx([110, 130, 220, 100, 110, 120])


def test_full_time_persons_are_the_mean_of_the_monthly_means():
    scenario = _growing()
    # Full-time persons in month m: the mean of its start and end, 100 + 10 m + 5.
    said = _expected(scenario,
                     _observation(scenario, "full_time", "2020-02"),  # 115
                     _observation(scenario, "full_time", "2020K1"),   # (105 + 115 + 125) / 3
                     _observation(scenario, "full_time", "2020Q2"),   # (135 + 145 + 155) / 3
                     _observation(scenario, "full_time", "2020"))     # (105 + ... + 215) / 12
    assert said.tolist() == pytest.approx([115, 115, 145, 160])


def test_entrants_and_exits_over_a_quarter():
    scenario = _growing()
    said = _expected(scenario,
                     _observation(scenario, "entrants", "2020K1"),  # 3 months of 10
                     _observation(scenario, "entrants", "2020"),
                     _observation(scenario, "exits", "2020K1"))     # no one leaves
    assert said.tolist() == pytest.approx([30, 120, 0])


def test_exits_and_the_moves_into_another_state():
    scenario = build(one_state(p_exit=0.1, initial=1000.0, months=12))
    # 1000 leave at 10 % a month: 100, then 90, then 81 in the first quarter.
    said = _expected(scenario,
                     _observation(scenario, "exits", "2020K1"),
                     _observation(scenario, "entrants", "2020K1", ("job",)),
                     _observation(scenario, "persons", "2020-03", ("kh", "job")),  # states counted together
                     _observation(scenario, "exits", "2020K1", ("kh", "job")))     # no one leaves the two
    assert said.tolist() == pytest.approx([271, 271, 1000, 0])


def test_expected_has_a_row_per_trajectory_row():
    scenario = _growing()
    said = expected(scenario, simulate(scenario), Observations((_observation(scenario, "persons", "2020-01"),)))
    assert said.shape == (1, 1)


# --- from_scenario: the [observed] table ----------------------------------------------------------------

def _with_observed(observed: dict, months: int = 24):
    return with_changes(one_state(months=months), observed=observed)


def test_an_observed_table_is_read_by_state_measure_and_period():
    scenario = build(_with_observed({
        "source": "minutes of 11 Feb 2021",
        "map": {"Kontanthjælp": "kh"},
        "kh": {"persons": {"2020-01-19": 724, "2020M06": 700},
               "full_time": {"2020K1": 715.5, "2021": 690},
               "entrants": {"2020Q2": 30}},
        "job": {"persons": {"2020-12": 300}},
    }))
    observations, problems = from_scenario(scenario)
    assert problems == []
    assert observations.source == "minutes of 11 Feb 2021"
    read = [(o.states, o.measure, o.period.kind, o.period.first, o.period.last, o.value, o.where) for o in observations.items]
    assert read == [
        (("kh",), "persons", "date", 0, 0, 724.0, "observed.kh.persons.2020-01-19"),
        (("kh",), "persons", "month", 5, 5, 700.0, "observed.kh.persons.2020M06"),
        (("kh",), "full_time", "quarter", 0, 2, 715.5, "observed.kh.full_time.2020K1"),
        (("kh",), "full_time", "year", 12, 23, 690.0, "observed.kh.full_time.2021"),
        (("kh",), "entrants", "quarter", 3, 5, 30.0, "observed.kh.entrants.2020Q2"),
        (("job",), "persons", "month", 11, 11, 300.0, "observed.job.persons.2020-12"),
    ]


def test_a_scenario_without_observations_has_none():
    observations, problems = from_scenario(build(one_state()))
    assert len(observations) == 0 and problems == []


def _problems(observed: dict) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as error:
        build(_with_observed(observed), "s.toml")
    return [(p.path, p.message) for p in error.value.problems]


def _one(problems: list[tuple[str, str]], path: str, words: str) -> None:
    assert any(p == path and words in m for p, m in problems), problems


def test_an_unknown_state_is_named_with_the_nearest():
    problems = _problems({"khh": {"persons": {"2020-03": 10}}})
    _one(problems, "observed.khh", "no state 'khh' in the scenario; did you mean \"kh\"?")


def test_a_map_to_an_unknown_state_is_named():
    problems = _problems({"map": {"Kontanthjælp": "kontanthjaelp"}, "kh": {"persons": {"2020-03": 10}}})
    _one(problems, "observed.map.Kontanthjælp", "no state 'kontanthjaelp'")  # the key path as kikcalc.keypaths writes it


def test_persons_over_a_quarter_or_year_are_refused():
    problems = _problems({"kh": {"persons": {"2020K1": 700, "2021": 690}}})
    _one(problems, "observed.kh.persons.2020K1", "persons over a quarter (2020K1) is ambiguous")
    _one(problems, "observed.kh.persons.2021", "persons over a year (2021) is ambiguous")


def test_a_period_outside_the_horizon_is_refused():
    problems = _problems({"kh": {"persons": {"2019-12": 700, "2022-01": 600}, "full_time": {"2021K4": 1, "2021": 2}}})
    _one(problems, "observed.kh.persons.2019-12", "2019-12 lies outside the horizon 2020-01 to 2021-12")
    _one(problems, "observed.kh.persons.2022-01", "outside the horizon")
    assert not any(p.startswith("observed.kh.full_time") for p, _ in problems)


def test_a_year_partly_outside_the_horizon_says_so():
    raw = _with_observed({"kh": {"full_time": {"2021": 700}}}, months=18)
    with pytest.raises(ScenarioError) as error:
        build(raw, "s.toml")
    assert [(p.path, p.message) for p in error.value.problems] == [
        ("observed.kh.full_time.2021", "2021 lies outside the horizon 2020-01 to 2021-06 (in part)")]


def test_other_bad_observations():
    problems = _problems({"kh": {"persns": {"2020-03": 10},
                                 "persons": {"2020-03": -5, "2020-04": "700", "March": 3},
                                 "exits": {"2020-03-15": 4}}})
    _one(problems, "observed.kh.persns", 'unknown measure; did you mean "persons"?')
    _one(problems, "observed.kh.persons.2020-03", "expected a number of persons between 0 and 10_000_000_000, got -5")
    _one(problems, "observed.kh.persons.2020-04", 'got "700" (a text); write the number without quotes: 700')
    _one(problems, "observed.kh.persons.March", "'March' is not a period")
    _one(problems, "observed.kh.exits.2020-03-15", "persons leaving are counted over a period, not at a date")


def test_an_observed_table_says_what_was_read():
    scenario = build(_with_observed({"kh": {"persons": {"2020-01-19": 724, "2020M06": 700}, "full_time": {"2021": 690}}}), "s.toml")
    observations, _ = from_scenario(scenario)
    assert observations.read_report.splitlines() == [
        "read 2 observations of kh (persons, 2020-01-19 to 2020M06) from s.toml [observed]",
        "read 1 observation of kh (full-time persons, 2021) from s.toml [observed]",
    ]


def test_periods_are_written_in_ascii_digits():
    calendar = build(one_state()).calendar
    assert parse_period("2020M03", calendar).first == 2
    for text in ("２０２０-03", "2020K١", "٢٠٢٠"):
        with pytest.raises(ValueError, match="is not a period"):
            parse_period(text, calendar)


def test_a_period_key_with_a_space_is_quoted_in_its_key_path():
    problems = _problems({"kh": {"persons": {"2020-06": 10, "2020-06 ": 12}}})
    _one(problems, 'observed.kh.persons."2020-06 "', 'at observed.kh.persons.2020-06 and at observed.kh.persons."2020-06 "')


def test_a_count_of_a_time_not_over_today_is_warned_of_and_used(tmp_path):
    """An observation is a number counted in the world: a date after today, or a month, quarter or year not over,
    cannot have been (in full). The command line warns (a typo for another year?) and goes on: a fit to made-up future
    counts is a fair test of what they would tell."""
    import datetime

    from click.testing import CliRunner

    from kikcalc.cli import main
    from kikcalc.observed import not_over_yet

    scenario = build(_with_observed({"kh": {"persons": {"2020-06-10": 900, "2020-07": 880, "2020-06": 890},
                                            "full_time": {"2020": 890, "2020Q2": 900}}}))
    observations = from_scenario(scenario)[0]
    today = datetime.date(2020, 7, 15)
    warned = not_over_yet(observations, scenario.calendar, today)
    assert [line.split(":")[0] for line in warned] == ["observed.kh.persons.2020-07", "observed.kh.full_time.2020"]
    assert "2020-07 is not over today (2020-07-15)" in warned[0]
    assert not_over_yet(observations, scenario.calendar, datetime.date(2020, 6, 9))[0].startswith(
        "observed.kh.persons.2020-06-10: kh persons 2020-06-10 is after today (2020-06-09): it cannot have been counted yet")
    assert not_over_yet(observations, scenario.calendar, datetime.date(2021, 1, 1)) == []
    # on the command line: a warning on stderr, and the follow-up still made
    path = tmp_path / "future.toml"
    path.write_text('[scenario]\nname = "future"\nstart = "2026-01"\nend = "2027-12"\n\n[states.kh]\ninitial = 100\ncost = 1\n\n'
                    '[strategies.baseline]\nlabel = "Baseline"\n\n[observed.kh]\npersons = { "2026-03" = 100, "2027-03-01" = 99 }\n',
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["followup", str(path)], env={"SOURCE_DATE_EPOCH": "1767225600"})  # 2026-01-01
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert [line.split(":")[1].strip() for line in lines] == ["observed.kh.persons.2026-03", "observed.kh.persons.2027-03-01"]
    assert "kh persons 2027-03-01" in result.stdout
