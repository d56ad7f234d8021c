"""Bad scenario files through the command line: every problem named by file and key path, exit code 2.

Each file in tests/bad_scenarios/ is a small valid scenario with one kind of problem (the
several-problems files have more, on purpose). ``kikcalc validate`` and ``kikcalc run`` must both
reject it with exit code 2, name the file and the key path, say what was expected, and never show
a traceback.
"""

from __future__ import annotations

import codecs
import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

import kikcalc
from conftest import SCENARIOS
from kikcalc import limits, scenario_labels, scenario_reader
from kikcalc.cli import main

BAD = Path(__file__).parent / "bad_scenarios"
GOOD = str(SCENARIOS / "aabenraa-kik2.toml")

# (file, key path, words the same line must hold). An empty key path: a problem with the file itself.
CASES = [
    ("unknown-key-typo.toml", "states.kontanthjaelp.inflw", 'unknown key; did you mean "inflow"?'),
    ("band-open-twice.toml", "transitions[0].probability", "must not overlap; a band starting at 0 follows an open-ended band"),
    ("band-open-and-closed-at-once.toml", "transitions[0].probability", "expected a band starting at 6, found one at 0"),
    ("integer-too-large.toml", "states.kontanthjaelp.inflow",
     "expected a number (persons per month) between 0 and 10_000_000, got an integer of 401 digits"),
    ("anciennitet-month-too-long.toml", "states.kontanthjaelp.initial_anciennitet.20000", "tracked up to 600 months"),
    ("mix-key-not-ascii.toml", "states.kontanthjaelp.initial_anciennitet.²", "expected a whole number of months"),
    ("anciennitet-mix-month-twice.toml", "states.kontanthjaelp.initial_anciennitet.00",
     'month 0 is given twice, as "0" and as "00"; give each month once'),
    ("year-key-with-space.toml", 'strategies.kik2.investment."2020 "', 'a year with spaces around it: write "2020"'),
    ("month-key-with-space.toml", 'strategies.kik2.investment."2020-06 "', 'a month with spaces around it: write "2020-06"'),
    ("investment-month-twice.toml", 'strategies.kik2.investment."2020-03 "', 'a month with spaces around it: write "2020-03"'),
    ("month-in-fullwidth-digits.toml", "scenario.end", "expected a month as YYYY-MM"),
    ("month-without-leading-zero.toml", "scenario.start", "expected a month as YYYY-MM, got '2020-1': write 2020-01"),
    ("refusion-step-infinite.toml", "refusion.band_end_weeks[2]", "expected a number of weeks between 0 and 3000, got inf"),
    ("unknown-key-mulitply.toml", "strategies.kik2.effects[0].mulitply", 'unknown key; did you mean "multiply"?'),
    ("unknown-top-level-table.toml", "target", 'unknown key; did you mean "targets"?'),
    ("missing-scenario-name.toml", "scenario.name", "missing; this key is required"),
    ("missing-scenario-start.toml", "scenario.start", "missing; this key is required"),
    ("missing-transition-to.toml", "transitions[0].to", "missing; this key is required"),
    ("initial-is-a-string.toml", "states.kontanthjaelp.initial",
     'expected a number of persons, got "1000" (a text); write the number without quotes: 1000'),
    ("effect-start-is-a-number.toml", "strategies.kik2.effects[0].start", 'expected a month as "YYYY-MM" (in quotes), got 202003'),
    ("scenario-start-bad-month.toml", "scenario.start", "MM in 01..12, got '2020-13'"),
    ("probability-above-one.toml", "transitions[0].probability", "between 0 and 1, got 1.3"),
    ("probability-negative.toml", "transitions[0].probability", "between 0 and 1, got -0.03"),
    ("outflows-above-one-after-multiply.toml", "strategies.kik2.effects[0].multiply",
     "probabilities of leaving kontanthjaelp add up to 1.1 in 2020-03 under strategy kik2; expected at most 1"),
    ("outflows-above-one-without-effect.toml", "transitions[0]",
     "probabilities of leaving kontanthjaelp add up to 1.1 (transitions[0], transitions[1]); expected at most 1"),
    ("effect-add-makes-probability-negative.toml", "strategies.kik2.effects[0].add",
     "kontanthjaelp -> selvforsorgende rate becomes -0.02 in 2020-03 under strategy kik2"),
    ("negative-inflow.toml", "states.kontanthjaelp.inflow", "between 0 and 10_000_000, got -40"),
    ("negative-initial.toml", "states.kontanthjaelp.initial", "between 0 and 10_000_000, got -1000"),
    ("negative-cost.toml", "states.kontanthjaelp.cost", "between 0 and 1_000_000_000, got -120_000"),
    ("mix-empty.toml", "states.kontanthjaelp.initial_anciennitet",
     "expected a table of shares by anciennitet month, such as { 0 = 0.6, 13 = 0.4 }, got an empty table"),
    ("names-differ-only-in-case.toml", "states.Kontanthjaelp",
     '"Kontanthjaelp" differs from the name of state kontanthjaelp only in case; a name stands for its state'),
    ("programme-names-differ-only-in-case.toml", "strategies.kik2.programmes[1].name",
     'a second programme named "Course" (as "course": names are compared ignoring case); it is already at '
     "strategies.kik2.programmes[0]"),
    ("cycle-empty.toml", "transitions[0].cycle", "expected a factor, or a table of factors by year or month such as "
     '{ 2020 = 1.1, "2021-06" = 0.95 }, got an empty table'),
    ("cost-danish-text.toml", "states.kontanthjaelp.cost",
     'got "120.500,75" (a text, written the Danish way); write the number without quotes, thousands with _ and decimals '
     "with a point: 120_500.75"),
    ("numbers-in-quotes-beyond-the-model.toml", 'uncertainty."states.kontanthjaelp.inflow".sd',
     'expected a finite number, got "4" (a text); write the number without quotes: 4'),
    ("label-empty.toml", "states.kontanthjaelp.label", "expected a text that names it, got an empty text"),
    ("target-name-blank.toml", "targets[0].name", "expected a text that names it, got only blank characters"),
    ("state-given-twice.toml", "states.kontanthjaelp",
     "[states.kontanthjaelp] is given twice (the second time at line 17); give each table once: two states or strategies"),
    ("key-given-twice.toml", "states.kontanthjaelp.inflow", "given twice (the second time at line 12); give each key once"),
    ("key-given-twice-in-an-effect.toml", "strategies.kik2.effects[1].multiply", "given twice (the second time at line 38)"),
    ("mix-month-given-twice-inline.toml", "states.kontanthjaelp.initial_anciennitet",
     'the key "0" is given twice in this inline table (at line 12)'),
    # Seasons and the business cycle (issue 12, rule 6): kikcalc/scenario_seasons.py
    ("season-month-13.toml", "states.kontanthjaelp.season.13", 'expected a calendar month 1 to 12 as the key (1 = January), got "13"'),
    ("season-month-named.toml", "states.kontanthjaelp.season.jan", 'expected a calendar month 1 to 12 as the key'),
    ("season-month-twice.toml", "states.kontanthjaelp.season.01", 'month 1 is given twice, also as "1"'),
    ("season-negative-factor.toml", "transitions[0].season.7", "expected a seasonal factor between 0 and 1000, got -0.2"),
    ("season-all-zero.toml", "states.kontanthjaelp.season", "every factor is 0, so they cannot be scaled to a mean of 1"),
    ("season-not-a-table.toml", "states.kontanthjaelp.season", "expected a table of factors by calendar month"),
    ("season-normalise-not-boolean.toml", "states.kontanthjaelp.season_normalise", 'expected true or false, got "no"'),
    ("season-normalise-without-season.toml", "transitions[0].season_normalise", "season_normalise goes only with season"),
    ("season-makes-probability-above-one.toml", "transitions[0].season",
     "kontanthjaelp -> selvforsorgende monthly probability becomes 1.5 in 2020-07 (2.5 x 0.6); expected at most 1"),
    ("season-and-effect-make-probability-above-one.toml", "strategies.kik2.effects[0].multiply",
     "rate becomes 1.125 in 2020-07 under strategy kik2; expected a probability between 0 and 1"),
    ("cycle-year-outside-horizon.toml", "states.kontanthjaelp.cycle.2023", "year 2023 is outside the horizon"),
    ("cycle-negative.toml", "transitions[0].cycle.2021-03", "expected a number (a factor) between 0 and 1000, got -1.1"),
    ("inflow-add-makes-inflow-negative.toml", "strategies.kik2.effects[1].inflow_add",
     "the inflow to kontanthjaelp becomes -10 in 2020-06 under strategy kik2; expected a number of persons a month between 0 and "
     "10_000_000"),
    ("effect-start-outside-horizon.toml", "strategies.kik2.effects[0].start",
     "month 2019-06 is outside the horizon 2020-01 to 2021-12"),
    ("target-at-outside-horizon.toml", "targets[0].at", "month 2023-06 is outside the horizon 2020-01 to 2021-12"),
    ("inflow-month-outside-horizon.toml", "states.kontanthjaelp.inflow.2022-03", "month 2022-03 is outside the horizon"),
    ("investment-year-outside-horizon.toml", "strategies.kik2.investment.2023", "year 2023 is outside the horizon"),
    ("scenario-end-before-start.toml", "scenario.end", "the end month 2019-12 is before the start month 2020-01"),
    ("effect-end-before-start.toml", "strategies.kik2.effects[0].end", "the end month 2020-02 is before the start month 2020-03"),
    ("target-unknown-state.toml", "targets[0].states[0]", 'unknown state "kontanthjalp"; did you mean "kontanthjaelp"?'),
    ("effect-unknown-state.toml", "strategies.kik2.effects[1].state", 'unknown state "sygedagpenge"'),
    ("effect-on-missing-transition.toml", "strategies.kik2.effects[0]",
     "no transition from selvforsorgende to kontanthjaelp is given in [[transitions]]"),
    ("unknown-kind.toml", "states.selvforsorgende.kind", 'expected one of benefit, outside, got "outsider"; did you mean "outside"?'),
    ("unknown-cost-basis.toml", "states.kontanthjaelp.cost_basis", 'expected one of net, gross, got "brutto"'),
    ("band-table-with-gap.toml", "transitions[0].probability", "without gaps or overlaps; expected a band starting at 6, found one at 7"),
    ("band-table-not-open-ended.toml", "transitions[0].probability", 'the last anciennitet band must be open-ended, such as "6+"'),
    ("anciennitet-mix-not-one.toml", "states.kontanthjaelp.initial_anciennitet", "the shares must add up to 1, they add up to 0.9"),
    ("duplicate-transition.toml", "transitions[1]",
     "a second transition from kontanthjaelp to selvforsorgende; it is already given at transitions[0]"),
    ("duplicate-target-name.toml", "targets[1].name", 'a second target named "under-900"'),
    ("target-two-comparisons.toml", "targets[0]", "expected exactly one of below, max, above, min, got below and max"),
    ("empty-file.toml", "", "the file holds no keys: a scenario needs a [scenario] table"),
    ("invalid-toml-syntax.toml", "", "not valid TOML: Expected newline or end of document after a statement (at line 10, column 16)"),
    ("gamma-shape-scale-as-factor.toml", 'uncertainty."states.kontanthjaelp.inflow"',
     "a gamma given by shape and scale cannot also take scale = true"),
    ("refusion-wrong-share-count.toml", "refusion.state_share", "expected 4 shares (one per band, the last open-ended), got 3"),
    ("per-with-probability.toml", "transitions[0].per", "per goes only with hazard"),
    ("hazard-per-week.toml", "transitions[0].per", 'expected one of month, year, got "week"'),
    ("investment-year-and-month.toml", "strategies.kik2.investment.2020-06",
     "2020 is also given as a year; give a year's amount either as the year or month by month"),
    ("add-on-mean-months.toml", "strategies.kik2.effects[0].add", "add is not defined on a mean_months transition"),
    ("cost-basis-on-outside-state.toml", "states.selvforsorgende.cost_basis", 'only a benefit state has this'),
    ("payment-share-on-outside-state.toml", "states.selvforsorgende.payment_share",
     "only a benefit state has this (an outside state pays no benefit)"),
    ("payment-share-above-one.toml", "states.kontanthjaelp.payment_share.2021",
     "expected a number (share of a full benefit paid) between 0 and 1, got 1.5"),
    ("payment-share-not-from-the-start.toml", "states.kontanthjaelp.payment_share",
     "the table must cover the first month, 2020-01"),
    ("target-measure-typo.toml", "targets[0].measure",
     'expected one of full_time, persons, economic, got "econmic"; did you mean "economic"?'),
    ("programme-from-outside-state.toml", "strategies.kik2.programmes[0].from", "selvforsorgende is an outside state"),
    ("programme-outcomes-above-one.toml", "strategies.kik2.programmes[0].outcomes", "the shares add up to 1.1; expected at most 1"),
    ("grant-unknown-target.toml", "strategies.kik2.grants[0].if_target", 'unknown target "under-90"; did you mean "under-900"?'),
    ("grant-on-money-target.toml", "strategies.kik2.grants[0].if_target", '"pays-back" is a money target'),
    ("programme-target-unknown-programme.toml", "targets[1].programme", 'unknown programme "coarse"; did you mean "course"?'),
    ("programme-target-share-above-one.toml", "targets[1].min", "a share of leavers between 0 and 1, got 75"),
    ("programme-target-with-flow-from.toml", "targets[1].flow_from", "not used by a programme target"),
    ("grant-on-other-strategys-programme.toml", "strategies.other.grants[0].if_target",
     'judges programme "course", which this strategy does not run'),
    ("measures-cost-effect-on-outside-state.toml", "strategies.kik2.effects[1].state",
     "selvforsorgende is an outside state, which has no measure cost"),
    ("measures-cost-effect-with-from-to.toml", "strategies.kik2.effects[1].from",
     "measures_cost_set acts on a state's measure cost: name it with state, not from/to"),
    ("state-named-twice-in-a-share.toml", "targets[1].share_of[1]", '"selvforsorgende" is named twice in this list'),
    ("budget-guarantee-on-outside-state.toml", "budget_guarantee.states[0]",
     "selvforsorgende is an outside state; the budget guarantee covers benefit states only"),
    ("grant-paid-before-its-target.toml", "strategies.kik2.grants[0].if_target",
     'the grant is paid from 2021-02, before "under-900" is judged in 2021-06'),
    ("programme-participants-outside-intake.toml", "strategies.kik2.programmes[0].participants.2021-10",
     "2021-10 is outside the intake window 2020-03 to 2021-06: no one starts then"),
    ("flow-cost-unknown-state.toml", "strategies.kik2.flow_costs[0].to", 'unknown state "job"'),
    ("uncertainty-beta-sd-too-large.toml", 'uncertainty."transitions[0].probability"',
     "a beta with mean 0.03 has an sd below sqrt(mean (1 - mean)) = 0.1706, got 0.2"),
    ("uncertainty-normal-on-cost.toml", 'uncertainty."states.kontanthjaelp.cost"',
     "a normal here can draw any negative number, and states.kontanthjaelp.cost is an amount in kr. per full-year person"),
    ("uncertainty-unknown-dist.toml", 'uncertainty."strategies.kik2.effects[0].multiply".dist',
     "unknown distribution 'lognorm'; expected one of beta, gamma, lognormal, normal, truncnormal, triangular, uniform; "
     'did you mean "lognormal"?'),
    ("uncertainty-gamma-scale-as-text.toml", 'uncertainty."states.kontanthjaelp.inflow".scale',
     "expected true or false (one factor on the whole number), or, with shape, the gamma's own scale parameter; got 'yes'"),
    ("uncertainty-series-without-scale.toml", 'uncertainty."states.kontanthjaelp.inflow"',
     "is a table of numbers (by year, month or anciennitet band); add scale = true"),
    ("correlations-not-positive-definite.toml", "correlations", "the rank correlations form a matrix that is not positive definite"),
    ("uncertainty-bare-key.toml", "uncertainty.inflow",  # nearest outside [uncertainty], not the entry's own path
     "'inflow' names no number the model can draw: no such key path (the file has no inflow); "
     "nearest: states.kontanthjaelp.inflow"),
    # Prices, a-dagpenge's co-financing and who pays (issue 12, rules 3 and 4)
    ("prices-base-year-missing.toml", "prices.base_year", "missing; this key is required"),
    ("prices-base-year-is-text.toml", "prices.base_year", 'expected a year (such as 2021), got "2020"'),
    ("prices-index-and-growth.toml", "prices", "expected exactly one of index (a price index by year) or growth"),
    ("prices-index-missing-year.toml", "prices.index", "no index for 2021; the index must cover the base year 2020 and every year"),
    ("prices-index-key-not-a-year.toml", "prices.index.2021-06", 'expected a year such as "2021" as the key'),
    ("prices-index-zero.toml", "prices.index.2021", "expected an index number between 0.001 and 1_000_000, got 0"),
    ("prices-growth-too-large.toml", "prices.growth", "expected a yearly rate (0.02 for 2 %) between -0.5 and 1, got 2"),
    ("prices-base-year-far-from-the-horizon.toml", "prices.base_year",
     "with growth 0.02 a year from the base year 202, prices in 2020 are 4.32e+15 times the base year's; expected a base year near"),
    ("prices-unknown-key.toml", "prices.base_yaer", 'unknown key; did you mean "base_year"?'),
    ("prices-current-line-unknown.toml", "prices.in_current_prices[0]", 'got "investments"; did you mean "investment"?'),
    ("prices-current-line-is-a-rate.toml", "prices.in_current_prices[0]", "cost is a rate per full-year person"),
    ("cofinancing-unknown-rule.toml", "states.kontanthjaelp.cofinancing", 'got "dagpenge"; did you mean "a-dagpenge"?'),
    ("cofinancing-on-outside-state.toml", "states.selvforsorgende.cofinancing", "only a benefit state has this"),
    ("cofinancing-with-gross-basis.toml", "states.kontanthjaelp.cofinancing", 'leave out cost_basis = "gross"'),
    ("cofinancing-shares-wrong-count.toml", "cofinancing.a-dagpenge.municipal_share", "expected 4 shares, one per band"),
    ("cofinancing-share-above-one.toml", "cofinancing.a-dagpenge.municipal_share[3]", "expected a share between 0 and 1, got 80"),
    ("cofinancing-table-typo.toml", "cofinancing.adagpenge", 'unknown key; did you mean "a-dagpenge"?'),
    ("grant-payer-unknown.toml", "strategies.kik2.grants[0].payer", 'expected one of state, other, got "staten"'),
    ("target-payer-unknown.toml", "targets[1].payer", 'expected one of municipality, state, public, got "kommune"'),
    ("target-payer-on-level-target.toml", "targets[0].payer", "only a net present value target (npv_min) names a payer"),
    # Input that ended in a traceback, ran out of memory or time, or ran on as nonsense (issue 11)
    ("nested-inline-tables-too-deep.toml", "", "arrays and inline tables nested more than 20 levels deep (at line 41)"),
    ("nested-arrays-too-deep.toml", "", "arrays and inline tables nested more than 20 levels deep (at line 16)"),
    ("dotted-keys-too-deep.toml", "observed" + ".x" * 20, "tables and lists nested more than 20 levels deep"),
    ("band-key-not-ascii.toml", "transitions[0].probability.²", 'expected an anciennitet band in months such as "0-5"'),
    # The [observed] table: a count given twice, a name mapped to two states (fresh-clone tester)
    ("observed-month-twice.toml", "observed.kontanthjaelp.persons.2021-01-31",
     "kontanthjaelp persons 2021-01 is observed twice: at observed.kontanthjaelp.persons.2021-01 and at"),
    ("observed-map-name-twice.toml", 'observed.map."Kontanthjælp "',
     "Kontanthjælp is mapped twice: to kontanthjaelp and to selvforsorgende"),
    ("refusion-step-nan.toml", "refusion.band_end_weeks[1]", "expected a number of weeks between 0 and 3000, got nan"),
    ("refusion-step-huge-integer.toml", "refusion.band_end_weeks[2]", "between 0 and 3000, got an integer of 400 digits"),
    ("weeks-per-month-tiny.toml", "refusion.weeks_per_month", "expected a number of weeks between 4 and 5, got 1e-300"),
    ("reset-after-weeks-beyond-3-years.toml", "refusion.reset_after_weeks",
     "expected a number of weeks of self-support (52 by the rules; 0 for no memory of anciennitet) between 0 and 156, got 260"),
    ("reset-after-weeks-negative.toml", "refusion.reset_after_weeks", "between 0 and 156, got -52"),
    ("reset-after-weeks-in-months.toml", "refusion.reset_after_weeks",
     'expected a number of weeks of self-support (52 by the rules; 0 for no memory of anciennitet), got "12 months"'),
    ("reset-after-weeks-typo.toml", "refusion.reset_after_week", 'unknown key; did you mean "reset_after_weeks"?'),
    ("fade-months-huge.toml", "strategies.kik2.effects[0].fade_months",
     "expected a whole number of months between 0 and 1200, got 1_000_000_000"),
    ("initial-1e308.toml", "states.kontanthjaelp.initial", "expected a number of persons between 0 and 10_000_000, got 1e+308"),
    ("cost-1e308.toml", "states.kontanthjaelp.cost",
     "expected an amount in kr. per full-year person between 0 and 1_000_000_000, got 1e+308"),
    ("investment-1e308.toml", "strategies.kik2.investment", "expected a number (kr.) between 0 and 1_000_000_000_000, got 1e+308"),
    ("flow-cost-1e308.toml", "strategies.kik2.flow_costs[0].amount",
     "expected an amount in kr. per person between -1_000_000_000 and 1_000_000_000, got 1e+308"),
    ("two-hazards-1e308.toml", "transitions[1].hazard", "expected a monthly hazard between 0 and 100, got 1e+308"),
    ("mean-months-subnormal.toml", "transitions[0].mean_months",
     "expected a mean duration in months between 0.01 and 1_000_000, got 1e-320"),
    ("inflow-underflows-to-zero.toml", "states.kontanthjaelp.inflow",  # TOML's 0.0, not taken for the file's 0
     "expected a number (persons per month) between 0 and 10_000_000, got 1e-400, smaller than any real figure"),
    ("horizon-too-long.toml", "scenario.end", "the horizon 2020-01 to 9999-12 is 95_760 months; at most 1200 (100 years)"),
    ("programme-duration-too-long.toml", "strategies.kik2.programmes[0].duration_months",
     "expected a whole number of months between 1 and 1200, got 100_000"),
    ("programme-duration-with-a-point.toml", "strategies.kik2.programmes[0].duration_months",
     "expected a whole number of months, got 4.0 (a decimal number); write it without the point: 4"),
    ("effects-compound-beyond-hazard.toml", "strategies.kik2.effects[1].multiply",
     "the kontanthjaelp -> selvforsorgende rate becomes 100_000 in 2020-06 under strategy kik2; expected a monthly hazard "
     "between 0 and 100"),
    ("saved-as-utf16-unknown-key.toml", "states.kontanthjaelp.inflw", 'unknown key; did you mean "inflow"?'),
    ("saved-as-utf16-without-mark.toml", "", "looks like UTF-16 text without a byte-order mark; save it as UTF-8 (Notepad"),
    ("saved-as-windows-1252.toml", "",
     'the byte 0xF8 at line 23, column 19 is not UTF-8; it reads as "ø" (in "label = "Grundforløb"") in Windows-1252'),
    ("decimal-comma.toml", "", "(at line 31, column 13); a decimal number is written with a point, not a comma: 1.35, not 1,35"),
    ("thousands-point-cost.toml", "states.kontanthjaelp.cost", "120.000 reads as 120 kr. (TOML's point is a decimal point); "
                                                               "write 120_000 for thousands"),
    ("thousands-point-in-investment-table.toml", "strategies.kik2.investment.2020", "1.500 reads as 1.5 kr."),
    ("thousands-point-in-uncertainty.toml", 'uncertainty."states.kontanthjaelp.cost".mean', "120.000 reads as 120 kr."),
    ("name-not-ascii-unquoted.toml", "",
     'a key with letters beyond a-z (such as æ, ø, å) is written in quotes: [states."kontanthjælp"]'),
    ("name-not-ascii-with-unknown-key.toml", "states.kontanthjælp.inflw", 'unknown key; did you mean "inflow"?'),
    ("name-with-combining-accent.toml", 'states."ma\u030ahed"', "holds a letter written as two characters"),
    ("label-with-control-character.toml", "strategies.baseline.label",
     "expected text, got a control character (U+001B) at character 9"),
    ("outflows-just-above-one.toml", "transitions[0]", "probabilities of leaving kontanthjaelp add up to 1.00000004"),
    ("add-after-set-makes-probability-above-one.toml", "strategies.kik2.effects[1].add",
     "the kontanthjaelp -> selvforsorgende rate becomes 1.1 in 2020-06 under strategy kik2; expected a probability"),
    ("several-problems.toml", "transitions[0].probability", "between 0 and 1, got 1.3"),
    ("several-problems-types.toml", "strategies.kik2.investment", 'expected a number (kr.) or a table by year or month, got "1 mio."'),
    ("anciennitet-band-too-long.toml", "transitions[0].probability.0-50000000", "anciennitet is tracked up to 600 months"),
    ("label-twice-state.toml", "states.sygedagpenge.label",
     '"ydelse " is also the label of state kontanthjaelp (as "Ydelse": labels are compared ignoring case and spaces); '
     "labels name rows of the tables, so each must be unique"),
    ("label-twice-strategy.toml", "strategies.kik3.label", '"KIK II" is also the label of strategy kik2; labels name rows'),
    ("label-is-another-strategys-name.toml", "strategies.kik2.label",
     '"kik3" is the name of strategy kik3; labels name rows of the tables, so each must be unique and must differ from '
     "the names of other strategies"),
    ("label-is-the-benefit-total.toml", "states.sygedagpenge.label",
     '"Forsørgelse i alt" names a row kikcalc prints itself (as "forsørgelse i alt"), the benefit states\' total'),
    ("uncertainty-dist-key-typo.toml", 'uncertainty."states.kontanthjaelp.inflow".dsit', 'unknown key; did you mean "dist"?'),
    ("correlations-key-typo.toml", "correlations[0].betwen", 'unknown key; did you mean "between"?'),
    ("observed-key-typo.toml", "observed.sorce", 'unknown key; did you mean "source"?'),
    ("key-with-zero-width-space.toml", 'states.kontanthjaelp."inf\u200blow"',
     'unknown key; did you mean "inflow"? What is written here looks the same but contains an invisible character, '
     "U+200B (ZERO WIDTH SPACE)"),
    ("name-with-zero-width-space.toml", 'states."k\u200bontanthjaelp"',
     "a name in [states] holds an invisible character, U+200B (ZERO WIDTH SPACE), at character 2"),
    ("label-with-right-to-left-override.toml", "strategies.baseline.label",
     "expected text without invisible characters, got U+202E (RIGHT-TO-LEFT OVERRIDE) at character 10"),
    ("label-with-hangul-filler.toml", "strategies.kik2.label",  # a letter (Lo), not a format character, yet blank
     "expected text without invisible characters, got U+3164 (HANGUL FILLER) at character 9"),
    ("label-with-braille-blank.toml", "strategies.baseline.label",
     "expected text without invisible characters, got U+2800 (BRAILLE PATTERN BLANK) at character 5"),
    ("name-with-hangul-filler.toml", 'states.k\u3164ontanthjaelp',
     "a name in [states] holds an invisible character, U+3164 (HANGUL FILLER), at character 2"),
    ("target-name-trailing-space.toml", "targets[1].name", '"under-900 " has a space at its end; delete it'),
    ("target-names-differ-by-case.toml", "targets[1].name",
     'a second target named "Under-900" (as "under-900": target names are compared ignoring case and spaces); '
     "names must differ"),
]

SEVERAL = {
    "several-problems.toml": [
        ("states.kontanthjaelp.inflw", 'unknown key; did you mean "inflow"?'),
        ("transitions[0].probability", "between 0 and 1, got 1.3"),
        ("strategies.kik2.effects[0].end", "the end month 2020-02 is before the start month 2020-03"),
        ("targets[0].at", "month 2023-06 is outside the horizon"),
    ],
    "several-problems-types.toml": [
        ("scenario.name", "expected a text string, got 2021"),
        ("states.kontanthjaelp.cost", 'got "120.000 kr."'),
        ("strategies.kik2.investment", 'got "1 mio."'),
        ("targets[0].at", 'expected a month as "YYYY-MM" (in quotes), got 2021'),
    ],
    "two-hazards-1e308.toml": [
        ("transitions[0].hazard", "expected a monthly hazard between 0 and 100, got 1e+308"),
        ("transitions[1].hazard", "expected a monthly hazard between 0 and 100, got 1e+308"),
    ],
    "name-with-zero-width-space.toml": [  # the name, and each use of the name as the rest of the file writes it
        ('states."k\u200bontanthjaelp"', "holds an invisible character, U+200B (ZERO WIDTH SPACE)"),
        *((where, 'unknown state "kontanthjaelp"; did you mean "k\u200bontanthjaelp"? It looks the same but contains an '
                  "invisible character, U+200B (ZERO WIDTH SPACE)")
          for where in ("transitions[0].from", "strategies.kik2.effects[0].from", "targets[0].states[0]")),
    ],
    "name-with-hangul-filler.toml": [  # a letter that prints as nothing is as invisible as a format character
        ('states.k\u3164ontanthjaelp', "holds an invisible character, U+3164 (HANGUL FILLER)"),
        *((where, 'unknown state "kontanthjaelp"; did you mean "k\u3164ontanthjaelp"? It looks the same but contains an '
                  "invisible character, U+3164 (HANGUL FILLER)")
          for where in ("transitions[0].from", "strategies.kik2.effects[0].from", "targets[0].states[0]")),
    ],
    "numbers-in-quotes-beyond-the-model.toml": [  # the three readers beside the model's own, each with the hint
        ('uncertainty."states.kontanthjaelp.inflow".sd', 'got "4" (a text); write the number without quotes: 4'),
        ("correlations[0].rank", 'got "0,5" (a text, written the Danish way); write the number without quotes, thousands '
                                 "with _ and decimals with a point: 0.5"),
        ("observed.kontanthjaelp.persons.2021-01", 'got "1.130" (a text); write the number without quotes: 1_130 for '
                                                   "thousands, or 1.130 as a decimal number"),
    ],
    "anciennitet-band-too-long.toml": [
        ("transitions[0].probability.0-50000000", "anciennitet is tracked up to 600 months (50 years)"),
        ("transitions[0].probability.50000001+", "anciennitet is tracked up to 600 months (50 years)"),
    ],
}
TWO_PROBLEMS = {"unknown-key-mulitply.toml",  # the typo, and so no operation: both true
                "thousands-point-in-uncertainty.toml"}  # the mean and the sd, both written with a point


def invoke(*args: str):
    """Run the command line: the result and its messages (stderr, or all output on a click that mixes them).

    An exception other than the exit itself fails the test with its own traceback.
    """
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    try:
        messages = result.stderr  # click 8.2+ keeps stderr apart; result.output holds both
    except ValueError:  # an older click, mixing stderr into the output
        messages = result.output
    assert "Traceback" not in result.output and "Traceback" not in messages
    return result, messages


def problem_lines(text: str, file: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"{file}: ")]


def assert_reported(text: str, file: str, path: str, words: str) -> None:
    """One line of the output names the file, then the key path, then holds the words."""
    where = f"{file}: {path}: " if path else f"{file}: "
    assert any(line.startswith(where) and words in line for line in text.splitlines()), (
        f"expected a line starting {where!r} holding {words!r}, got:\n{text}")


def test_every_bad_file_is_in_the_table():
    assert sorted(p.name for p in BAD.glob("*.toml")) == sorted(name for name, _, _ in CASES)
    assert len(CASES) >= 24


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(("name", "path", "words"), CASES, ids=[name for name, _, _ in CASES])
def test_a_bad_file_is_exit_2_with_file_key_path_and_message(command, name, path, words):
    file = str(BAD / name)
    result, text = invoke(command, file)
    assert result.exit_code == 2, text
    assert name in text
    assert_reported(text, file, path, words)
    lines = problem_lines(text, file)
    if name in SEVERAL:
        assert len(lines) == len(SEVERAL[name]), text
    else:  # no follow-on problems from the one thing wrong
        assert len(lines) == (2 if name in TWO_PROBLEMS else 1), text


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("name", sorted(SEVERAL))
def test_every_problem_of_a_file_is_reported_in_one_run(command, name):
    file = str(BAD / name)
    result, text = invoke(command, file)
    assert result.exit_code == 2
    for path, words in SEVERAL[name]:
        assert_reported(text, file, path, words)


def test_a_typo_gets_the_nearest_key_suggested():
    _, text = invoke("validate", str(BAD / "unknown-key-typo.toml"))
    assert 'did you mean "inflow"?' in text
    _, text = invoke("validate", str(BAD / "unknown-key-mulitply.toml"))
    assert 'did you mean "multiply"?' in text


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_missing_file_is_exit_2_without_traceback(command, tmp_path):
    file = str(tmp_path / "no-such-scenario.toml")
    result, text = invoke(command, file)
    assert result.exit_code == 2
    assert f"{file}: no such file" in text


def test_validate_a_good_file_is_exit_0():
    result, messages = invoke("validate", GOOD)
    assert result.exit_code == 0, messages
    assert result.output.startswith(f"ok: {GOOD}: ")


def test_validate_reports_every_file_and_fails_if_any_is_bad():
    bad = str(BAD / "unknown-key-typo.toml")
    result, messages = invoke("validate", bad, GOOD)
    assert result.exit_code == 2
    assert_reported(messages, bad, "states.kontanthjaelp.inflw", "unknown key")
    assert f"ok: {GOOD}: " in result.output


# --- the input path, its encoding, names beyond ASCII (issue 11) -------------------------------------------


@pytest.fixture
def no_hang():
    """Fail, rather than hang, a test whose command would block (reading a named pipe with no writer)."""
    def stop(signum, frame):
        raise TimeoutError("the command blocked")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(signal, "SIGALRM"), reason="named pipes are Unix's")
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_named_pipe_is_refused_without_reading_it(command, tmp_path, no_hang):
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    result, text = invoke(command, str(fifo))
    assert result.exit_code == 2
    assert_reported(text, str(fifo), "", "is a named pipe (FIFO), expected a scenario file (a regular file)")


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(signal, "SIGALRM"), reason="named pipes are Unix's")
@pytest.mark.parametrize("command", [["followup"], ["calibrate", "--fit", "states.kontanthjaelp.inflow"]])
def test_an_observed_file_that_is_a_named_pipe_is_refused_without_reading_it(command, tmp_path, no_hang):
    fifo = tmp_path / "jobindsats.csv"
    os.mkfifo(fifo)
    result, text = invoke(*command, str(SCENARIOS / "aabenraa-kik2.toml"), "--observed", str(fifo))
    assert result.exit_code == 2
    assert_reported(text, str(fifo), "", "is a named pipe (FIFO), expected a data file (CSV or JSON) (a regular file)")


@pytest.mark.skipif(not os.path.exists("/dev/zero") or not hasattr(signal, "SIGALRM"), reason="Unix's devices")
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_device_is_refused(command, no_hang):
    result, text = invoke(command, "/dev/zero")
    assert result.exit_code == 2
    assert_reported(text, "/dev/zero", "", "is a device, expected a scenario file")


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_loop_of_symbolic_links_is_refused(command, tmp_path):
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    file = str(tmp_path / "a.toml")
    result, text = invoke(command, file)
    assert result.exit_code == 2
    assert_reported(text, file, "", "a loop of symbolic links")


def test_a_link_to_nothing_says_so(tmp_path):
    (tmp_path / "a.toml").symlink_to(tmp_path / "gone.toml")
    file = str(tmp_path / "a.toml")
    result, text = invoke("validate", file)
    assert result.exit_code == 2
    assert_reported(text, file, "", f"no such file: a symbolic link to {tmp_path / 'gone.toml'}, which does not exist")


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path):
    file = tmp_path / "huge.toml"
    with file.open("wb") as handle:
        handle.truncate(limits.FILE_BYTES + 1)  # sparse: no disk used
    result, text = invoke("validate", str(file))
    assert result.exit_code == 2
    assert_reported(text, str(file), "", "a scenario file is at most 16 MiB")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_a_scenario_saved_as_unicode_with_a_mark_is_read_as_the_same_scenario(codec, tmp_path):
    text = Path(GOOD).read_text(encoding="utf-8")
    file = tmp_path / f"{codec}.toml"
    data = text.encode(codec)
    file.write_bytes(data if codec != "utf-16-be" else codecs.BOM_UTF16_BE + data)
    assert kikcalc.load(file).raw == kikcalc.load(GOOD).raw
    result, _ = invoke("validate", str(file))
    assert result.exit_code == 0


def test_a_state_named_with_danish_letters_runs_and_is_named_in_every_output(tmp_path):
    text = (BAD / "name-not-ascii-with-unknown-key.toml").read_text(encoding="utf-8").replace("inflw", "inflow")
    file = tmp_path / "æøå.toml"
    file.write_text(text, encoding="utf-8")
    result, messages = invoke("validate", str(file))
    assert result.exit_code == 0, messages
    for fmt in ("table", "csv", "csv-da", "json", "markdown"):
        result, messages = invoke("run", str(file), "--format", fmt)
        assert result.exit_code == 0, messages
        assert "kontanthjælp" in result.output
    result, messages = invoke("run", str(file), "--set", "states.kontanthjælp.cost=1e308")
    assert result.exit_code == 2
    assert_reported(messages, str(file), "states.kontanthjælp.cost", "between 0 and 1_000_000_000, got 1e+308 (given by --set)")


def test_a_thousands_point_set_over_is_no_longer_a_problem():
    file = str(BAD / "thousands-point-cost.toml")
    result, messages = invoke("run", file, "--set", "states.kontanthjaelp.cost=120_000")
    assert result.exit_code == 0, messages


def test_a_value_set_nested_thousands_deep_is_refused():
    result, messages = invoke("run", GOOD, "--set", "scenario.name=" + "[" * 5000 + "]" * 5000)
    assert result.exit_code == 2
    assert "nests lists and tables more than 20 levels deep" in messages


@pytest.mark.parametrize("char", [*sorted(scenario_reader.BLANK_LOOKING), "\u200b", "\u00a0", "\u3000"])
def test_a_name_holding_a_blank_looking_character_is_refused_and_named(char):
    problem = scenario_reader.name_problem(f"kh{char}")
    assert problem is not None and scenario_reader.invisible(char, spaces=True)[0] in problem
    assert scenario_reader.name_problem("kh") is None


@pytest.mark.parametrize("char", sorted(scenario_reader.BLANK_LOOKING))
def test_a_label_holding_a_blank_looking_character_is_refused_at_its_key_path(char, tmp_path):
    text = (BAD / "label-with-braille-blank.toml").read_text(encoding="utf-8").replace("\\u2800", f"\\u{ord(char):04x}")
    file = tmp_path / "blank.toml"
    file.write_text(text, encoding="utf-8")
    result, messages = invoke("validate", str(file))
    assert result.exit_code == 2
    assert_reported(messages, str(file), "strategies.baseline.label", scenario_reader.invisible(char)[0])


def test_a_label_with_a_no_break_space_is_the_label_with_a_space():  # a space a reader reads as one
    assert scenario_labels.read_as("Kontant\u00a0hjælp ") == scenario_labels.read_as("kontant hjælp")
    assert scenario_reader.hidden_at("Kontant\u00a0hjælp") is None
