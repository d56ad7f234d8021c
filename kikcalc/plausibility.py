"""Plausibility warnings: numbers a valid scenario may hold that a jobcenter economist would question.

Validation (:mod:`kikcalc.scenario`) refuses what cannot be run. A file can pass it and still say
something no one meant: ``cost = 120.000`` is 120 kr. a year in TOML (the Danish thousands
separator), an inflow given per year runs as per month, a ramp given in weeks runs as months. Each
check here is a pure function of a built :class:`~kikcalc.spec.Scenario` (and its values) that
returns :class:`Warning` values with the key path of the number in question and what would be
plausible. Nothing here changes a scenario or a result; the command line prints the warnings
(``warning: FILE: KEY.PATH: message``) and ``validate --strict`` fails on them.

The thresholds are the module's constants, documented in docs/scenario-format.md ("Plausibility
warnings").
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from kikcalc import keypaths
from kikcalc.records import frozen
from kikcalc.spec import Scenario, Transition
from kikcalc.values import Values, for_scenario

if TYPE_CHECKING:
    from kikcalc.engine import Trajectory

COST_LOW = 1_000.0
"""kr. per full-year person: a benefit or measure cost below this (and above 0) is taken for a separator slip."""
COST_HIGH = 1_000_000.0
"""kr. per full-year person: a benefit or measure cost above this is more than 83,000 kr. a month per person."""
DRIFT_SHARE = 0.25
"""A baseline caseload that moves more than this share from its start by the horizon's end, toward a
steady state more than this share away from the start, does not balance its inflow and exits."""
PROBABILITY_HIGH = 0.5
"""A monthly probability of leaving a benefit state above this is a mean stay of under two months."""
UNCERTAIN_MEAN_FACTOR = 10.0
"""An [uncertainty] entry (without scale = true) whose mean is more than this factor from the number the file
gives at its key path: a factor meant as one (scale = true), or a distribution meant for another number."""
PRICE_CHANGE_HIGH = 0.10
"""A [prices] index that moves more than this share from one year to the next (satsregulering has been
1-5 % a year): an index in another base for some years, or a growth of 0.2 meant as 0.02."""


@frozen
class Warning:
    """One number of a valid scenario that looks unintended: where (a key path) and what would be plausible."""

    path: str
    message: str

    def render(self, file: str) -> str:
        """The line the command line prints on stderr."""
        return f"warning: {file}: {self.path}: {self.message}"


def check(scenario: Scenario, values: Values | None = None, run: Trajectory | None = None) -> list[Warning]:
    """Every plausibility warning of a scenario, check by check, each in file order.

    ``values``: the scenario's numbers (:func:`kikcalc.values.for_scenario`); only the drift check
    reads them, from the baseline row. ``run``: the simulation of those values, if it has been made
    (a :class:`~kikcalc.result.Result`'s trajectory): the drift check reads the baseline's end from its
    row 0 instead of simulating the baseline again.
    """
    return [*cost_warnings(scenario), *drift_warnings(scenario, values, run), *probability_warnings(scenario),
            *effect_warnings(scenario), *programme_warnings(scenario), *price_warnings(scenario), *season_warnings(scenario),
            *measures_warnings(scenario), *uncertainty_warnings(scenario)]


# --- money -------------------------------------------------------------------------------------


def cost_warnings(scenario: Scenario) -> list[Warning]:
    """A benefit state's ``cost`` or ``measures_cost`` per full-year person outside COST_LOW to COST_HIGH kr.

    0 is not warned about: it is the default, a state whose money is not counted.
    """
    found = []
    for state in scenario.states:
        if not state.is_benefit:
            continue
        for key, what in (("cost", "a benefit cost"), ("measures_cost", "a measure cost")):
            amount = getattr(state, key)
            path = keypaths.join(("states", state.name, key))
            if 0 < amount < COST_LOW:
                slip = (f"; if {amount:.3f} is meant the Danish way, {amount * 1000:,.0f} kr., write {amount * 1000:_.0f} "
                        f"(TOML reads the point as a decimal point)" if COST_LOW <= amount * 1000 <= COST_HIGH else "")
                found.append(Warning(path, f"{what} of {amount:,.6g} kr. per full-year person is below {COST_LOW:,.0f} kr. a "
                                           f"year; plausible is {COST_LOW:,.0f} to {COST_HIGH:,.0f} kr. (Aabenraa's 2021 budget: "
                                           f"68,420 to 139,443 kr. of benefit){slip}"))
            elif amount > COST_HIGH:
                found.append(Warning(path, f"{what} of {amount:,.0f} kr. per full-year person is above {COST_HIGH:,.0f} kr. a "
                                           f"year ({amount / 12:,.0f} kr. a month for one person); plausible is {COST_LOW:,.0f} "
                                           f"to {COST_HIGH:,.0f} kr.: {key} is kr. a year for one full-year person, not for the "
                                           f"whole group"))
    return found


# --- the baseline's balance ---------------------------------------------------------------------


@frozen(eq=False)
class Balance:
    """Where a benefit state's caseload settles under the baseline's first-month rates and inflow.

    The inflow is what enters in the first month, from outside the model and by moves in from the
    other states at their start stock; entrants stay a mean number of months that follows from
    the leaving probability by anciennitet (an entrant's anciennitet on arrival counts), so the
    steady state is entrants a month times their mean stay (inflow / leaving probability for a
    state whose rates do not depend on anciennitet).
    """

    state: str
    initial: float
    """Persons at the start."""
    inflow: float
    """Persons entering a month from outside the model, in the first month."""
    moved_in: float
    """Persons moving in a month from the other states, at their start stock."""
    leaving: np.ndarray
    """The monthly probability of leaving the state by anciennitet month, shape (A,)."""
    steady: float
    """Persons the state settles at; inf if some entrants never leave; the start stock that never
    leaves if nothing enters."""
    hold_inflow: float
    """The inflow from outside a month that would make ``steady`` equal ``initial``; nan if none can
    (no one leaves), negative if the moves in alone settle it above its start."""
    end: float
    """Persons at the end of the horizon in the baseline run."""

    @property
    def entering(self) -> float:
        return self.inflow + self.moved_in


def mean_stay(leaving: np.ndarray) -> np.ndarray:
    """Expected months in a state for a person arriving at each anciennitet month, shape (A,).

    ``leaving`` (A,): the monthly probability of leaving the state by anciennitet month, the last
    holding "A-1 months and more". A person arriving at month a is counted in that month, then
    stays with probability 1 - leaving[a] to month a + 1: L[a] = 1 + (1 - leaving[a]) L[a + 1], and
    L[A-1] = 1 / leaving[A-1] (inf if no one leaves then). Constant leaving p: 1 / p everywhere.
    """
    anc = len(leaving)
    stay = np.empty(anc)
    stay[-1] = 1.0 / leaving[-1] if leaving[-1] > 0 else np.inf
    for a in range(anc - 2, -1, -1):
        stay[a] = 1.0 + (1.0 - leaving[a]) * stay[a + 1] if leaving[a] < 1 else 1.0
    return stay


def balances(scenario: Scenario, values: Values | None = None, run: Trajectory | None = None) -> list[Balance]:
    """The :class:`Balance` of every benefit state with persons at the start, in file order.

    Reads the baseline row's first month: its rates (with any baseline effect), its inflow and the
    start stock by anciennitet (a settled mix where the file gives none), and runs the baseline
    for its end, or reads it from row 0 of ``run``, the simulation of ``values`` already made.
    """
    from kikcalc.engine import simulate
    from kikcalc.transitions import inflows, leaving_probability, rates_in_month, transition_probabilities

    values = (for_scenario(scenario) if values is None else values).take(slice(0, 1))
    if run is None:
        run = simulate(scenario, values, keep_stock=False, keep_flows=False)
    probabilities = transition_probabilities(scenario, rates_in_month(scenario, values, 0))[0]  # (n, A)
    leaving = leaving_probability(scenario, probabilities[None])[0]  # (S, A)
    inflow = inflows(scenario, values)[0, 0]  # (S,)
    stock = run.initial_stock[0]  # (S, A)
    found = []
    into: dict[str, list[tuple[int, Transition]]] = {}  # each state's transitions in, in file order: one pass over them
    for i, transition in enumerate(scenario.transitions):
        into.setdefault(transition.target, []).append((i, transition))
    for s, state in enumerate(scenario.states):
        initial = float(values.initial[0, s])
        if not state.is_benefit or initial <= 0:
            continue
        mix = values.inflow_mix[0, s]
        moved = np.zeros(scenario.anciennitet_months)  # moves in a month, by anciennitet on arrival
        for i, transition in into.get(state.name, []):
            r = scenario.state_index(transition.source)
            if scenario.states[r].is_benefit:  # a move keeps anciennitet, and the month counts
                flow = stock[r] * probabilities[i]
                moved[1:] += flow[:-1]
                moved[-1] += flow[-1]
            else:  # from outside: as inflow
                moved += stock[r].sum() * probabilities[i, 0] * mix
        stay = mean_stay(leaving[s])
        entering = inflow[s] * mix + moved
        if np.isinf(stay[-1]) and not entering.any():
            # Nothing enters and the last anciennitet month never leaves: the start stock that gets there stays.
            reaches = np.append(np.cumprod((1.0 - leaving[s, :-1])[::-1])[::-1], 1.0)
            steady = float((stock[s] * reaches).sum())
        else:
            steady = float(_dot(entering, stay))
        per_entrant = _dot(mix, stay)
        hold = (initial - _dot(moved, stay)) / per_entrant if np.isfinite(per_entrant) and per_entrant > 0 else np.nan
        found.append(Balance(state=state.name, initial=initial, inflow=float(inflow[s]), moved_in=float(moved.sum()),
                             leaving=leaving[s], steady=steady, hold_inflow=float(hold), end=float(run.headcount[0, -1, s])))
    return found


def _dot(persons: np.ndarray, stay: np.ndarray) -> float:
    """Persons times months, summed; no persons count 0 months, even against an endless stay. A stay of a
    probability as small as 3e-308 makes the sum overflow to inf, which the callers take for "no balance"."""
    with np.errstate(over="ignore"):
        return float(np.where(persons > 0, persons * np.where(persons > 0, stay, 0.0), 0.0).sum())


def drift_warnings(scenario: Scenario, values: Values | None = None, run: Trajectory | None = None) -> list[Warning]:
    """A benefit state whose baseline caseload drifts because its inflow and exits do not balance.

    Warned when both (1) the steady state of the baseline's first-month rates and inflow
    (:func:`balances`) lies more than DRIFT_SHARE from the start stock, and (2) the baseline run
    ends the horizon more than DRIFT_SHARE from it: the imbalance shows within the horizon. A
    drift that an inflow series or a baseline effect makes, from balanced first-month rates, is
    meant; so is a group whose steady state is far off but which the horizon is too short to move.
    A state that starts empty is not checked.
    """
    labels = scenario.calendar.labels
    found = []
    for balance in balances(scenario, values, run):
        start, steady = balance.initial, balance.steady
        if not (abs(balance.end - start) > DRIFT_SHARE * start and abs(steady - start) > DRIFT_SHARE * start):
            continue  # within the threshold (or not a number: nothing to say)
        path = keypaths.join(("states", balance.state, "inflow"))
        run = f"the baseline goes from {start:,.0f} persons at the start to {balance.end:,.0f} at the end of {labels[-1]}"
        if not np.isfinite(steady):
            never = ("no one leaves it" if not balance.leaving.any() else
                     f"no one leaves it after {len(balance.leaving) - 1} months on benefit")
            found.append(Warning(path, f"{run}: {balance.entering:,.3g} persons a month enter {balance.state} and {never}, "
                                       f"so it grows without bound; give it an exit (a [[transitions]] from it, such as "
                                       f"mean_months = 24)"))
            continue
        enter = (f"{balance.entering:,.3g} persons a month enter ({balance.inflow:,.3g} from outside the model, "
                 f"{balance.moved_in:,.3g} from other states)" if balance.moved_in > 0 else
                 f"{balance.inflow:,.3g} persons a month enter" if balance.inflow > 0 else "no one enters")
        stay = f" and stay {steady / balance.entering:,.3g} months on average" if balance.entering > 0 else ""
        if not np.isfinite(balance.hold_inflow):
            hold = "no inflow can hold it there"
        elif balance.hold_inflow < 0:
            hold = "the moves in from other states alone settle it above its start"
        else:
            hold = f"an inflow of {balance.hold_inflow:,.3g} persons a month from outside the model would hold {start:,.0f}"
        if steady > start:
            side, slip = "above", "A year's entrants given as a month's, or a mean stay in weeks given as months?"
        elif balance.entering > 0:
            side, slip = "below", "An exit probability per year given as per month, or a month's entrants too few?"
        else:
            side, slip = "below", "A missing inflow? If the state is a closed group followed over time, this is as meant."
        found.append(Warning(path, f"{run}: the baseline's first-month rates settle {balance.state} at {steady:,.0f} persons, "
                                   f"{abs(steady - start) / start:.0%} {side} its start (warned beyond {DRIFT_SHARE:.0%}): "
                                   f"{enter}{stay}; {hold}. {slip}"))
    return found


# --- rates ---------------------------------------------------------------------------------------


def probability_warnings(scenario: Scenario) -> list[Warning]:
    """A transition out of a benefit state given as a monthly ``probability`` above PROBABILITY_HIGH, band by band."""
    benefit = {state.name for state in scenario.states if state.is_benefit}
    found = []
    for transition in scenario.transitions:
        if transition.form != "probability" or transition.source not in benefit:
            continue
        given = keypaths.get(scenario.raw, keypaths.child(transition.path, "probability"))
        bands = given.items() if isinstance(given, dict) else [(None, given)]
        for band, probability in bands:
            if probability <= PROBABILITY_HIGH:
                continue
            path = keypaths.child(transition.path, "probability")
            path = path if band is None else keypaths.child(path, band)
            found.append(Warning(path, f"a monthly probability of {probability:g} of leaving {transition.source} for "
                                       f"{transition.target}: more than half leave within a month (a mean stay of "
                                       f"{_months(1 / probability)}), where benefit spells last months or years; exits "
                                       f"from a benefit state are plausible at up to {PROBABILITY_HIGH:g} a month. A mean "
                                       f"duration? write mean_months; a yearly rate? write hazard with per = \"year\""))
    return found


# --- windows longer than the horizon -------------------------------------------------------------


def _horizon(scenario: Scenario) -> str:
    labels = scenario.calendar.labels
    return f"the horizon ({_count(len(labels))}, {labels[0]} to {labels[-1]})"


def effect_warnings(scenario: Scenario) -> list[Warning]:
    """An effect whose ``ramp_months`` or ``fade_months`` is longer than the horizon."""
    months = scenario.calendar.months
    found = []
    for _, effect in scenario.effects:
        table = keypaths.get(scenario.raw, effect.path)
        ramp, fade = table.get("ramp_months", 0), table.get("fade_months", 0)
        if ramp > months:
            found.append(Warning(keypaths.child(effect.path, "ramp_months"),
                                 f"a ramp of {_count(ramp)} is longer than {_horizon(scenario)}: the effect reaches at most "
                                 f"{effect.weight.max():.0%} of its size; a ramp of at most {_count(months)} reaches full "
                                 f"size within the horizon (ramp_months counts months, not weeks or days)"))
        if fade > months:
            found.append(Warning(keypaths.child(effect.path, "fade_months"),
                                 f"a fade of {_count(fade)} is longer than {_horizon(scenario)}: the effect takes longer to "
                                 f"wear off than the whole scenario runs; a fade of at most {_count(months)} shows within "
                                 f"it (fade_months counts months, not weeks or days)"))
    return found


def programme_warnings(scenario: Scenario) -> list[Warning]:
    """A programme longer than the horizon, or one that no participant can complete within it.

    A participant who starts in month w completes at the end of month w + duration - 1; with the
    intake window's first month w0, no one completes within the horizon of T months if
    w0 + duration > T, which includes every duration longer than the horizon.
    """
    months, labels = scenario.calendar.months, scenario.calendar.labels
    found = []
    for _, programme in scenario.programmes:
        first = programme.window[0]
        if first + programme.duration <= months:
            continue
        path = keypaths.child(programme.path, "duration_months")
        if programme.duration > months:
            what = f"a programme of {_count(programme.duration)} is longer than {_horizon(scenario)}"
        else:
            what = (f"participants who start in its first intake month, {labels[first]}, complete its "
                    f"{_count(programme.duration)} only after the horizon ends in {labels[-1]}")
        found.append(Warning(path, f"{what}: no participant completes it within the horizon, so its outcomes never show; "
                                   f"a programme of at most {_count(months - first)} from {labels[first]} completes within "
                                   f"it (duration_months counts months, not weeks or days)"))
    return found



def price_warnings(scenario: Scenario) -> list[Warning]:
    """A ``[prices]`` level that changes by more than :data:`PRICE_CHANGE_HIGH` from one year of the horizon to the next."""
    prices = scenario.prices
    if prices is None:
        return []
    years = scenario.calendar.years
    level = {int(y): float(prices.level[np.flatnonzero(years == y)[0]]) for y in np.unique(years)}
    given = scenario.raw.get("prices", {})
    for year in sorted(level)[1:]:
        change = level[year] / level[year - 1] - 1.0
        if abs(change) > PRICE_CHANGE_HIGH + 1e-12:  # 1.1 / 1 - 1 is 0.10000000000000009
            path = "prices.growth" if "growth" in given else keypaths.child("prices.index", str(year))
            return [Warning(path, f"prices change by {change:+.1%} from {year - 1} to {year}; satsregulering has been 1-5 % a "
                                  f"year: an index in another base for some years, or a growth rate of 0.2 meant as 0.02?")]
    return []


def season_warnings(scenario: Scenario) -> list[Warning]:
    """A ``season`` or ``cycle`` on a state whose inflow is 0 in every month and that no effect adds to: it
    multiplies nothing (a season meant for a transition, or for another state?)."""
    found = []
    added = {effect.state for _, effect in scenario.effects if effect.on == "inflow" and effect.operation == "add"}
    for state in scenario.states:
        table = scenario.raw.get("states", {}).get(state.name, {})
        given = [key for key in ("season", "cycle") if isinstance(table, dict) and key in table]
        if given and not np.any(state.inflow) and state.name not in added:
            found.extend(Warning(keypaths.child(keypaths.child("states", state.name), key),
                                 f"{state.name} has no inflow, so its {key} multiplies nothing; a {key} on a "
                                 f"[[transitions]] entry changes that move's rate") for key in given)
    return found


def measures_warnings(scenario: Scenario) -> list[Warning]:
    """A ``measures_cost_multiply`` on a state with no measures cost (and no ``measures_cost_set`` on it in the same
    strategy): 0 times any factor is 0, so it changes nothing (a ``measures_cost_set`` gives the state one)."""
    found = []
    for strategy in scenario.strategies:
        given = {effect.state for effect in strategy.effects if effect.on == "measures_cost" and effect.operation == "set"}
        for i, effect in enumerate(strategy.effects):
            if effect.on != "measures_cost" or effect.operation != "multiply" or effect.state in given:
                continue
            if scenario.states[scenario.state_index(effect.state)].measures_cost == 0:
                found.append(Warning(keypaths.join(("strategies", strategy.name, "effects", i, "measures_cost_multiply")),
                                     f"{effect.state} has no measures_cost, so this factor multiplies nothing (0 x any "
                                     f"factor is 0); measures_cost_set gives it a cost"))
    return found


def uncertainty_warnings(scenario: Scenario) -> list[Warning]:
    """An ``[uncertainty]`` entry given a mean, without ``scale = true``, on a single number of the file, whose
    mean is more than UNCERTAIN_MEAN_FACTOR from that number (either way; a mean beside a number of 0 is not
    compared): the draws would centre far from the base case the plain run uses."""
    from kikcalc.uncertainty import read

    found = []
    for u in read(scenario)[0].inputs:
        mean = dict(u.parameters).get("mean")
        if u.scale:
            factor = _factor_mean(u)
            if factor is not None and factor > 0 and not 1 / UNCERTAIN_MEAN_FACTOR <= factor <= UNCERTAIN_MEAN_FACTOR:
                found.append(Warning(keypaths.child("uncertainty", u.path),
                                     f"a factor (scale = true) with mean {factor:.4g}: its draws multiply {u.path} by "
                                     f"{factor:.3g} on average, far from the base case that run, compare and targets use. "
                                     f"A factor has a mean of 1; the number's own distribution? leave out scale = true"))
            continue
        if mean is None:  # given by its own parameters (a gamma's shape and scale): its mean from them
            mean = _factor_mean(u)
        if mean is None:
            continue
        try:
            given = keypaths.get(scenario.raw, u.path)
        except keypaths.KeyPathError:
            continue  # a number the file does not write (a default), or an entry of a series: nothing to compare
        if isinstance(given, bool) or not isinstance(given, (int, float)) or given == 0 or mean == 0:
            continue
        factor = abs(mean / given) if abs(mean) > abs(given) else abs(given / mean)
        start = f"a {u.dist} with mean {mean:g} for a number the file gives as {given:g}: its draws centre"
        if (mean > 0) != (given > 0):
            found.append(Warning(keypaths.child("uncertainty", u.path),
                                 f"{start} on the other side of 0 from the base case that run, compare and targets use: "
                                 f"a sign slip?"))
        elif factor > UNCERTAIN_MEAN_FACTOR:
            found.append(Warning(keypaths.child("uncertainty", u.path),
                                 f"{start} a factor of {factor:.3g} away from the base case that run, compare and targets "
                                 f"use. A factor on the number? add scale = true (a mean of 1 keeps it as the file has it)"))
    return found


def _factor_mean(u) -> float | None:
    """The mean of an uncertain number's distribution (a factor's, or a number's own) from its entry's parameters, by
    the closed forms (no scipy: a plain run checks this too); None for a truncnormal, whose mean its bounds move."""
    p = dict(u.parameters)
    if "mean" in p and u.dist != "truncnormal":
        return p["mean"]
    if u.dist == "beta":
        return p["a"] / (p["a"] + p["b"])
    if u.dist == "gamma":
        return p["shape"] * p["scale"]
    if u.dist == "lognormal":
        return math.exp(p["mu"] + p["sigma"] ** 2 / 2) if p["mu"] + p["sigma"] ** 2 / 2 < 700 else math.inf
    if u.dist == "triangular":
        return (p["low"] + p["mode"] + p["high"]) / 3
    if u.dist == "uniform":
        return (p["low"] + p["high"]) / 2
    return None


def _count(months: int) -> str:
    """A whole number of months in words: "1 month", "12 months"."""
    return f"{months} month" if months == 1 else f"{months} months"


def _months(months: float) -> str:
    """A number of months in words, two digits: "1 month", "1.3 months"."""
    shown = f"{months:.2g}"
    return f"{shown} month" if shown == "1" else f"{shown} months"
