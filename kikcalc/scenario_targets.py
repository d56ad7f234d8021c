"""Reading a scenario's targets: the committee's thresholds on persons, shares, flows, programmes and money.

Called by :func:`kikcalc.scenario.build` with its :class:`~kikcalc.scenario_reader.Reader`, so every
problem is reported at its key path (``targets[0].max``).
"""

from __future__ import annotations

from typing import Any

from kikcalc import limits
from kikcalc.calendar import Calendar, format_month
from kikcalc.scenario_labels import read_as
from kikcalc.scenario_reader import Reader, any_missing, describe, join, read_window
from kikcalc.spec import Comparison, Target

_COMPARISONS = ("below", "max", "above", "min")
_TARGET_KEYS = (
    "name", "label", "states", "share_of", "flow_from", "flow_to", "programme", "at", "year", "by", "start", "end",
    *_COMPARISONS, "payback_by", "npv_min", "measure", "payer",
)
_YEARS = limits.Range(0, 9999)  # a YYYY month's year; the horizon says which


def read_targets(reader: Reader, raw: Any, calendar: Calendar, names: list[str]) -> list[Target] | None:
    if not isinstance(raw, list):
        reader.problem("targets", f"expected a list of [[targets]] tables, got {describe(raw)}")
        return None
    targets: list[Target] = []
    seen: dict[str, str] = {}  # read_as(name): the name as first written
    ok = True
    for i, body in enumerate(raw):
        target = _target(reader, body, join("targets", i), calendar, names)
        if target is not None and read_as(target.name) in seen:  # a name names a row of `targets`: t1 and T1 look alike
            first = seen[read_as(target.name)]
            same = "" if first == target.name else f' (as "{first}": target names are compared ignoring case and spaces)'
            reader.problem(join(join("targets", i), "name"), f'a second target named "{target.name}"{same}; names must differ')
            target = None
        if target is None:
            ok = False
            continue
        seen[read_as(target.name)] = target.name
        targets.append(target)
    return targets if ok else None


def _target(reader: Reader, body: Any, path: str, calendar: Calendar, names: list[str]) -> Target | None:
    table = reader.table(body, path, _TARGET_KEYS, required=("name",))
    if table is None or "name" not in table:
        return None
    name = reader.string(table["name"], join(path, "name"), visible=True)
    if name is not None and name != name.strip():  # "t1 " prints as "t1": a name is an identifier, spaces are no part of it
        reader.problem(join(path, "name"), f'"{name}" has a space at its {"start" if name[:1].isspace() else "end"}; '
                                           f"delete it: a target's name is a short identifier")
        name = None
    label = reader.label(table, table["name"], join(path, "label"))
    if name is None or label is None:
        return None
    common = {"name": name, "label": label}
    if "payback_by" in table or "npv_min" in table:
        money = [k for k in ("payback_by", "npv_min") if k in table]
        extra = [k for k in table if k not in ("name", "label", "payer", *money)]  # payer: kikcalc.scenario_public
        if len(money) > 1 or extra:  # measure too: a money target has none
            reader.problem(path, f"a money target takes payback_by or npv_min alone, got {', '.join(money + extra)}")
            return None
        if "payback_by" in table:
            month = reader.month(table["payback_by"], join(path, "payback_by"), calendar)
            return None if month is None else Target(kind="payback", comparison="max", threshold=calendar.index(month),
                                                     month=calendar.index(month), when="by", **common)
        npv = reader.number(table["npv_min"], join(path, "npv_min"), limits.KRONER_TARGET, what="an amount in kr.")
        return None if npv is None else Target(kind="npv", comparison="min", threshold=npv, **common)

    comparisons = [k for k in _COMPARISONS if k in table]
    if len(comparisons) != 1:
        reader.problem(path, "expected exactly one of below, max, above, min"
                       + (f", got {' and '.join(comparisons)}" if comparisons else ""))
        return None
    comparison = comparisons[0]
    threshold = reader.number(table[comparison], join(path, comparison), limits.COUNT, what="a threshold")

    if "programme" in table:
        return _programme_target(reader, table, path, calendar, names, comparison, threshold, common)
    if "flow_from" in table or "flow_to" in table:
        missing = [k for k in ("flow_from", "flow_to") if k not in table]
        for k in missing:
            reader.problem(join(path, k), "missing; a flow target needs flow_from and flow_to")
        stray = [k for k in ("states", "share_of", "at", "year", "by", "measure") if k in table]
        for k in stray:
            reader.problem(join(path, k), "not used by a flow target (flow_from, flow_to, start, end)")
        if missing or stray:
            return None
        flow_from = reader.state_names(table["flow_from"], join(path, "flow_from"), names)
        flow_to = reader.state_names(table["flow_to"], join(path, "flow_to"), names)
        window = read_window(reader, table, path, calendar)
        if any_missing(flow_from, flow_to, window, threshold):
            return None
        return Target(kind="flow", comparison=comparison, threshold=threshold, flow_from=flow_from, flow_to=flow_to,
                      when="window", first=window[0], month=window[1], **common)

    if "states" not in table:
        reader.problem(join(path, "states"), "missing; a level or share target needs the states it counts")
        return None
    states = reader.state_names(table["states"], join(path, "states"), names)
    share_of = None
    if "share_of" in table:
        share_of = reader.state_names(table["share_of"], join(path, "share_of"), names)
        if share_of is None:
            return None
    whens = [k for k in ("at", "year", "by") if k in table] + (["start/end"] if "start" in table or "end" in table else [])
    if len(whens) != 1:
        reader.problem(path, "expected exactly one of at (a month), year, by (a month) or start and end (a window)"
                       + (f", got {' and '.join(whens)}" if whens else ""))
        return None
    when = whens[0]
    month = year = first = None
    if when == "start/end":
        missing = [k for k in ("start", "end") if k not in table]
        for k in missing:
            reader.problem(join(path, k), "missing; a window needs both start and end")
        window = None if missing else read_window(reader, table, path, calendar)
        if window is None:
            return None
        when, (first, month) = "window", window
    elif when == "year":
        year_value = reader.number(table["year"], join(path, "year"), _YEARS, integer=True, what="a year (such as 2021)")
        if year_value is None:
            return None
        year = int(year_value)
        if year not in calendar.year_list:
            reader.problem(join(path, "year"), f"year {year} is outside the horizon "
                                                f"{format_month(calendar.start)} to {format_month(calendar.end)}")
            return None
    else:
        month_number = reader.month(table[when], join(path, when), calendar)
        if month_number is None:
            return None
        month = calendar.index(month_number)
    if states is None or threshold is None:
        return None
    if share_of is not None and threshold is not None and not 0 <= threshold <= 1:
        reader.problem(join(path, comparison), f"a share target's threshold is a share between 0 and 1, got {limits.show(threshold)}")
        return None
    measure = reader.string(table.get("measure", "full_time"), join(path, "measure"), choices=("full_time", "persons", "economic"))
    if measure is None:
        return None
    if measure == "persons" and share_of is not None:
        reader.problem(join(path, "measure"), "a share target compares full-time persons; measure = \"persons\" is for a "
                                               "level target")
        return None
    if measure == "persons" and when == "year":
        reader.problem(join(path, "measure"), "persons over a year is ambiguous: a headcount is at a month's end; use "
                                               "at (a month), by or start and end, or full-time persons over the year")
        return None
    return Target(kind="share" if share_of is not None else "level", comparison=comparison, threshold=threshold,
                  states=states, share_of=share_of or (), when=when, month=month, first=first, year=year, measure=measure,
                  **common)


def _programme_target(reader: Reader, table: dict, path: str, calendar: Calendar, names: list[str],
                      comparison: Comparison, threshold: float | None, common: dict) -> Target | None:
    """The share of a programme's leavers in a window who went to the ``flow_to`` states."""
    if "flow_to" not in table:
        reader.problem(join(path, "flow_to"), "missing; a programme target needs the outcome states it counts as a success")
    stray = [k for k in ("states", "share_of", "flow_from", "at", "year", "by", "measure") if k in table]
    for k in stray:
        reader.problem(join(path, k), "not used by a programme target (programme, flow_to, start, end)")
    if stray or "flow_to" not in table:
        return None
    programme = reader.string(table["programme"], join(path, "programme"))
    flow_to = reader.state_names(table["flow_to"], join(path, "flow_to"), names)
    window = read_window(reader, table, path, calendar)
    if any_missing(programme, flow_to, window, threshold):
        return None
    if not 0 <= threshold <= 1:
        reader.problem(join(path, comparison), f"a programme target's threshold is a share of leavers between 0 and 1, "
                                                f"got {limits.show(threshold)}")
        return None
    return Target(kind="programme", comparison=comparison, threshold=threshold, flow_to=flow_to, programme=programme,
                  when="window", first=window[0], month=window[1], **common)
