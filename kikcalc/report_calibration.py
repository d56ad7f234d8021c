"""Report formats of ``kikcalc calibrate`` and ``kikcalc followup``: tables laid out, no model number computed."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from kikcalc import locale as loc
from kikcalc.calibration import Fit
from kikcalc.followup import FollowUp
from kikcalc.formats._text import price_line
from kikcalc.observed import Observations
from kikcalc.report import CSV_FORMATS, _csv, _grid, _heading, _line, _title, kroner, persons, to_json, workbook
from kikcalc.spec import Scenario
from kikcalc.tables import _units, set_lines, set_notes, set_records


def _number(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return loc.significant(value) if abs(value) < 1000 else loc.number(value, 1, loc.current())


def _signed(value: float) -> str:
    return "" if value is None or math.isnan(value) else loc.signed(value, 1, loc.current())


# --- calibrate ---------------------------------------------------------------------------------------


def fitted_frame(fit: Fit) -> pd.DataFrame:
    return pd.DataFrame([{"key_path": f.path, "factor": f.scale, "in_file": f.start, "fitted": fit.estimate[i],
                          "standard_error": fit.standard_error[i], "low_95": fit.interval[i, 0], "high_95": fit.interval[i, 1]}
                         for i, f in enumerate(fit.fitted)])


def residual_frame(fit: Fit, observations: Observations) -> pd.DataFrame:
    rows = []
    for i, o in enumerate(observations.items):
        rows.append({"observation": o.label, "where": o.where, "used": bool(fit.used[i]), "observed": fit.observed[i],
                     "model_before": fit.before[i], "model_fitted": fit.after[i], "residual": fit.residual[i]})
    return _units(pd.DataFrame(rows), dict.fromkeys(["observed", "model_before", "model_fitted", "residual"], "persons"))


def holdout_frame(fit: Fit, observations: Observations) -> pd.DataFrame:
    h = fit.holdout
    rows = []
    for k, i in enumerate(h["held"]):
        rows.append({"observation": observations.items[i].label, "observed": fit.observed[i], "model": fit.after[i],
                     "model_low_90": h["interval"][k, 0], "model_high_90": h["interval"][k, 1],
                     **{name.replace(" ", "_"): forecast[k] for name, forecast in h["naive"].items()}})
    frame = pd.DataFrame(rows)
    return _units(frame, {column: "persons" for column in frame.columns if column != "observation"})


def _fit_header(scenario: Scenario, observations: Observations, fit: Fit) -> list[str]:
    """The lines under a fit's title: what was fitted to what, each value set with ``--set``."""
    used, fitted = int(fit.used.sum()), len(fit.fitted)
    return [f"{used} observation{'s' if used != 1 else ''} ({observations.source or 'as given'}); least squares in each "
            f"observation's own measure; {fitted} number{'s' if fitted != 1 else ''} fitted",
            *(f"Set: {line}" for line in set_lines(scenario))]


def _fit_summary(fit: Fit) -> str:
    here = loc.current()  # the numbers in a sentence as in the tables: 20,1 and 1,8 % with --locale da
    mape = "" if math.isnan(fit.mape) else f", mean absolute percentage error {loc.share(fit.mape, here, 1)}"
    return f"Root mean square error {loc.number(fit.rmse, 1, here)}{mape} (fitted observations)"


def _holdout_summary(fit: Fit) -> list[str]:
    """The backtest's mean absolute errors and skill, and its verdict in words."""
    h, here = fit.holdout, loc.current()
    skill = ", ".join(f"{name} {loc.number(value, 2, here)}" for name, value in h["skill"].items() if not math.isnan(value))
    verdict = (f"The model does NOT forecast better than: {', '.join(h['not_better_than'])}." if h["not_better_than"]
               else "The model forecasts better than every naive forecast available." if skill
               else "No naive forecast to compare with: one needs earlier observations of the same states and measure "
                    "among those fitted, so this backtest says nothing of the model's skill.")
    return [f"Mean absolute error: model {loc.number(h['mae']['model'], 1, here)}; skill (model error / naive error, below 1 is "
            f"better): {skill or 'no naive forecast available'}", verdict]


def _write_lines(fit: Fit, written: str | None, not_written: str | None) -> list[str]:
    """What ``--write`` did."""
    lines = []
    if written:
        caveats = ("" if not fit.warnings else "; its first lines carry the warning above as a caveat" if len(fit.warnings) == 1
                   else f"; its first lines carry the {len(fit.warnings)} warnings above as caveats")
        lines.append(f"Wrote {written} with the fitted numbers (the input file is unchanged){caveats}.")
    if not_written:
        lines.append(not_written[0].upper() + not_written[1:] + ".")
    return lines


def calibrate_notes(scenario: Scenario, observations: Observations, fit: Fit, written: str | None = None,
                    not_written: str | None = None) -> list[str]:
    """The lines a text report writes around its tables, for a CSV (on standard error) and a workbook's notes sheet,
    which hold the tables only: the counts, the values set, the warnings, the fit's errors, the backtest's verdict and
    what --write did. A CSV's reader is told a fit is not identified as a terminal's is."""
    header = _fit_header(scenario, observations, fit)
    return [header[0], *set_notes(scenario), *(f"WARNING: {w}" for w in fit.warnings), _fit_summary(fit),
            *(_holdout_summary(fit) if fit.holdout else []), *_write_lines(fit, written, not_written)]


def calibrate_document(scenario: Scenario, strategy: str, observations: Observations, fit: Fit, fmt: str,
                       written: str | None = None, not_written: str | None = None) -> str | bytes:
    """The report of a fit; ``written`` names the scenario ``--write`` wrote, ``not_written`` says why it wrote none."""
    fitted, residuals = fitted_frame(fit), residual_frame(fit, observations)
    if fmt == "json":
        document: dict[str, Any] = {
            "scenario": {"name": scenario.name, "file": scenario.path}, "strategy": strategy, "set": set_records(scenario),
            "observations": {"count": len(observations), "used": int(fit.used.sum()), "source": observations.source},
            "fitted": fitted.to_dict(orient="records"), "rmse": fit.rmse, "mape": fit.mape,
            "correlation": fit.correlation.tolist(), "warnings": fit.warnings, "converged": fit.converged,
            "identified": fit.identified,
            "residuals": residuals.to_dict(orient="records")}
        if fit.holdout:
            document["holdout"] = {"forecasts": holdout_frame(fit, observations).to_dict(orient="records"),
                                   "mean_absolute_error": fit.holdout["mae"], "skill": fit.holdout["skill"],
                                   "not_better_than": fit.holdout["not_better_than"]}
        if written or not_written:
            document["written"] = written
            document["not_written"] = not_written
        return to_json(document)
    if fmt in CSV_FORMATS:
        return _csv(fitted, fmt)
    if fmt == "xlsx":
        sheets = {"fitted": fitted, "residuals": residuals}
        if fit.holdout:
            sheets["holdout"] = holdout_frame(fit, observations)
        return workbook(sheets, notes=calibrate_notes(scenario, observations, fit, written, not_written))
    title = f"{scenario.name}: calibration of {strategy}"
    parts = [_title(title, fmt) + "\n" + "\n".join(_line(words, fmt) for words in _fit_header(scenario, observations, fit))]
    if fit.warnings:
        parts.append("\n".join(f"WARNING: {w}" for w in fit.warnings))
    set_here = {path for path, _, _ in scenario.overrides}  # a number set with --set: its column says so (Set: line)
    rows = [[f.label, _number(f.start) + (" (set)" if f.path in set_here else ""), _number(fit.estimate[i]),
             _number(fit.standard_error[i]),
             "" if math.isnan(fit.interval[i, 0]) else f"{_number(fit.interval[i, 0])} to {_number(fit.interval[i, 1])}"]
            for i, f in enumerate(fit.fitted)]
    parts.append(_heading("Fitted numbers", fmt) + "\n"
                 + _grid(rows, ["key path", "in the file", "fitted", "std. error", "approx. 95 % interval"], fmt))
    rows = [[o.label, persons(fit.observed[i]), persons(fit.before[i]), persons(fit.after[i]),
             _signed(fit.residual[i]) + ("" if fit.used[i] else " (held out)")] for i, o in enumerate(observations.items)]
    parts.append(_heading("Observations", fmt) + "\n"
                 + _grid(rows, ["observation", "observed", "model (file)", "model (fitted)", "residual"], fmt)
                 + "\n" + _fit_summary(fit))
    if len(fit.fitted) > 1:
        rows = [[f.label, *(_number(fit.correlation[i, j]) for j in range(len(fit.fitted)))] for i, f in enumerate(fit.fitted)]
        parts.append(_heading("Correlation of the fitted numbers", fmt) + "\n"
                     + _grid(rows, ["", *(str(j + 1) for j in range(len(fit.fitted)))], fmt))
    if fit.holdout:
        frame = holdout_frame(fit, observations)
        rows = [[r.observation, persons(r.observed), persons(r.model),
                 "none (see the warnings)" if math.isnan(r.model_low_90) else f"{persons(r.model_low_90)} to {persons(r.model_high_90)}",
                 persons(r.last_value), persons(r.straight_line), persons(r.drift)] for r in frame.itertuples()]
        held = len(fit.holdout["held"])
        parts.append(_heading(f"Backtest: the last {held} observation{'s' if held != 1 else ''} held out", fmt) + "\n"
                     + _grid(rows, ["observation", "observed", "model", "model 90 % interval", "last value", "straight line",
                                    "drift"], fmt)
                     + "\n" + "\n".join(_holdout_summary(fit)))
    parts.extend(_write_lines(fit, written, not_written))
    return "\n\n".join(parts) + "\n"


# --- followup ----------------------------------------------------------------------------------------


def followup_frame(result: FollowUp) -> pd.DataFrame:
    frame = pd.DataFrame([{"observation": line.label, "states": "+".join(line.states), "measure": line.measure,
                          "period": line.period, "projected": line.projected, "observed": line.observed,
                          "difference": line.difference, "ahead": line.ahead, "difference_kr": line.kroner,
                          "kr_unit": line.kroner_unit} for line in result.lines])
    return _units(frame, {**dict.fromkeys(["projected", "observed", "difference"], "persons"), "difference_kr": "kr."})


def _ahead_word(ahead: bool | None) -> str:
    return loc.phrase("on plan" if ahead is None else "ahead" if ahead else "BEHIND")


def splits_frame(result: FollowUp) -> pd.DataFrame:
    """The gaps split into entrants and exits (the text's "The gap split into entrants and exits", JSON's ``splits``)."""
    frame = pd.DataFrame([{"states": "+".join(s.states), "period": s.period, "more_entrants": s.more_entrants,
                          "more_exits": s.more_exits, "net": s.net} for s in result.splits],
                        columns=["states", "period", "more_entrants", "more_exits", "net"])
    return _units(frame, dict.fromkeys(["more_entrants", "more_exits", "net"], "persons"))


def _followup_header(scenario: Scenario, result: FollowUp, observations: Observations) -> list[str]:
    """The lines under a follow-up's title: what is set against what, each value set with ``--set``."""
    count = len(observations)
    return [f"{count} observation{'s' if count != 1 else ''} ({observations.source or 'as given'}); projection: the "
            f"scenario's strategy {result.strategy}; ahead = fewer persons on benefit (or more self-supporting) than planned",
            *([price_line(scenario)] if scenario.prices is not None else []),  # --prices: which kroner the costs are in
            *(f"Set: {line}" for line in set_lines(scenario))]


def _followup_sentences(scenario: Scenario, result: FollowUp) -> list[str]:
    """The sentences under a follow-up's tables: where the gap cannot be split, and who passed through."""
    lines = []
    if result.missing_split:
        lines.append(f"Splitting the gap into more or fewer entrants than assumed and faster or slower exits needs flow data "
                     f"(observed entrants and exits): none for {', '.join(result.missing_split)}.")
    labels = scenario.calendar.labels
    for p in result.passed:
        until = f"the start of {labels[p.until]}" if p.until < len(labels) else f"the end of {labels[-1]}"
        shares = ", ".join(f"{loc.share(share, loc.current(), 0)} {name}" for name, share in p.status.items())
        lines.append(f"Passed through {'+'.join(p.states)} from the start to {until} in the plan: "
                     f"{loc.number(p.persons, 0, loc.current())} persons; "
                     f"their status then: {shares} (a person who returns counts again).")
    return lines


def followup_notes(scenario: Scenario, result: FollowUp, observations: Observations) -> list[str]:
    """The lines a text report writes around its table, for a CSV (on standard error) and a workbook's notes sheet,
    which hold the table only: the counts, the values set, each gap split into entrants and exits (a workbook has
    them on a sheet of their own too), where it cannot be split, and who passed through."""
    splits = [f"The gap in {'+'.join(s.states)} over {s.period}: {_signed(s.more_entrants)} from more entrants, "
              f"{_signed(-s.more_exits)} from more exits, net {_signed(s.net)}" for s in result.splits]
    header = [line for line in _followup_header(scenario, result, observations) if not line.startswith("Set: ")]
    return [*header, *set_notes(scenario), *splits,
            *_followup_sentences(scenario, result)]


def followup_document(scenario: Scenario, result: FollowUp, observations: Observations, fmt: str) -> str | bytes:
    frame = followup_frame(result)
    if fmt == "json":
        return to_json({"scenario": {"name": scenario.name, "file": scenario.path}, "strategy": result.strategy,
                        "set": set_records(scenario),
                        "source": observations.source, "lines": frame.to_dict(orient="records"),
                        "splits": [{"states": list(s.states), "period": s.period, "more_entrants": s.more_entrants,
                                    "more_exits": s.more_exits} for s in result.splits],
                        "split_needs_flow_data": result.missing_split,
                        "passed_through": [{"states": list(p.states), "until": scenario.calendar.labels[min(p.until, len(
                            scenario.calendar.labels) - 1)], "persons": p.persons, "status": p.status} for p in result.passed]})
    if fmt in CSV_FORMATS:
        return _csv(frame, fmt)
    if fmt == "xlsx":
        sheets = {"followup": frame, **({"splits": splits_frame(result)} if result.splits else {})}
        return workbook(sheets, notes=followup_notes(scenario, result, observations))
    title = loc.phrase("{name}: follow-up of {strategy} against the plan", name=scenario.name, strategy=result.strategy)
    parts = [_title(title, fmt) + "\n" + "\n".join(_line(words, fmt) for words in _followup_header(scenario, result, observations))]
    rows = []
    for line in result.lines:
        money = "" if math.isnan(line.kroner) else f"{kroner(line.kroner)} {loc.phrase(line.kroner_unit)}"
        rows.append([line.label, persons(line.projected), persons(line.observed), _signed(line.difference),
                     "" if line.measure == "passed_through" else _ahead_word(line.ahead), money])
    parts.append(_grid(rows, [*map(loc.phrase, ["observation", "plan", "observed", "difference"]), "",
                              loc.phrase("net cost of the difference")], fmt))
    if result.splits:
        rows = [["+".join(s.states), s.period, _signed(s.more_entrants), _signed(-s.more_exits), _signed(s.net)] for s in result.splits]
        parts.append(_heading(loc.phrase("The gap split into entrants and exits"), fmt) + "\n"
                     + _grid(rows, list(map(loc.phrase, ["states", "period", "from more entrants", "from more exits", "net"])), fmt))
    parts.extend(_followup_sentences(scenario, result))
    return "\n\n".join(parts) + "\n"
