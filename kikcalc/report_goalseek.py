"""Report formats of ``kikcalc solve``: a :class:`~kikcalc.goalseek.Solution` laid out, no model number computed.

The table (CSV, a workbook's first sheet) has one row per point reported: each crossing (the
value found, and the target in a run with it set as if the file said so), or, when no value in the
search changes the verdict, its two ends and its best (never met) or least (met throughout) margin.
The JSON holds the same with the search and the scan that found it (docs/output-columns.md).
"""

from __future__ import annotations

import pandas as pd

from kikcalc import locale as loc
from kikcalc.formats._text import price_line
from kikcalc.goalseek import Point, Solution
from kikcalc.report import (
    CSV_FORMATS,
    _csv,
    _grid,
    _heading,
    _line,
    _margin,
    _records,
    _target_value,
    _title,
    to_json,
    verdict_word,
    workbook,
)
from kikcalc.tables import set_lines, set_notes, set_records

_SYMBOL = {"below": "<", "max": "<=", "above": ">", "min": ">="}


def _number(x: float) -> str:
    """A value of the number varied: six significant digits, thousands separated, in the command's locale."""
    return loc.significant(x)


def unit(solution: Solution) -> str:
    """The unit of the quantity solved: the target's, or kr. for a payback target (solved on the cumulative net saving)."""
    target = solution.problem.target
    return "kr." if target.kind == "payback" else target.unit


def comparison(solution: Solution) -> str:
    """below, max, above or min: how the quantity solved is held against its threshold."""
    target = solution.problem.target
    return "min" if target.kind == "payback" else target.comparison


def quantity(solution: Solution) -> str:
    """What the margin is taken of, in words."""
    problem = solution.problem
    target, labels = problem.target, problem.scenario.calendar.labels
    states = ", ".join(target.states)
    best = "lowest" if target.comparison in ("below", "max") else "highest"

    def when(measure: str, article: str = "") -> str:
        if target.when == "at":
            joint = " " if measure.endswith("end of") else " in "
            return f"{article}{measure}{joint}{labels[target.month]}"
        if target.when == "year":
            return f"{article}{measure} in {target.year}"
        if target.when == "by":
            return f"the {best} {measure} in any month up to {labels[target.month]}"
        return f"the {best} {measure} in any month from {labels[target.first]} to {labels[target.month]}"

    if target.kind == "level" and target.measure == "persons":
        return when(f"persons in {states} at the end of the month" if target.when != "at" else f"persons in {states} at the end of")
    if target.kind == "level":
        economic = "economic " if target.measure == "economic" else ""
        return when(f"{economic}full-year persons in {states}" if target.when == "year" else f"{economic}full-time persons in {states}")
    if target.kind == "share":
        return when(f"share in {', '.join(target.share_of)} of the persons in {states}", "the ")
    if target.kind == "flow":
        return (f"persons moved from {', '.join(target.flow_from) or 'anywhere'} to {', '.join(target.flow_to)} "
                f"from {labels[target.first]} to {labels[target.month]}")
    if target.kind == "programme":
        return (f"the share of programme {target.programme}'s leavers from {labels[target.first]} to {labels[target.month]} "
                f"who went to {', '.join(target.flow_to)}")
    if target.kind == "payback":
        month = int(target.threshold)
        if month == len(labels) - 1:
            return f"the cumulative net saving in {labels[month]}, the last month, kr."
        return f"the lowest cumulative net saving from {labels[month]} on, kr."
    return "the net present value of the net saving, kr."


def _value(solution: Solution, value: float) -> str:
    return _target_value(value, unit(solution))


def _threshold(solution: Solution, threshold: float) -> str:
    return f"{_SYMBOL[comparison(solution)]} {_value(solution, threshold)}"


def _searched(solution: Solution) -> str:
    return f"{_number(solution.low)} to {_number(solution.high)}"


def header_lines(solution: Solution, fmt: str) -> list[str]:
    problem = solution.problem
    s, target, where = problem.scenario, problem.target, problem.slot
    strategy = s.strategy_names[problem.strategy]
    if problem.in_file == "number":
        in_file = f"file: {_number(problem.start)}"
    elif problem.in_file == "table":
        in_file = f"the file gives a table here, {_number(problem.start)} on average; each value tried replaces it whole"
    else:
        in_file = f"not in the file; its default is {_number(problem.start)}"
    how = ("--between" if solution.given
           else "the whole domain" if where.natural_low is not None and where.natural_high is not None
           else "around the file's value, widened while the verdict stays the same")
    scanned = solution.scan
    payback = (f" (payback by {s.calendar.labels[int(target.threshold)]}: it stays at least 0 from then on)"
               if target.kind == "payback" and int(target.threshold) < s.calendar.months - 1 else "")
    lines = [f"{s.name}: {loc.phrase('solve')}",
             f"Target: {target.name} ({target.label}), strategy {strategy}",
             f"Solved on: {quantity(solution)} {_threshold(solution, float(scanned.threshold[scanned.usable][0]))}{payback}",
             f"Varying: {where.path}, {where.what} ({in_file})",
             f"Searched: {_searched(solution)} ({how}): {len(scanned.number)} values in one run, then Brent's method "
             f"around each change of sign"]
    left_out = scanned.number[~scanned.usable]
    if left_out.size:
        span = (f"at {_number(left_out.min())}" if left_out.min() == left_out.max()
                else f"from {_number(left_out.min())} to {_number(left_out.max())}")
        lines.append(f"Left out: {left_out.size} of the {len(scanned.number)} values, {span}: leaving a state would be more "
                     f"likely than 1, a rate would leave its domain, or the target would have nothing to count")
    if s.prices is not None:  # --prices: which kroner the margins and values are in
        lines.append(price_line(s))
    lines.extend(f"Set: {line}" for line in set_lines(s))
    return [_title(lines[0], fmt), *(_line(words, fmt) for words in lines[1:])]


def notes(solution: Solution) -> list[str]:
    """The header's lines for a CSV (on standard error) and a workbook's notes sheet, a value set as ``set ...``
    (docs/output-columns.md), as every command writes it there."""
    return [*(line for line in header_lines(solution, "table")[1:] if not line.startswith("Set: ")),
            *set_notes(solution.problem.scenario)]


def _met_spans(solution: Solution) -> str:
    """Where the target is met among the values searched, from the crossings: "from 0.05 to 0.19"."""
    crossings = solution.crossings
    start = solution.low if crossings and not crossings[0].met_above else None
    spans = []
    for crossing in crossings:
        if crossing.met_above:
            start = crossing.number
        else:
            spans.append(f"from {_number(solution.low if start is None else start)} to {_number(crossing.number)}")
            start = None
    if start is not None:
        spans.append(f"from {_number(start)} to {_number(solution.high)}")
    return " and ".join(spans)


def finding(solution: Solution) -> str:
    """The answer in a sentence or three."""
    path, crossings = solution.problem.path, solution.crossings
    step = (solution.high - solution.low) / (len(solution.scan.number) - 1)
    unseen = (f" A pair of crossings closer together than the scan's step ({step:.3g}) would not be seen; "
              f"--between LO HI searches a narrower range.")
    if solution.status != "solved" and solution.flat:
        margin, what = _margin(solution.ends[0].margin, unit(solution)), "meets" if solution.status == "never_met" else "misses"
        if solution.given:  # a range given may be too narrow to see the target move
            return (f"The target does not move with {path} from {_searched(solution)}: the margin is {margin} at every "
                    f"value, so no value there {what} the target. Search a wider range with --between, or vary a number "
                    f"the target depends on.")
        return (f"The target does not depend on {path}: the margin is {margin} at every value from {_searched(solution)}, "
                f"so no value of it {what} the target. Vary a number the target depends on.")
    if solution.status == "never_met":
        best = solution.best
        return (f"No value of {path} from {_searched(solution)} meets the target: the best margin is "
                f"{_margin(best.margin, unit(solution))}, at {_number(best.number)}.")
    if solution.status == "always_met":
        low, high = solution.ends
        least = solution.least
        return (f"Every value of {path} from {_searched(solution)} meets the target: the margin is "
                f"{_margin(low.margin, unit(solution))} at {_number(low.number)} and {_margin(high.margin, unit(solution))} "
                f"at {_number(high.number)}; the least is {_margin(least.margin, unit(solution))}, at {_number(least.number)}.")
    lines = []
    if len(crossings) == 1:
        crossing = crossings[0]
        above, below = ("above", "below") if crossing.met_above else ("below", "above")
        lines.append(f"{path} = {_number(crossing.number)}")
        lines.append(f"The target is met {above} this value and missed {below} it, from {_searched(solution)}.")
        if not solution.monotone:
            lines.append("The target's value is not monotone in the number over the search." + unseen)
    else:
        lines.append(f"{path} puts the target at its threshold at {len(crossings)} values from {_searched(solution)}: "
                     f"the target's value is not monotone in it. The target is met {_met_spans(solution)}." + unseen)
    for crossing in crossings:
        if crossing.jump is not None:
            below, above = crossing.jump
            lines.append(f"At {_number(crossing.number)} the margin jumps from {_margin(below, unit(solution))} to "
                         f"{_margin(above, unit(solution))} (a grant paid only if a target is met makes such a step): "
                         f"no value puts the target exactly at its threshold.")
    return "\n".join(lines)


def _point_rows(solution: Solution) -> list[tuple[str, Point, bool | None]]:
    """(what the point is, the point, met above it) for each row of the table."""
    if solution.status == "solved":
        return [(f"crossing {i + 1}", c.check, c.met_above) for i, c in enumerate(solution.crossings)]
    low, high = solution.ends
    extreme = ("best", solution.best) if solution.status == "never_met" else ("least", solution.least)
    return [("lowest value", low, None), ("highest value", high, None), (*extreme, None)]


def frame(solution: Solution) -> pd.DataFrame:
    """One row per point reported: the crossings (checked by a run of their own) or the search's ends and best/least."""
    problem = solution.problem
    s, target = problem.scenario, problem.target
    labels = s.calendar.labels
    jumps = {f"crossing {i + 1}": c.jump for i, c in enumerate(solution.crossings)}
    money = target.kind in ("payback", "npv")
    rows = []
    for point_name, point, met_above in _point_rows(solution):
        jump = jumps.get(point_name)
        rows.append({
            "scenario": s.name, "file": s.path, "target": target.name, "strategy": s.strategy_names[problem.strategy],
            "key_path": problem.path, "status": solution.status, "point": point_name, "number": point.number,
            "met_above": met_above, "jump": None if point_name not in jumps else jump is not None,
            "value": point.value, "unit": unit(solution), "comparison": comparison(solution), "threshold": point.threshold,
            "margin": point.margin, "met": point.met,
            "payback_month": labels[point.payback_month] if money and point.payback_month >= 0 else None,
            "searched_from": solution.low, "searched_to": solution.high, "value_in_file": problem.value_in_file,
        })
    table = pd.DataFrame(rows, columns=["scenario", "file", "target", "strategy", "key_path", "status", "point", "number",
                                        "met_above", "jump", "value", "unit", "comparison", "threshold", "margin", "met",
                                        "payback_month", "searched_from", "searched_to", "value_in_file"])
    table.attrs["exact"] = EXACT
    return table


EXACT = ("number", "searched_from", "searched_to", "value_in_file")
"""Columns of values of the number varied, written in full: a solved value rounded to 6 decimals (or to
the øre in a row in kr.) would not reproduce the crossing."""


def scan_frame(solution: Solution) -> pd.DataFrame:
    """The last scan: every value tried, the quantity solved and its margin there."""
    scanned = solution.scan
    table = pd.DataFrame({"number": scanned.number, "value": scanned.value, "threshold": scanned.threshold,
                          "margin": scanned.margin, "met": scanned.met, "can_run": scanned.usable})
    table.attrs["exact"] = EXACT
    table.attrs["units"] = dict.fromkeys(["value", "threshold", "margin"], unit(solution))  # the target's, as the solve sheet
    return table


def _json(solution: Solution) -> dict:
    problem = solution.problem
    s, target, where = problem.scenario, problem.target, problem.slot
    points = frame(solution).drop(columns=["scenario", "file", "target", "strategy", "key_path", "status", "searched_from",
                                           "searched_to", "value_in_file"])
    return {
        "scenario": {"name": s.name, "file": s.path},
        "set": set_records(s),
        "target": {"name": target.name, "label": target.label, "kind": target.kind, "strategy": s.strategy_names[problem.strategy],
                   "solved_on": quantity(solution), "unit": unit(solution), "comparison": comparison(solution)},
        "vary": {"key_path": problem.path, "what": where.what, "value_in_file": problem.value_in_file,
                 "limits": {"low": where.low, "high": where.high}},
        "searched": {"from": solution.low, "to": solution.high, "given": solution.given, "values": len(solution.scan.number)},
        "status": solution.status,
        "monotone": solution.monotone,
        "flat": solution.flat,
        "runs": solution.runs,
        "solutions": [{"number": c.number, "met_above": c.met_above,
                       "jump": None if c.jump is None else {"margin_below": c.jump[0], "margin_above": c.jump[1]}}
                      for c in solution.crossings],
        "points": _records(points),
        "scan": scan_frame(solution).to_dict(orient="list"),
    }


def document(solution: Solution, fmt: str) -> str | bytes:
    """The ``kikcalc solve`` report in one of the formats (bytes for xlsx)."""
    if fmt == "json":
        return to_json(_json(solution))
    if fmt in CSV_FORMATS:
        return _csv(frame(solution), fmt)
    if fmt == "xlsx":
        return workbook({"solve": frame(solution), "scan": scan_frame(solution)},
                        notes=[*notes(solution), *finding(solution).splitlines()])
    path = solution.problem.path
    if solution.status == "solved":
        heading = loc.phrase("Check: the scenario run again with the value set as if the file said so")
        rows = [[str(i + 1), _number(c.number), loc.phrase("above it" if c.met_above else "below it"), _value(solution, c.check.value),
                 _threshold(solution, c.check.threshold), _margin(c.check.margin, unit(solution))]
                for i, c in enumerate(solution.crossings)]
        headers = ["#", path, *map(loc.phrase, ["target met", "value", "threshold", "margin"])]
    else:
        heading = loc.phrase("The target in the search")
        rows = [[name, _number(p.number), _value(solution, p.value), _threshold(solution, p.threshold),
                 _margin(p.margin, unit(solution)), verdict_word(p.met, loc.current())] for name, p, _ in _point_rows(solution)]
        headers = ["", path, *map(loc.phrase, ["value", "threshold", "margin", "verdict"])]
    parts = ["\n".join(header_lines(solution, fmt)), finding(solution), _heading(heading, fmt) + "\n" + _grid(rows, headers, fmt)]
    return "\n\n".join(parts) + "\n"


def no_solution(solution: Solution) -> str:
    """One line for stderr when no value in the search changes the verdict."""
    problem = solution.problem
    what = "meets" if solution.status == "never_met" else "misses"
    if solution.flat and solution.given:
        return (f"no solution: {problem.target.name} does not move with {problem.path} from {_searched(solution)} (the "
                f"same margin at every value); search a wider range with --between, or vary a number it depends on")
    if solution.flat:
        return (f"no solution: {problem.target.name} does not depend on {problem.path} (the same margin at every value "
                f"from {_searched(solution)}); vary a number it depends on")
    return (f"no solution: no value of {problem.path} from {_searched(solution)} {what} {problem.target.name}; "
            f"--between LO HI searches elsewhere")
