"""The limits of a scenario file: the range of every kind of number, the nesting depth and the sizes.

Every limit is far beyond any real scenario (a municipality's caseload is thousands of persons, a
benefit costs some hundred thousand kroner a year, a horizon is some years), and close enough that
nothing a file says can overflow a float, allocate without bound or loop for long: 10 million
persons at 1 billion kroner each over 1,200 months is about 1e19 kroner, far from the float's 1e308.
A number outside its range is a problem at its key path that states the range. The table
:data:`TABLE` is the one shown in docs/scenario-format.md (a test keeps the two the same).

The walks here are iterative, so that a document nested thousands of levels deep is reported,
not a RecursionError: :func:`text_too_deep` looks at the text before TOML reads it (tomllib reads
nested arrays and inline tables recursively), :func:`document_problems` at the tables it gives.
"""

from __future__ import annotations

import math
import re
from typing import Any

from kikcalc.errors import Problem
from kikcalc.records import frozen


@frozen
class Range:
    """The closed range ``[low, high]`` a kind of number must lie in; None: no bound on that side."""

    low: float | None
    high: float | None

    def holds(self, value: float | int) -> bool:
        """True if the (finite) value lies in the range; an integer too large for a float compares exactly."""
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def words(self) -> str:
        """``between 0 and 10_000_000``, ``at least 0``, ``at most 1``."""
        if self.low is not None and self.high is not None:
            return f"between {show(self.low)} and {show(self.high)}"
        return f"at least {show(self.low)}" if self.low is not None else f"at most {show(self.high)}"


MONTHS_IN_HORIZON = 1_200
"""The longest horizon, ``start`` to ``end``: 100 years."""
LONGEST_ANCIENNITET = 600
"""The longest anciennitet month a file may name (50 years): more is a slip, and would cost memory."""
HAZARD_PER_MONTH = 100.0
"""The largest monthly hazard (a mean stay of under half a day): exp(-100) is 0 to a float's precision."""

PERSONS = Range(0, 10_000_000)
"""Persons in a state, or persons a month (an inflow, a programme's new participants)."""
PERSONS_CHANGE = Range(-10_000_000, 10_000_000)
"""Persons a month added to an inflow (``inflow_add``)."""
COUNT = Range(-10_000_000_000, 10_000_000_000)
"""A count of persons over months (a target's threshold, a payment's cap: at least 0)."""
CAP = Range(0, 10_000_000_000)
KRONER_PER_PERSON = Range(0, 1_000_000_000)
"""Kroner per full-year person or per participant: a benefit cost, a measure cost, a programme's prices."""
KRONER_PER_MOVE = Range(-1_000_000_000, 1_000_000_000)
"""Kroner per person moved (``flow_costs`` amount; a negative amount is money coming in)."""
KRONER = Range(0, 1_000_000_000_000)
"""A total in kroner: an investment's or a grant's amount (a year's, a month's or all of it)."""
KRONER_TARGET = Range(-1_000_000_000_000_000, 1_000_000_000_000_000)
"""A money target's threshold (``npv_min``)."""
SHARE = Range(0, 1)
"""A monthly probability, a share, a drop-out rate, a yearly discount rate."""
HAZARD = Range(0, HAZARD_PER_MONTH)
HAZARD_PER_YEAR = Range(0, 12 * HAZARD_PER_MONTH)
MEAN_MONTHS = Range(0.01, 1_000_000)
"""A mean stay in months: 0.01 of a month is a hazard of 100."""
FACTOR = Range(0, 1_000)
"""An effect's ``multiply``, ``inflow_multiply``, ``measures_cost_multiply``."""
RATE_CHANGE = Range(-12 * HAZARD_PER_MONTH, 12 * HAZARD_PER_MONTH)
"""An effect's ``add`` on a rate, in the transition's unit (checked again on the rate it gives)."""
RATE_SET = Range(0, MEAN_MONTHS.high)
"""An effect's ``set`` on a rate, in the transition's unit (checked again on the rate it gives)."""
DURATION = Range(1, MONTHS_IN_HORIZON)
"""A programme's ``duration_months``."""
RAMP = Range(0, MONTHS_IN_HORIZON)
"""An effect's ``ramp_months`` and ``fade_months``."""
WEEKS_PER_MONTH = Range(4, 5)
"""``[refusion] weeks_per_month``: a month has 4 to 4.43 weeks."""
REFUSION_WEEKS = Range(0, LONGEST_ANCIENNITET * WEEKS_PER_MONTH.high)
"""``[refusion] band_end_weeks``: above 0, and within the anciennitet tracked (checked in months too)."""
RESET_WEEKS = Range(0, 156)
"""``[refusion] reset_after_weeks``: the rule counts self-support within 3 years (156 weeks); more is not the rule's."""

EFFECT_NUMBERS = {
    ("rate", "multiply"): (FACTOR, "a factor"),
    ("rate", "add"): (RATE_CHANGE, "a number in the transition's unit"),
    ("rate", "set"): (RATE_SET, "a number in the transition's unit"),
    ("inflow", "multiply"): (FACTOR, "a factor"),
    ("inflow", "add"): (PERSONS_CHANGE, "a number of persons per month"),
    ("measures_cost", "multiply"): (FACTOR, "a factor"),
    ("measures_cost", "set"): (KRONER_PER_PERSON, "kr. per full-year person"),
}
"""An effect's number, by what it acts on and its operation: (its range, its words). ``set`` on a rate is checked
again in the transition's own unit."""

SUM_TOLERANCE = 1e-9
"""How far probabilities of leaving a state, or a programme's outcome shares, may add up to beyond 1: a float sum's rounding."""
MIX_TOLERANCE = 1e-6
"""How far the shares of an anciennitet mix may add up to beyond or short of 1 (shares written to 6 decimals)."""

DEPTH = 20
"""The deepest nesting of tables and lists (a real scenario nests 6 deep)."""
ENTRIES = 1_000_000
"""The most entries in one table or list (a series by month over 100 years has 1,200; every move between 1,000
states, 999,000)."""
STATES = 1_000
STRATEGIES = 1_000
MODEL_CELLS = 200_000_000
"""The size of the model's largest arrays (1.6 GB of floats): :func:`model_cells`."""
FILE_BYTES = 16 * 1024 * 1024
"""The largest scenario file (16 MiB: a real one is some kilobytes, every move between 400 states 10 MB; TOML reads
some MB a second)."""


def model_cells(strategies: int, months: int, states: int, transitions: int, anciennitet: int) -> int:
    """strategies x anciennitet months x (months x states + transitions): the persons by month, state and
    anciennitet month, and the rates by transition and anciennitet month, of every strategy."""
    return strategies * anciennitet * (months * states + transitions)

def flow_cells(strategies: int, months: int, states: int) -> int:
    """strategies x months x states x states: the persons moved between states month by month, which a run keeps
    where a flow target, a flow cost or an observation of entrants or exits counts them
    (:attr:`kikcalc.spec.Scenario.needs_flows`)."""
    return strategies * months * states * states


def flows_problem(strategies: int, months: int, states: int, counting: str) -> str | None:
    """Why a run cannot keep the moves between states month by month that ``counting`` (a flow target, ...) needs:
    more than :data:`MODEL_CELLS` of them (:func:`flow_cells`); None if it can."""
    cells = flow_cells(strategies, months, states)
    if cells <= MODEL_CELLS:
        return None
    return (f"counting persons moved ({counting}) keeps every move between states month by month: {strategies} "
            f"strategies x {months} months x {states} states x {states} states = {show(cells)}; at most "
            f"{show(MODEL_CELLS)} (fewer states or a shorter horizon)")


def show(value: float | int) -> str:
    """A number as a message shows it: whole numbers with ``_`` by thousands (as TOML may write them), others
    in the fewest digits that give the number back (``1.0000000436``, not ``1``); a huge integer by its length."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        if value.bit_length() > 100:
            return f"an integer of {digits(value)} digits"
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return show(int(value))
    return repr(value)


def digits(value: int) -> str:
    """How many digits an integer has, in words; past Python's 4300 (beyond which str() refuses), "more than 4300"."""
    try:
        return str(len(str(abs(value))))
    except ValueError:
        return "more than 4300"


def show_beyond(value: float, bound: float) -> str:
    """``value`` with enough digits to tell it from ``bound``: a sum of 1.0000000436 is not "1"."""
    for digits in range(4, 18):
        text = f"{value:.{digits}g}"
        if float(text) != bound and text != f"{bound:.{digits}g}":
            return show(float(text)) if float(text).is_integer() else text
    return repr(value)


class Underflow(float):
    """A float literal with a nonzero digit that reads as 0.0, below the smallest float (``1e-400``): 0.0 to
    arithmetic, but kept apart so that a check can refuse it as it refuses a subnormal number, not take it for 0."""

    text: str

    def __new__(cls, text: str = "0"):
        self = super().__new__(cls, 0.0)
        self.text = str(text)
        return self


def read_float(text: str) -> float:
    """A TOML float literal's value (tomllib's ``parse_float``): an :class:`Underflow` where nonzero digits read as 0."""
    value = float(text)
    if value == 0 and re.search(r"[1-9]", re.split(r"[eE]", text)[0]):
        return Underflow(text.replace("_", ""))
    return value


def finite(value: Any) -> bool:
    """True for an int or float (not a boolean) that is finite; an integer too large for a float is not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


# --- the shape of a document -------------------------------------------------------------------------

_OPENERS = re.compile(r"""\"\"\"|'''|["'#\[\]{}]""")
_BASIC_END = re.compile(r'\\.|"|\n')
_LITERAL_END = re.compile(r"'|\n")


def text_too_deep(text: str, depth: int = DEPTH) -> int | None:
    """The line on which the text's arrays and inline tables nest deeper than ``depth``, or None.

    Brackets and braces in strings and comments do not count; a table header (``[a]``, ``[[a]]``) opens
    and closes on its line. Read before TOML, whose reader would recurse once for each level.
    """
    level, position = 0, 0
    while True:
        match = _OPENERS.search(text, position)
        if match is None:
            return None
        token, position = match.group(), match.end()
        if token in ("[", "{"):
            level += 1
            if level > depth:
                return text.count("\n", 0, match.start()) + 1
        elif token in ("]", "}"):
            level = max(level - 1, 0)
        elif token == "#":
            end = text.find("\n", position)
            position = len(text) if end < 0 else end
        elif token in ('"""', "'''"):
            end = text.find(token, position)
            while token == '"""' and end > 0 and _escaped(text, end):
                end = text.find(token, end + 1)
            position = len(text) if end < 0 else end + 3
        else:  # a one-line string: up to its closing quote, or the end of the line
            stop = _BASIC_END if token == '"' else _LITERAL_END
            while True:
                end = stop.search(text, position)
                if end is None:
                    position = len(text)
                    break
                position = end.end()
                if end.group() in ('"', "'", "\n"):
                    break


def _escaped(text: str, index: int) -> bool:
    """True if the character at ``index`` follows an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def document_problems(raw: Any) -> list[Problem]:
    """Problems with the shape of a document read from TOML (or given as a dict): tables and lists nested
    deeper than :data:`DEPTH`, more than :data:`ENTRIES` entries in one, a key that is not text, an integer of
    more than 1000 digits (TOML gives none past 4300, which Python will not print; a dict may hold one).

    The walk keeps its own stack, so a document of any depth is reported rather than overflowing Python's.
    """
    from kikcalc import keypaths

    problems: list[Problem] = []
    stack: list[tuple[Any, tuple, int]] = [(raw, (), 0)]
    while stack:
        value, parts, level = stack.pop()
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        else:
            continue
        if level > DEPTH:
            problems.append(Problem(_joined(parts), f"tables and lists nested more than {DEPTH} levels deep; a scenario "
                                                    f"needs no more than 6"))
            continue
        if len(items) > ENTRIES:
            problems.append(Problem(_joined(parts), f"{show(len(items))} entries in one table or list; at most {show(ENTRIES)}"))
            continue
        for key, item in reversed(items):
            if isinstance(value, dict) and not isinstance(key, str):
                problems.append(Problem(_joined(parts), f"the key {key!r} is not text; TOML keys are text"))
                continue
            if isinstance(item, int) and item.bit_length() > 3322:  # 2**3322 has 1001 digits
                problems.append(Problem(keypaths.join((*parts, key)), "an integer of more than 1000 digits; no number of "
                                                                      "a scenario has more than 16"))
                continue
            stack.append((item, (*parts, key), level + 1))
    return problems


def _joined(parts: tuple) -> str:
    """The key path of some parts, ``""`` for none (the document itself): made only for a problem's place."""
    from kikcalc import keypaths

    return keypaths.join(parts) if parts else ""


PRICE_LEVEL = Range(0.001, 1000)
"""The price level of a horizon year against ``[prices] base_year`` with ``growth``: 2 % a year reaches 1000 after 349
years. A base year far from the horizon (201 for 2021) made costs of 10^26 kr., beyond what any amount may be."""


TABLE: list[tuple[str, str, str]] = [
    ("persons in a state, persons a month", "`initial`, `inflow` (each entry), `participants`, an inflow after effects",
     PERSONS.words()),
    ("persons added to an inflow", "`inflow_add`", PERSONS_CHANGE.words()),
    ("persons over months", "`cap` of a flow cost", CAP.words()),
    ("a target's threshold in persons", "`below`, `max`, `above`, `min` of a level or flow target", COUNT.words()),
    ("kroner per person", "`cost`, `measures_cost`, `measures_cost_set`, `cost_per_participant`, `cost_per_month`, "
     "a measure cost after effects", KRONER_PER_PERSON.words()),
    ("kroner per person moved", "`amount` of a flow cost", KRONER_PER_MOVE.words()),
    ("kroner in total", "`investment` and a grant's `amount` (each entry)", KRONER.words()),
    ("a money target", "`npv_min`", KRONER_TARGET.words()),
    ("a probability or a share", "`probability`, `dropout`, shares, `discount_rate`, `payment_share` (each entry)", SHARE.words()),
    ("a hazard", "`hazard` per month (per year, with `per = \"year\"`: up to 1200); any hazard after effects, a month",
     HAZARD.words()),
    ("a sum of probabilities", "of leaving one state, in every month, anciennitet month and strategy",
     f"at most 1, to within {SUM_TOLERANCE:g}"),
    ("a sum of shares", "an anciennitet mix; a programme's `outcomes`",
     f"1, to within {MIX_TOLERANCE:g}; at most 1, to within {SUM_TOLERANCE:g}"),
    ("a mean stay in months", "`mean_months`, `set` on a `mean_months` transition", MEAN_MONTHS.words()),
    ("an effect's factor", "`multiply`, `inflow_multiply`, `measures_cost_multiply`", FACTOR.words()),
    ("a seasonal factor, a cycle multiplier", "`season` (each month), `cycle` (each entry)", FACTOR.words()),
    ("an effect's change of a rate", "`add`; `set` (then the rate's own range)",
     f"{RATE_CHANGE.words()}; {RATE_SET.words()}"),
    ("months", "`duration_months`", DURATION.words()),
    ("months", "`ramp_months`, `fade_months`", RAMP.words()),
    ("the horizon", "`start` to `end`", f"at most {show(MONTHS_IN_HORIZON)} months (100 years)"),
    ("a price level from `growth`", "`prices.base_year` with `prices.growth`: (1 + growth)^(year − base_year) in each year of the horizon",
     f"{PRICE_LEVEL.words()} (a base year near the horizon)"),
    ("anciennitet months", "keys of anciennitet mixes, bounds of bands, refusion steps (in months)",
     f"0 to {LONGEST_ANCIENNITET} (50 years)"),
    ("weeks in a month", "`[refusion] weeks_per_month`", WEEKS_PER_MONTH.words()),
    ("weeks of self-support", "`[refusion] reset_after_weeks`", RESET_WEEKS.words()),
    ("nesting", "tables and lists inside each other", f"at most {DEPTH} levels"),
    ("entries", "in one table or list", f"at most {show(ENTRIES)}"),
    ("states, strategies", "`[states.NAME]`, `[strategies.NAME]`", f"at most {show(STATES)}, {show(STRATEGIES)}"),
    ("the model's size", "strategies x anciennitet months x (months x states + transitions)", f"at most {show(MODEL_CELLS)}"),
    ("the moves counted", "strategies x months x states x states, where a flow target or a flow cost counts persons moved",
     f"at most {show(MODEL_CELLS)}"),
    ("the file", "its size in bytes", f"at most {show(FILE_BYTES)} (16 MiB)"),
]
"""(what, keys, range) of every limit, as docs/scenario-format.md shows them."""
