"""Report formats of ``kikcalc calibrate`` and ``kikcalc followup``: tables laid out, no model number computed."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from kikcalc import locale as loc
from kikcalc.calibration import Fit
from kikcalc.followup import FollowUp
from kikcalc.observed import Observations
from kikcalc.report import CSV_FORMATS, _csv, _grid, _heading, _line, _title, kroner, persons, to_json, workbook
from kikcalc.spec import Scenario


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
    return pd.DataFrame(rows)


def holdout_frame(fit: Fit, observations: Observations) -> pd.DataFrame:
    h = fit.holdout
    rows = []
    for k, i in enumerate(h["held"]):
        rows.append({"observation": observations.items[i].label, "observed": fit.observed[i], "model": fit.after[i],
                     "model_low_90": h["interval"][k, 0], "model_high_90": h["interval"][k, 1],
                     **{name.replace(" ", "_"): forecast[k] for name, forecast in h["naive"].items()}})
    return pd.DataFrame(rows)


def calibrate_document(scenario: Scenario, strategy: str, observations: Observations, fit: Fit, fmt: str,
                       written: str | None = None, not_written: str | None = None) -> str | bytes:
    """The report of a fit; ``written`` names the scenario ``--write`` wrote, ``not_written`` says why it wrote none."""
    fitted, residuals = fitted_frame(fit), residual_frame(fit, observations)
    if fmt == "json":
        document: dict[str, Any] = {
            "scenario": {"name": scenario.name, "file": scenario.path}, "strategy": strategy,
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
        return workbook(sheets, notes=fit.warnings)
    title = f"{scenario.name}: calibration of {strategy}"
    parts = [_title(title, fmt) + "\n"
             + _line(f"{int(fit.used.sum())} observations ({observations.source or 'as given'}); least squares in each "
               f"observation's own measure; {len(fit.fitted)} number{'s' if len(fit.fitted) != 1 else ''} fitted", fmt)]
    if fit.warnings:
        parts.append("\n".join(f"WARNING: {w}" for w in fit.warnings))
    rows = [[f.label, _number(f.start), _number(fit.estimate[i]), _number(fit.standard_error[i]),
             "" if math.isnan(fit.interval[i, 0]) else f"{_number(fit.interval[i, 0])} to {_number(fit.interval[i, 1])}"]
            for i, f in enumerate(fit.fitted)]
    parts.append(_heading("Fitted numbers", fmt) + "\n"
                 + _grid(rows, ["key path", "in the file", "fitted", "std. error", "approx. 95 % interval"], fmt))
    rows = [[o.label, persons(fit.observed[i]), persons(fit.before[i]), persons(fit.after[i]),
             _signed(fit.residual[i]) + ("" if fit.used[i] else " (held out)")] for i, o in enumerate(observations.items)]
    mape = "" if math.isnan(fit.mape) else f", mean absolute percentage error {fit.mape:.1%}"
    parts.append(_heading("Observations", fmt) + "\n"
                 + _grid(rows, ["observation", "observed", "model (file)", "model (fitted)", "residual"], fmt)
                 + f"\nRoot mean square error {fit.rmse:,.1f}{mape} (fitted observations)")
    if len(fit.fitted) > 1:
        rows = [[f.label, *(_number(fit.correlation[i, j]) for j in range(len(fit.fitted)))] for i, f in enumerate(fit.fitted)]
        parts.append(_heading("Correlation of the fitted numbers", fmt) + "\n"
                     + _grid(rows, ["", *(str(j + 1) for j in range(len(fit.fitted)))], fmt))
    if fit.holdout:
        h = fit.holdout
        frame = holdout_frame(fit, observations)
        rows = [[r.observation, persons(r.observed), persons(r.model),
                 "none (see the warnings)" if math.isnan(r.model_low_90) else f"{persons(r.model_low_90)} to {persons(r.model_high_90)}",
                 persons(r.last_value), persons(r.straight_line), persons(r.drift)] for r in frame.itertuples()]
        skill = ", ".join(f"{name} {value:.2f}" for name, value in h["skill"].items() if not math.isnan(value))
        verdict = (f"The model does NOT forecast better than: {', '.join(h['not_better_than'])}."
                   if h["not_better_than"] else "The model forecasts better than every naive forecast available.")
        parts.append(_heading(f"Backtest: the last {len(h['held'])} observations held out", fmt) + "\n"
                     + _grid(rows, ["observation", "observed", "model", "model 90 % interval", "last value", "straight line",
                                    "drift"], fmt)
                     + f"\nMean absolute error: model {h['mae']['model']:,.1f}; skill (model error / naive error, below 1 is "
                       f"better): {skill or 'no naive forecast available'}\n{verdict}")
    if written:
        caveats = ("" if not fit.warnings else "; its first lines carry the warning above as a caveat" if len(fit.warnings) == 1
                   else f"; its first lines carry the {len(fit.warnings)} warnings above as caveats")
        parts.append(f"Wrote {written} with the fitted numbers (the input file is unchanged){caveats}.")
    if not_written:
        parts.append(not_written[0].upper() + not_written[1:] + ".")
    return "\n\n".join(parts) + "\n"


# --- followup ----------------------------------------------------------------------------------------


def followup_frame(result: FollowUp) -> pd.DataFrame:
    return pd.DataFrame([{"observation": line.label, "states": "+".join(line.states), "measure": line.measure,
                          "period": line.period, "projected": line.projected, "observed": line.observed,
                          "difference": line.difference, "ahead": line.ahead, "difference_kr": line.kroner,
                          "kr_unit": line.kroner_unit} for line in result.lines])


def _ahead_word(ahead: bool | None) -> str:
    return loc.phrase("on plan" if ahead is None else "ahead" if ahead else "BEHIND")


def followup_document(scenario: Scenario, result: FollowUp, observations: Observations, fmt: str) -> str | bytes:
    frame = followup_frame(result)
    if fmt == "json":
        return to_json({"scenario": {"name": scenario.name, "file": scenario.path}, "strategy": result.strategy,
                        "source": observations.source, "lines": frame.to_dict(orient="records"),
                        "splits": [{"states": list(s.states), "period": s.period, "more_entrants": s.more_entrants,
                                    "more_exits": s.more_exits} for s in result.splits],
                        "split_needs_flow_data": result.missing_split,
                        "passed_through": [{"states": list(p.states), "until": scenario.calendar.labels[min(p.until, len(
                            scenario.calendar.labels) - 1)], "persons": p.persons, "status": p.status} for p in result.passed]})
    if fmt in CSV_FORMATS:
        return _csv(frame, fmt)
    if fmt == "xlsx":
        return workbook({"followup": frame}, notes=[f"strategy {result.strategy}", observations.source])
    title = loc.phrase("{name}: follow-up of {strategy} against the plan", name=scenario.name, strategy=result.strategy)
    parts = [_title(title, fmt) + "\n"
             + _line(f"{len(observations)} observations ({observations.source or 'as given'}); projection: the scenario's "
               f"strategy {result.strategy}; ahead = fewer persons on benefit (or more self-supporting) than planned", fmt)]
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
    if result.missing_split:
        parts.append(f"Splitting the gap into more or fewer entrants than assumed and faster or slower exits needs flow data "
                     f"(observed entrants and exits): none for {', '.join(result.missing_split)}.")
    for p in result.passed:
        labels = scenario.calendar.labels
        until = f"the start of {labels[p.until]}" if p.until < len(labels) else f"the end of {labels[-1]}"
        shares = ", ".join(f"{share:.0%} {name}" for name, share in p.status.items())
        parts.append(f"Passed through {'+'.join(p.states)} from the start to {until} in the plan: {p.persons:,.0f} persons; "
                     f"their status then: {shares} (a person who returns counts again).")
    return "\n\n".join(parts) + "\n"
