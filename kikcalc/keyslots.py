"""Numbers by key path: where a key path's number lives in :class:`~kikcalc.values.Values`, what it may be, and
setting it on some rows or many at once.

:func:`slot` maps a key path (:mod:`kikcalc.keypaths`, the grammar) to its place in the values (a field, an index
after the row axis, the strategy whose rows it acts on, its domain); :func:`assign` sets one number as the file
would, :func:`assign_per_row` and :func:`assign_columns` many at once for draws, fits and searches. The numbers'
home is :mod:`kikcalc.values`; this module only finds and writes them.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import replace

import numpy as np

from kikcalc import limits
from kikcalc.calendar import parse_month
from kikcalc.records import frozen
from kikcalc.spec import Scenario
from kikcalc.values import Values, for_scenario


class ValueDomainError(ValueError):
    """A value set by key path that lies outside the number's domain (a probability above 1)."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


@frozen
class Slot:
    """Where a number named by key path lives in :class:`Values`, and what it may be."""

    path: str
    field: str
    """The Values field."""
    index: tuple
    """Index into the field after the row axis."""
    strategy: int | None
    """The strategy whose rows the number acts on; None: every row."""
    divisor: float = 1.0
    """The file's number over what is stored (a yearly amount spread over its months)."""
    low: float | None = 0.0
    high: float | None = None
    what: str = "a number"

    @property
    def natural_low(self) -> float | None:
        """The bound nature sets below (0 for persons, kroner, rates: none can be negative); None: none.
        ``low`` and ``high`` are the limits of plausibility (:mod:`kikcalc.limits`) that every number set is checked
        against; a search or a distribution's support is bounded by nature, and only cut at the limits."""
        return 0.0 if self.low is not None and self.low >= 0 else None

    @property
    def natural_high(self) -> float | None:
        """1 for a probability or a share (the only numbers nature bounds above); None for the rest."""
        return self.high if self.high is not None and self.high <= 1 else None

    def check(self, number: np.ndarray) -> None:
        """Raise ValueDomainError unless every number is finite and within the domain."""
        if not np.isfinite(number).all():
            raise ValueDomainError(self.path, f"expected {self.what} as a finite number, got {number[~np.isfinite(number)][0]:g}")
        bad = np.zeros(number.shape, dtype=bool)
        if self.low is not None:
            bad |= number < self.low
        if self.high is not None:
            bad |= number > self.high
        if bad.any():
            bounds = limits.Range(self.low, self.high).words()
            raise ValueDomainError(self.path, f"expected {self.what} {bounds}, got {np.asarray(number)[bad].flat[0]:g}")


_STRUCTURE = ("is part of the model's structure (a month, a window, a duration, a year, an anciennitet mix, the "
              "refusion staircase, a-dagpenge's co-financing or the price index), not a number that can vary by row; "
              "change it in the file or with --set")


def _index_of(scenario: Scenario, listed: list, strategy: str, position: int) -> tuple[int, int]:
    """The strategy's index and the global index (E, P, F or G axis) of its ``position``-th effect, programme, ..."""
    k = scenario.strategy_names.index(strategy)
    return k, [i for i, (owner, _) in enumerate(listed) if owner == k][position]


@functools.lru_cache(maxsize=4096)
def slot(scenario: Scenario, path: str) -> Slot:
    """The place in :class:`Values` of the number a key path names; raises KeyPathError if there is none.

    Found once per scenario and path (a run of many draws asks again for every chunk).

    A key the file leaves out takes its default and may be named all the same (``scenario.discount_rate``,
    ``states.NAME.measures_cost``); a series (an inflow, investment, grant or programme's places) is named
    whole, or one entry by its year or month key as the file gives it.
    """
    from kikcalc import keypaths
    from kikcalc.scenario import band_range

    parts = keypaths.parse(path)
    path = keypaths.join(parts)
    raw, calendar = scenario.raw, scenario.calendar
    try:
        found = keypaths.get(raw, parts)
    except keypaths.KeyPathError:
        if not (len(parts) >= 2 and _has(raw, parts[:-1]) and parts[-1] in _DEFAULTED):
            raise
        found = None

    def series(field: str, before: tuple, after: tuple, strategy: int | None, spread: bool, carry: bool,
               rest: list, table, what: str, number_range: limits.Range, window: tuple[int, int] | None = None) -> Slot:
        if not rest:
            months, divisor = np.arange(calendar.months), 12.0 if spread else 1.0
        else:
            keys = list(table)
            owner = calendar.series_owners(keys, carry, 0 if window is None else window[0])
            months = np.flatnonzero(owner == keys.index(rest[0]))
            divisor = float(calendar.series_divisors([rest[0]], spread)[0])
        if window is not None:
            months = months[(months >= window[0]) & (months <= window[1])]
        return Slot(path, field, (*before, months, *after), strategy, divisor, what=what, **_bounds(number_range))

    match parts:
        case ("scenario", "discount_rate"):
            return Slot(path, "discount_rate", (), None, **_bounds(limits.SHARE), what="a yearly rate")
        case ("budget_guarantee", "share"):
            return Slot(path, "guarantee_share", (), None, **_bounds(limits.SHARE), what="a share")
        case ("states", name, ("initial" | "cost" | "measures_cost") as key):
            return Slot(path, key, (scenario.state_index(name),), None,
                        **_bounds(limits.PERSONS if key == "initial" else limits.KRONER_PER_PERSON),
                        what="a number of persons" if key == "initial" else "an amount in kr. per full-year person")
        case ("states", name, "inflow", *rest):
            return series("inflow", (), (scenario.state_index(name),), None, False, True, rest,
                          raw["states"][name].get("inflow", 0), "a number of persons per month", limits.PERSONS)
        case ("states", name, "payment_share", *rest) if scenario.states[scenario.state_index(name)].is_benefit:
            return series("payment_share", (), (scenario.state_index(name),), None, False, True, rest,
                          raw["states"][name].get("payment_share", 1), "a share of a full benefit", limits.SHARE)
        case ("states", name, "payment_share", *_):
            raise keypaths.KeyPathError(path, f'only a benefit state has a payment share; {name} is kind = "outside"')
        case ("transitions", int(i), ("probability" | "hazard" | "mean_months") as key, *rest):
            anc = scenario.anciennitet_months
            months = slice(None)
            if rest:
                low, top = band_range(rest[0])
                months = slice(min(low, anc - 1), anc if top is None else min(top + 1, anc))
            form = scenario.transitions[i].form
            return Slot(path, "rate", (i, months), None, **_bounds(_RATE_RANGE[form]), what=_RATE_WHAT[form])
        case ("strategies", name, "investment", *rest):
            return series("investment", (), (), scenario.strategy_names.index(name), True, False, rest,
                          raw["strategies"][name].get("investment", 0), "an amount in kr.", limits.KRONER)
        case ("strategies", name, "effects", int(e), key) if key not in _EFFECT_STRUCTURE:
            k, index = _index_of(scenario, scenario.effects, name, e)
            effect = scenario.effects[index][1]
            if effect.on == "rate" and effect.operation == "set":  # a new rate, in its transition's unit
                form = scenario.transitions[effect.transition].form
                return Slot(path, "effect", (index,), k, **_bounds(_RATE_RANGE[form]), what=_RATE_WHAT[form])
            number_range, what = limits.EFFECT_NUMBERS[(effect.on, effect.operation)]
            return Slot(path, "effect", (index,), k, **_bounds(number_range), what=what)
        case ("strategies", name, "programmes", int(p), key, *rest):
            k, index = _index_of(scenario, scenario.programmes, name, p)
            if key in ("cost_per_participant", "cost_per_month") and not rest:
                return Slot(path, key, (index,), k, **_bounds(limits.KRONER_PER_PERSON), what="an amount in kr.")
            if key == "dropout" and not rest:
                return Slot(path, "dropout", (index,), k, **_bounds(limits.SHARE), what="a monthly probability")
            if key == "outcomes" and len(rest) == 1:
                return Slot(path, "outcome", (index, scenario.state_index(rest[0])), k, **_bounds(limits.SHARE), what="a share")
            if key == "participants":
                return series("capacity", (index,), (), k, False, True, rest,
                              raw["strategies"][name]["programmes"][p]["participants"], "a number of new participants",
                              limits.PERSONS, window=scenario.programmes[index][1].window)
        case ("strategies", name, "flow_costs", int(f), ("amount" | "cap") as key):
            k, index = _index_of(scenario, scenario.flow_costs, name, f)
            if key == "amount":
                return Slot(path, "flow_amount", (index,), k, **_bounds(limits.KRONER_PER_MOVE), what="an amount in kr. per person")
            return Slot(path, "flow_cap", (index,), k, **_bounds(limits.CAP), what="a number of persons")
        case ("strategies", name, "grants", int(g), "amount", *rest):
            k, index = _index_of(scenario, scenario.grants, name, g)
            table = raw["strategies"][name]["grants"][g]
            if "paid" in table:
                return Slot(path, "grant", (index, np.array([calendar.index(parse_month(table["paid"]))])), k,
                            **_bounds(limits.KRONER), what="an amount in kr.")
            return series("grant", (index,), (), k, True, False, rest, table["amount"], "an amount in kr.", limits.KRONER)
        case ("targets", int(n), ("below" | "max" | "above" | "min")):
            return Slot(path, "threshold", (n,), None, **_bounds(limits.COUNT), what="a threshold")
        case ("targets", int(n), "npv_min"):
            return Slot(path, "threshold", (n,), None, **_bounds(limits.KRONER_TARGET), what="an amount in kr.")
    if isinstance(found, dict | list):
        raise keypaths.KeyPathError(path, "names a table or list; name one of its numbers")
    if isinstance(found, str | bool):  # a name, a label, a basis or a flag: no number at all, let alone structure
        raise keypaths.KeyPathError(path, f"is {'a text' if isinstance(found, str) else 'true or false'} "
                                          f"({keypaths.format_value(found)}), not a number")
    if parts[0] == "observed":
        raise keypaths.KeyPathError(path, "is an observation (what kikcalc calibrate and followup compare the model "
                                          "with), not a number of the model")
    raise keypaths.KeyPathError(path, _STRUCTURE)


def in_file_units(scenario: Scenario, place: Slot) -> np.ndarray:
    """The numbers the scenario holds at a slot (its strategy's row), in the file's units (a yearly amount
    for a series spread over its months)."""
    values = for_scenario(scenario)
    row = 0 if place.strategy is None else place.strategy
    return np.asarray(getattr(values, place.field)[(row, *place.index)], dtype=float) * place.divisor


def _bounds(number_range: limits.Range) -> dict[str, float | None]:
    """A Slot's ``low`` and ``high`` from the limits' range of its kind of number: one home for ranges."""
    return {"low": number_range.low, "high": number_range.high}


_RATE_RANGE = {"probability": limits.SHARE, "hazard": limits.HAZARD, "hazard per year": limits.HAZARD_PER_YEAR,
               "mean_months": limits.MEAN_MONTHS}
"""The range of a transition's number, by the form the file gives it in (as kikcalc.scenario reads it)."""

_RATE_WHAT = {"probability": "a monthly probability", "hazard": "a monthly hazard", "hazard per year": "a hazard per year",
              "mean_months": "a mean duration in months"}
"""What a transition's number is, by the form the file gives it in."""

_DEFAULTED = ("discount_rate", "initial", "cost", "measures_cost", "payment_share", "inflow", "investment", "cost_per_participant",
              "cost_per_month", "dropout")
"""Keys a file may leave out (taking their default) that a key path may still name."""
_EFFECT_STRUCTURE = ("start", "end", "ramp_months", "fade_months", "from", "to", "state")


def _has(raw: dict, parts: tuple) -> bool:
    from kikcalc import keypaths

    try:
        return isinstance(keypaths.get(raw, parts), dict)
    except keypaths.KeyPathError:
        return False


def assign(scenario: Scenario, values: Values, path: str, number: float | np.ndarray,
           rows: np.ndarray | None = None) -> Values:
    """The values with the number a key path names set, in the file's unit, on some rows.

    ``number``: one for all rows, or one per selected row. ``rows``: a boolean mask (R,) or None for
    every row; a number of one strategy is set on that strategy's rows only. A value set here means
    what it means written in the file: a yearly amount is spread over its year's months, a series
    entry covers the months its key covers. Raises KeyPathError (no such number) or ValueDomainError.
    """
    where = slot(scenario, path)
    chosen = np.ones(values.rows, dtype=bool) if rows is None else np.asarray(rows, dtype=bool).copy()
    if where.strategy is not None:
        chosen &= values.strategy == where.strategy
    given = np.asarray(number, dtype=float)
    if given.ndim > 1 or given.size not in (1, int(chosen.sum())):
        raise ValueDomainError(path, f"expected one number or {int(chosen.sum())} (one per row set), got "
                                     f"{given.size} in shape {given.shape}")
    number = np.broadcast_to(given.reshape(-1) if given.ndim else given, (int(chosen.sum()),))
    where.check(number)
    array = getattr(values, where.field).copy()
    _put(array, where, chosen, number, scale=False)
    return values.with_field(where.field, array)


def assign_per_row(scenario: Scenario, values: Values, settings: list[tuple[str, np.ndarray, bool]]) -> Values:
    """The values with many numbers set at once, each field copied once: for draws.

    ``settings``: (key path, numbers (R,) one per row, scale). A number of one strategy is set on
    that strategy's rows only (the others' numbers are ignored); a row whose number is NaN keeps
    what it holds. ``scale`` multiplies what the
    rows hold there (a whole series or band table) by the row's number instead of setting it.
    Numbers are not checked against their domain here: :mod:`kikcalc.uncertainty` checks the
    distributions they are drawn from.
    """
    if not settings:
        return values
    table = np.column_stack([np.asarray(numbers, dtype=float) for _, numbers, _ in settings])
    return assign_columns(scenario, values, [(path, scale) for path, _, scale in settings], table)


def assign_columns(scenario: Scenario, values: Values, settings: list[tuple[str, bool]], table: np.ndarray) -> Values:
    """:func:`assign_per_row` with the numbers as the columns of one table (R, len(settings)): setting i's
    numbers are ``table[:, i]``."""
    changed = {}
    for field, groups, members, by_factor in _plan(scenario, values, tuple((path, bool(scale)) for path, scale in settings)):
        held = getattr(values, field)
        if by_factor is not None and held.dtype == np.float64 and held.ndim > 1 and held.strides[0] == 0:
            array = _factored(held[0], by_factor, groups, values.strategy, table)
            if array is not None:
                changed[field] = array
                continue
        array = held.copy()
        if groups is None:  # in the order given: some may write the same place
            for where, i, scale in members:
                numbers = table[:, i]
                chosen = ~np.isnan(numbers) if where.strategy is None else (values.strategy == where.strategy) & ~np.isnan(numbers)
                _put(array, where, chosen, numbers[chosen], scale)
        for strategy, scale, divisor, at, place, group, columns in groups or ():
            numbers = table[:, columns]  # (R, k)
            rows = None if strategy is None else values.strategy == strategy
            if np.isnan(numbers if rows is None else numbers[rows]).any():  # a row that keeps what it holds: one by one
                for where, i, _ in group:
                    chosen = ~np.isnan(table[:, i]) if rows is None else rows & ~np.isnan(table[:, i])
                    _put(array, where, chosen, table[:, i][chosen], scale)
                continue
            _put_many(array, place, at, rows, numbers if rows is None else numbers[rows], divisor, scale)
        changed[field] = array
    return replace(values, **changed) if changed else values


def _factored(held: np.ndarray, at: int, groups: list, strategy_of_row: np.ndarray, table: np.ndarray) -> np.ndarray | None:
    """A field's array (R, ...) with its groups' numbers set, where every row held the same numbers ``held`` and
    each group's place is a whole sub-array at axis ``at`` (after the row axis): made as ``held`` with the set places
    at 1, times a table of factors (R, places) that holds each row's number (set), factor (scale), or 1, in one pass.
    x 1 is exact, and a factor multiplies what is held as scaling in place would: the same numbers. None where a
    number a row uses is NaN (that row keeps what it holds: :func:`assign_columns` writes one by one)."""
    rows = len(strategy_of_row)
    base = held.copy()
    factors = np.ones((rows, held.shape[at]))
    for strategy, scale, divisor, _, place, _, columns in groups:
        numbers = table[:, columns]
        index = place[at]
        if strategy is None:
            if np.isnan(numbers).any():
                return None
            factors[:, index] = numbers if scale else numbers / divisor
        else:
            owns = strategy_of_row == strategy
            if np.isnan(numbers[owns]).any():
                return None
            if scale:
                factors[:, index] = np.where(owns[:, None], numbers, 1.0)
            else:  # one number a place (the plan asks it): the other strategies' rows keep it as a factor
                factors[:, index] = np.where(owns[:, None], numbers / divisor, held[index])
        if not scale:
            base[place] = 1.0
    spread = factors.reshape(rows, *(held.shape[at] if j == at else 1 for j in range(held.ndim)))
    for j, size in enumerate(held.shape):  # each row's factors over the whole sub-arrays: one long pass below
        if j != at:
            spread = np.repeat(spread, size, axis=1 + j)
    return np.multiply(base, spread, out=spread)


_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _plan(scenario: Scenario, values: Values, settings: tuple[tuple[str, bool], ...]) -> list:
    """How :func:`assign_columns` writes some (key path, scale) settings, field by field: [(field, groups or None,
    [(slot, setting, scale)], at)], as :func:`_disjoint_groups` gives them, each group's place with its integers and its
    settings' columns; ``at`` the axis after the row axis where every group picks whole sub-arrays by one integer, each
    whole along every other axis (and, set on one strategy's rows, one number), for :func:`_factored`, else None;
    made once per scenario and settings (a run of many draws asks again for every chunk)."""
    known = _PLANS.setdefault(scenario, {})
    if settings in known:
        return known[settings]
    by_field: dict[str, list[tuple[Slot, int, bool]]] = {}
    for i, (path, scale) in enumerate(settings):
        where = slot(scenario, path)
        by_field.setdefault(where.field, []).append((where, i, scale))
    plan = []
    for field, members in by_field.items():
        shape = getattr(values, field).shape
        groups = _disjoint_groups(members, shape)
        by_factor = None
        if groups is not None:
            groups = [(strategy, scale, divisor, at,
                       (*index[:at], np.array([where.index[at] for where, _, _ in group]), *index[at + 1:]), group,
                       np.array([i for _, i, _ in group]))
                      for (strategy, scale, divisor, at, index), group in groups]
            ats = {at for _, _, _, at, _, _, _ in groups}
            whole = all(j == at or place[j] == slice(None) for _, _, _, at, place, _, _ in groups for j in range(len(place)))
            one_number = all(strategy is None or scale or len(shape) == 2 for strategy, scale, *_ in groups)
            if len(ats) == 1 and whole and one_number and all(len(place) == len(shape) - 1 for *_, place, _, _ in groups):
                by_factor = ats.pop()
        plan.append((field, groups, members, by_factor))
    known[settings] = plan
    return plan


def _disjoint_groups(settings: list[tuple[Slot, int, bool]], shape: tuple[int, ...]) -> list | None:
    """The settings of one field grouped by rows, scale, divisor and the form of their place, to be written a group
    at a time: [((strategy, scale, divisor, at, index), settings)], ``index`` the place with slices and None at
    position ``at``, where each setting's integer goes. None unless each place is one whole sub-array picked by one
    integer (slices elsewhere, a series' every month) and no two settings pick the same one: no two write one number."""
    groups: dict[tuple, list] = {}
    picked = set()
    for where, n, scale in settings:
        index = tuple(slice(None) if isinstance(i, np.ndarray) and _every(i, shape[1 + j]) else i
                      for j, i in enumerate(where.index))
        whole = [j for j, i in enumerate(index) if not isinstance(i, slice)]
        if len(whole) != 1 or not isinstance(index[whole[0]], int | np.integer):
            return None
        at = whole[0]
        if index[at] in picked:
            return None
        picked.add(index[at])
        pattern = tuple(None if j == at else (i.start, i.stop, i.step) for j, i in enumerate(index))  # slices: not hashable
        groups.setdefault((where.strategy, scale, where.divisor, at, pattern), []).append((where, n, scale))
    return [((strategy, scale, divisor, at, tuple(None if p is None else slice(*p) for p in pattern)), group)
            for (strategy, scale, divisor, at, pattern), group in groups.items()]


def _every(index: np.ndarray, length: int) -> bool:
    """Whether an index array picks every place of an axis, in order."""
    return index.ndim == 1 and len(index) == length and bool((index == np.arange(length)).all())


def _put_many(array: np.ndarray, place: tuple, at: int, rows: np.ndarray | None, numbers: np.ndarray, divisor: float,
              scale: bool) -> None:
    """Set (or with ``scale`` multiply) k places at once on some rows (None: all), in place: ``place`` indexes the
    array after the row axis with k integers at position ``at`` and slices elsewhere, ``numbers`` (rows, k)."""
    shape = (numbers.shape[0], *(numbers.shape[1] if j == at else 1 for j in range(array.ndim - 1)))
    numbers = numbers.reshape(shape)
    target = array if rows is None else array[rows]
    if scale:
        target[(slice(None), *place)] *= numbers
    else:
        target[(slice(None), *place)] = numbers / divisor
    if rows is not None:
        array[rows] = target


def _put(array: np.ndarray, where: Slot, chosen: np.ndarray, number: np.ndarray, scale: bool) -> None:
    """Set (or with ``scale`` multiply) the slot's place on the chosen rows of a field's array, in place."""
    if chosen.all():  # every row (a number of no one strategy): write in place, no copy of the rows
        _write(array, where, number, scale)
        return
    selected = array[chosen]
    _write(selected, where, number, scale)
    array[chosen] = selected


def _write(rows: np.ndarray, where: Slot, number: np.ndarray, scale: bool) -> None:
    """Set (or multiply) the slot's place on every row of ``rows``, one number a row, in place."""
    place = (slice(None), *where.index)
    shape = (-1, *([1] * (np.ndim(rows[place]) - 1)))
    if scale:
        rows[place] *= number.reshape(shape)
    else:
        rows[place] = (number / where.divisor).reshape(shape)
