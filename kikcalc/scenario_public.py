"""Reading a scenario's public-finance keys: prices, a-dagpenge's co-financing, and who pays.

Called once from :func:`kikcalc.scenario._build`, with its reader, so problems are reported as every
other key's are (file, key path, what was expected, the nearest key for a typo). The keys:

- ``[prices]``: ``base_year`` (the price year of the file's amounts), ``index`` (a price index by
  year, any base) or ``growth`` (a yearly rate), and ``in_current_prices`` (lines the file gives in
  each year's own kroner);
- ``[cofinancing.a-dagpenge]``: ``municipal_share``, one share per band of ``[refusion]``'s weeks;
  ``states.NAME.cofinancing = "a-dagpenge"`` marks a state as paid by the state and co-financed;
- ``strategies.NAME.grants[i].payer``: ``"state"`` (default) or ``"other"`` (a fund);
- ``targets[i].payer`` on an ``npv_min`` target: ``"municipality"`` (default), ``"state"`` or ``"public"``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from kikcalc import keypaths, limits
from kikcalc.calendar import YEAR_RE, Calendar, format_month
from kikcalc.spec import PRICED_LINES, Cofinancing, Prices, Refusion, Strategy, Target

PRICES_KEYS = ("base_year", "index", "growth", "in_current_prices")
COFINANCING_RULES = ("a-dagpenge",)
COFINANCING_KEYS = ("municipal_share",)
PAYERS = ("municipality", "state", "public")
GRANT_PAYERS = ("state", "other")
CURRENT_PRICE_LINES = PRICED_LINES[2:]
"""Lines that may be given in current prices: amounts paid in a year (a cost per person is a rate in the base year's prices)."""

PRICE_INDEX = limits.Range(0.001, 1_000_000)
"""A price index number (any base: 100, 1 or 1000 in the base year)."""
GROWTH = limits.Range(-0.5, 1.0)
"""A yearly growth rate of prices (0.02 for 2 %)."""
_YEARS = limits.Range(1, 9999)
GROWTH_LEVEL = limits.PRICE_LEVEL


def read(reader: Any, raw: dict, calendar: Calendar, refusion: Refusion | None, strategies: list[Strategy] | None,
         targets: list[Target] | None) -> tuple[Prices | None, Cofinancing | None, list[Strategy] | None, list[Target] | None]:
    """The [prices] and co-financing of a file, and its strategies and targets with their payers set.

    ``reader`` is :class:`kikcalc.scenario_reader.Reader`; anything that could not be read is None (its
    problem recorded). Strategies or targets already None stay None.
    """
    prices = _prices(reader, raw.get("prices"), calendar) if "prices" in raw else None
    cofinancing = _cofinancing(reader, raw, refusion)
    strategies = _grant_payers(reader, raw.get("strategies"), strategies)
    targets = _target_payers(reader, raw.get("targets"), targets)
    return prices, cofinancing, strategies, targets


def _join(path: str, key: str | int) -> str:
    return keypaths.child(path, key)


def _prices(reader: Any, raw: Any, calendar: Calendar) -> Prices | None:
    table = reader.table(raw, "prices", PRICES_KEYS, required=("base_year",))
    if table is None or "base_year" not in table:
        return None
    base = reader.number(table["base_year"], "prices.base_year", _YEARS, integer=True, what="a year (such as 2021)")
    given = [k for k in ("index", "growth") if k in table]
    if len(given) != 1:
        reader.problem("prices", "expected exactly one of index (a price index by year) or growth (a yearly rate)"
                       + (", got index and growth" if given else ""))
        return None
    lines: tuple[str, ...] = ()
    if "in_current_prices" in table:
        lines = _line_names(reader, table["in_current_prices"])
        if lines is None:
            return None
    if base is None:
        return None
    base = int(base)
    years = calendar.years
    if "growth" in table:
        growth = reader.number(table["growth"], "prices.growth", GROWTH, what="a yearly rate (0.02 for 2 %)")
        if growth is None:
            return None
        with np.errstate(over="ignore", divide="ignore"):
            level = (1.0 + growth) ** (years - base).astype(float)
        far = [(int(y), float(v)) for y, v in zip(years, level, strict=True) if not GROWTH_LEVEL.holds(v)]
        if far:
            year, times = far[0]
            reader.problem("prices.base_year", f"with growth {growth:g} a year from the base year {base}, prices in {year} are "
                           f"{times:.3g} times the base year's; expected a base year near the horizon "
                           f"{calendar.labels[0]} to {calendar.labels[-1]}, where the price level is between "
                           f"{GROWTH_LEVEL.low:g} and {GROWTH_LEVEL.high:g} times the base year's (a typo such as 201 for 2021?)")
            return None
    else:
        by_year = _index(reader, table["index"], calendar, base)
        if by_year is None:
            return None
        level = np.array([by_year[y] for y in years]) / by_year[base]
    return Prices(base_year=base, level=level, in_current_prices=lines)


def _index(reader: Any, raw: Any, calendar: Calendar, base: int) -> dict[int, float] | None:
    """An index by year ``{ 2021 = 100.0, 2022 = 101.9 }`` covering the base year and every year of the horizon."""
    path = "prices.index"
    if not isinstance(raw, dict) or not raw:
        reader.problem(path, f"expected a table of index numbers by year, such as {{ 2021 = 100.0, 2022 = 101.9 }}, "
                             f"got {'an empty table' if raw == {} else _describe(raw)}")
        return None
    by_year: dict[int, float] = {}
    ok = True
    for key, item in raw.items():
        where = _join(path, key)
        value = reader.number(item, where, PRICE_INDEX, what="an index number")
        if not YEAR_RE.match(key):
            reader.problem(where, 'expected a year such as "2021" as the key')
            ok = False
        elif value is not None:
            by_year[int(key)] = value
        else:
            ok = False
    if not ok:
        return None
    needed = sorted({base, *calendar.year_list})
    missing = [y for y in needed if y not in by_year]
    if missing:
        reader.problem(path, f"no index for {', '.join(map(str, missing))}; the index must cover the base year "
                             f"{base} and every year of the horizon {format_month(calendar.start)} to "
                             f"{format_month(calendar.end)}")
        return None
    return by_year


def _line_names(reader: Any, raw: Any) -> tuple[str, ...] | None:
    path = "prices.in_current_prices"
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        reader.problem(path, f"expected a list of lines, such as [\"investment\", \"grants\"], got {_describe(raw)}")
        return None
    for i, name in enumerate(raw):
        if reader.string(name, _join(path, i), CURRENT_PRICE_LINES) is None:
            if name in PRICED_LINES:
                reader.problems[-1] = type(reader.problems[-1])(
                    _join(path, i), f"{name} is a rate per full-year person, stated in the base year's prices; "
                                    f"expected one of {', '.join(CURRENT_PRICE_LINES)}")
            return None
        if name in raw[:i]:
            reader.problem(_join(path, i), f'"{name}" is named twice in this list')
            return None
    return tuple(raw)


def _cofinancing(reader: Any, raw: dict, refusion: Refusion | None) -> Cofinancing | None:
    shares: tuple[float, ...] | None = Cofinancing().municipal_share
    given, ok = False, True
    if "cofinancing" in raw:
        rules = reader.table(raw["cofinancing"], "cofinancing", COFINANCING_RULES)  # a typo gets the nearest rule
        ok = rules is not None and all(k in COFINANCING_RULES for k in rules)
        body = rules.get("a-dagpenge") if isinstance(rules, dict) else None
        if body is not None:
            table = reader.table(body, "cofinancing.a-dagpenge", COFINANCING_KEYS)
            ok &= table is not None and all(k in COFINANCING_KEYS for k in table)
            if isinstance(table, dict) and "municipal_share" in table:
                shares, given = _shares(reader, table["municipal_share"], refusion), True
                ok &= shares is not None
    states = _marked_states(reader, raw.get("states"))
    if states and not given and refusion is not None and len(refusion.band_end_weeks) + 1 != len(shares):
        reader.problem("cofinancing.a-dagpenge.municipal_share",
                       f"missing; [refusion] has {len(refusion.band_end_weeks) + 1} bands, so a-dagpenge's co-financing "
                       f"needs one municipal share per band (the default has {len(shares)})")
        ok = False
    if states is None or not ok:
        return None
    return Cofinancing(municipal_share=shares, states=states)


def _shares(reader: Any, raw: Any, refusion: Refusion | None) -> tuple[float, ...] | None:
    path = "cofinancing.a-dagpenge.municipal_share"
    if not isinstance(raw, list) or not raw:
        reader.problem(path, f"expected a list of shares between 0 and 1, one per band of [refusion] "
                             f"(such as [0.2, 0.6, 0.7, 0.8]), got {'an empty list' if raw == [] else _describe(raw)}")
        return None
    values = [reader.number(x, _join(path, i), limits.SHARE, what="a share") for i, x in enumerate(raw)]
    if any(v is None for v in values):
        return None
    if refusion is not None and len(values) != len(refusion.band_end_weeks) + 1:
        reader.problem(path, f"expected {len(refusion.band_end_weeks) + 1} shares, one per band of [refusion]'s "
                             f"band_end_weeks (the last open-ended), got {len(values)}")
        return None
    return tuple(values)


def _marked_states(reader: Any, raw: Any) -> tuple[str, ...] | None:
    """The states marked ``cofinancing = "a-dagpenge"``: benefit states without a refusion of their own."""
    if not isinstance(raw, dict):
        return ()
    marked, ok = [], True
    for name, body in raw.items():
        if not isinstance(body, dict) or "cofinancing" not in body:
            continue
        path = _join(_join("states", name), "cofinancing")
        rule = reader.string(body["cofinancing"], path, COFINANCING_RULES)
        if rule is None:
            ok = False
        elif body.get("kind", "benefit") == "outside":
            reader.problem(path, 'only a benefit state has this; this state is kind = "outside"')
            ok = False
        elif body.get("cost_basis") == "gross":
            reader.problem(path, 'a co-financed state is paid by the state, which has no refusion to give back: its cost '
                                 'is the gross benefit and the municipality pays its co-financing; leave out '
                                 'cost_basis = "gross"')
            ok = False
        else:
            marked.append(name)
    return tuple(marked) if ok else None


def _grant_payers(reader: Any, raw: Any, strategies: list[Strategy] | None) -> list[Strategy] | None:
    payers: dict[tuple[str, int], str] = {}
    ok = True
    for name, body in (raw or {}).items() if isinstance(raw, dict) else ():
        grants = body.get("grants") if isinstance(body, dict) else None
        for i, grant in enumerate(grants if isinstance(grants, list) else ()):
            if isinstance(grant, dict) and "payer" in grant:
                where = _join(_join(_join(_join("strategies", name), "grants"), i), "payer")
                payer = reader.string(grant["payer"], where, GRANT_PAYERS)
                ok &= payer is not None
                payers[(name, i)] = payer
    if strategies is None or not ok:
        return None
    return [dataclasses.replace(s, grants=tuple(dataclasses.replace(g, payer=payers.get((s.name, i), "state"))
                                                for i, g in enumerate(s.grants))) for s in strategies]


def _target_payers(reader: Any, raw: Any, targets: list[Target] | None) -> list[Target] | None:
    payers: dict[int, str] = {}
    ok = True
    for i, body in enumerate(raw if isinstance(raw, list) else ()):
        if not isinstance(body, dict) or "payer" not in body:
            continue
        path = _join(_join("targets", i), "payer")
        payer = reader.string(body["payer"], path, PAYERS)
        if payer is not None and "npv_min" not in body:
            reader.problem(path, "only a net present value target (npv_min) names a payer; a target on persons counts "
                                 "persons, and payback_by is judged on the municipality's money")
            payer = None
        ok &= payer is not None
        payers[i] = payer
    if targets is None or not ok:
        return None
    return [dataclasses.replace(t, payer=payers.get(i, "municipality")) for i, t in enumerate(targets)]


def _describe(value: Any) -> str:
    from kikcalc.scenario_reader import describe

    return describe(value)
