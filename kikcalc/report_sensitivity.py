"""Report formats of ``kikcalc sensitivity`` and ``kikcalc tornado``: the summaries laid out, no model number computed.

The JSON of ``sensitivity`` is a stable schema (docs/output-columns.md): ``draws``, ``seed``,
``sampler``, ``draws_used``, ``excluded``, ``uncertain``, ``strategies`` (each with ``npv``,
``net_saving``, ``net_saving_total``, ``payback_month`` and the probabilities) and ``targets``
(each with ``value`` and ``probability_met``). Months are given as ``YYYY-MM`` labels.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kikcalc import locale as loc
from kikcalc.formats._text import price_line
from kikcalc.report import CSV_FORMATS, _csv, _grid, _heading, _title, kroner, persons, to_json, workbook
from kikcalc.sensitivity import Bar, Run
from kikcalc.spec import Scenario
from kikcalc.tables import set_lines, set_notes, set_records

PROBABILITIES = (("payback_probability", "P(pays back within the horizon)"),
                 ("npv_positive_probability", "P(NPV > 0)"),
                 ("beats_baseline_probability", "P(saves money over the horizon)"))


def _label(scenario: Scenario, month: int | None) -> str | None:
    return None if month is None else scenario.calendar.labels[month]


def _labelled(scenario: Scenario, summary: dict) -> dict:
    """The summary with model months as YYYY-MM labels: what the JSON and the tables show."""
    out = dict(summary)
    out["strategies"] = []
    for entry in summary["strategies"]:
        entry = dict(entry)
        if "payback_month" in entry:
            entry["payback_month"] = {k: _label(scenario, v) for k, v in entry["payback_month"].items()}
        out["strategies"].append(entry)
    out["targets"] = []
    for entry in summary["targets"]:
        entry = dict(entry)
        if entry["kind"] == "payback":
            entry["value"] = {k: _label(scenario, v) for k, v in entry["value"].items()}
        out["targets"].append(entry)
    return out


def frame(scenario: Scenario, summary: dict) -> pd.DataFrame:
    """The summary as one long table: strategy, measure, period, unit, mean, p5, p50, p95, probability."""
    rows: list[dict[str, Any]] = []
    labelled = _labelled(scenario, summary)

    def add(strategy: str, measure: str, period: str, unit: str, stats: dict | None = None, probability=None) -> None:
        stats = stats or {}
        rows.append({"strategy": strategy, "measure": measure, "period": period, "unit": unit, "mean": stats.get("mean"),
                     "p5": stats.get("p5"), "p50": stats.get("p50"), "p95": stats.get("p95"), "probability": probability})

    for entry in labelled["strategies"]:
        if entry["baseline"]:
            continue
        name = entry["name"]
        add(name, "NPV of the net saving", "horizon", "kr.", entry["npv"])
        for year, stats in entry["net_saving"].items():
            add(name, "Net saving vs baseline", year, "kr.", stats)
        add(name, "Net saving vs baseline", "horizon", "kr.", entry["net_saving_total"])
        add(name, "Payback month", "horizon", "month", entry["payback_month"])
        for key, text in PROBABILITIES:
            add(name, text, "horizon", "probability", probability=entry[key])
    for entry in labelled["targets"]:
        add(entry["strategy"], f"Target {entry['name']}: {entry['label']}", "", entry["unit"], entry["value"],
            probability=entry["probability_met"])
    return pd.DataFrame(rows, columns=["strategy", "measure", "period", "unit", "mean", "p5", "p50", "p95", "probability"])


def _cell(value: Any, unit: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "none" if unit == "month" else ""
    if unit == "month":
        return loc.month_text(value, loc.current())
    if unit == "kr.":
        return kroner(value)
    if unit == "share":
        return loc.share(value, loc.current())
    return persons(value)


def _percent(p: float | None) -> str:
    return "" if p is None else loc.share(p, loc.current())


def header_lines(run: Run, fmt: str) -> list[str]:
    s, summary = run.scenario, run.summary
    lines = [_title(f"{s.name}: {loc.phrase('sensitivity')}", fmt),
             f"{summary['draws']:,} draw{'' if summary['draws'] == 1 else 's'} ({run.sampler} sampler, seed {run.seed}, {run.workers}) of "
             f"{len(run.uncertainty)} uncertain number{'' if len(run.uncertainty) == 1 else 's'}; "
             f"percentiles over the draws, P = share of draws",
             *([price_line(s)] if s.prices is not None else [])]  # --prices: which kroner the money is in
    draws = summary["draws"]
    if run.sampler == "sobol" and draws & (draws - 1):
        lines.append(f"Note: {draws:,} draws is not a power of 2, so the Sobol sequence's even spread is not kept "
                     f"(1,024, 2,048, 4,096, ... keep it)")
    excluded = summary["excluded"]
    if excluded["draws"]:
        by_path = ", ".join(f"{p} ({n:,})" for p, n in excluded["by_key_path"].items()) or "no uncertain number acts there"
        by_state = ", ".join(f"{state} ({n:,})" for state, n in excluded["by_state"].items())
        lines.append(f"Excluded: {excluded['draws']:,} draws that break the model's rules (a rate outside its domain, "
                     f"leaving a state above a probability of 1, or a negative inflow) "
                     f"(by state: {by_state}; by uncertain number acting there: {by_path}); summaries are over the "
                     f"other {summary['draws_used']:,}")
    lines.extend(f"Set: {line}" for line in set_lines(s))
    return lines


def document(run: Run, fmt: str) -> str | bytes:
    """The ``kikcalc sensitivity`` report in one of the formats (bytes for xlsx)."""
    s = run.scenario
    if fmt == "json":
        labelled = _labelled(s, run.summary)
        return to_json({"scenario": {"name": s.name, "file": s.path}, "workers": run.workers,
                        "set": set_records(s), **labelled})
    table = frame(s, run.summary)
    if fmt in CSV_FORMATS:
        return _csv(table, fmt)
    if fmt == "xlsx":
        uncertain = pd.DataFrame(run.summary["uncertain"])
        notes = [line for line in header_lines(run, "table")[1:] if not line.startswith("Set: ")]  # the values set as
        return workbook({"sensitivity": table, "uncertain numbers": uncertain}, notes=[*notes, *set_notes(s)])  # run's
    parts = ["\n".join(header_lines(run, fmt))]
    headers = ["", loc.phrase("mean"), "p5", "p50", "p95"]
    for entry in _labelled(s, run.summary)["strategies"]:
        if entry["baseline"]:
            continue
        rows = [[loc.phrase("NPV of the net saving, kr."), *(_cell(entry["npv"][k], "kr.") for k in ("mean", "p5", "p50", "p95"))]]
        for year, stats in entry["net_saving"].items():
            rows.append([loc.phrase("Net saving {year}, kr.", year=year), *(_cell(stats[k], "kr.") for k in ("mean", "p5", "p50", "p95"))])
        rows.append([loc.phrase("Net saving, horizon, kr."),
                     *(_cell(entry["net_saving_total"][k], "kr.") for k in ("mean", "p5", "p50", "p95"))])
        rows.append([loc.phrase("Payback month"), "", *(_cell(entry["payback_month"][k], "month") for k in ("p5", "p50", "p95"))])
        for key, text in PROBABILITIES:
            rows.append([loc.phrase(text), _percent(entry[key]), "", "", ""])
        heading = loc.phrase("Strategy {strategy} against {baseline}", strategy=entry["name"], baseline=s.strategy_names[0])
        parts.append(_heading(heading, fmt) + "\n" + _grid(rows, headers, fmt))
    targets = _labelled(s, run.summary)["targets"]
    if targets:
        rows = []
        for entry in targets:
            unit = entry["unit"]
            value = entry["value"]
            mean = "" if unit == "month" else _cell(value.get("mean"), unit)  # a mean month is no month
            rows.append([entry["name"], entry["strategy"], _percent(entry["probability_met"]), mean,
                         *(_cell(value.get(k), unit) for k in ("p5", "p50", "p95"))])
        parts.append(_heading(loc.phrase("Targets: probability met"), fmt) + "\n"
                     + _grid(rows, [*map(loc.phrase, ["target", "strategy", "P(met)", "mean"]), "p5", "p50", "p95"], fmt))
    return "\n\n".join(parts) + "\n"


# --- tornado ------------------------------------------------------------------------------------------


def tornado_frame(bars: list[Bar]) -> pd.DataFrame:
    return pd.DataFrame([{"rank": i + 1, "key_path": b.path, "scale": b.scale, "infeasible_low": b.infeasible_low,
                          "infeasible_high": b.infeasible_high, "low": b.low, "high": b.high, "metric_at_low": b.metric_low,
                          "metric_at_high": b.metric_high, "swing": b.swing} for i, b in enumerate(bars)],
                        columns=["rank", "key_path", "scale", "infeasible_low", "infeasible_high", "low", "high", "metric_at_low",
                                 "metric_at_high", "swing"])


def tornado_document(scenario: Scenario, strategy: str, metric: str, unit: str, base: float, bars: list[Bar],
                     fmt: str) -> str | bytes:
    """The ``kikcalc tornado`` table: each uncertain number at its low and high, ranked by swing."""
    table = tornado_frame(bars)
    if fmt == "json":
        return to_json({"scenario": {"name": scenario.name, "file": scenario.path}, "set": set_records(scenario),
                        "strategy": strategy, "metric": metric, "unit": unit, "base": base,
                        "bars": table.to_dict(orient="records")})
    if fmt in CSV_FORMATS:
        return _csv(table, fmt)
    if fmt == "xlsx":
        return workbook({"tornado": table}, notes=[f"{scenario.name}: {metric} of {strategy}, base {base!r} {unit}",
                                                   *set_notes(scenario)])
    def show(value: float) -> str:
        return _cell(value, unit)

    def end(value: float, scale: bool) -> str:
        return f"x {loc.significant(value, 4)}" if scale else loc.significant(value)

    def at(value: float, infeasible: bool) -> str:
        return "not run *" if infeasible else show(value)

    rows = [[str(i + 1), b.path, end(b.low, b.scale), end(b.high, b.scale), at(b.metric_low, b.infeasible_low),
             at(b.metric_high, b.infeasible_high), "" if b.infeasible_low or b.infeasible_high else show(b.swing)]
            for i, b in enumerate(bars)]
    title = loc.phrase("{name}: {metric} of {strategy} ({unit}), one number at a time", name=scenario.name, metric=metric,
                       strategy=strategy, unit=unit)
    head = _title(title, fmt) if fmt == "markdown" else title
    set_here = "".join(f"Set: {line}\n" for line in set_lines(scenario))
    if scenario.prices is not None and unit == "kr.":  # --prices: which kroner the metric is in
        set_here = f"{price_line(scenario)}\n{set_here}"
    but = ", but the values set" if any(path.split(".", 1)[0].split("[", 1)[0] not in ("uncertainty", "correlations")
                                        for path, _, _ in scenario.overrides) else ""
    footnotes = [*(["x: a factor that scales the whole number (scale = true)"] if any(b.scale for b in bars) else []),
                 *(["*: at this end leaving some state would exceed a probability of 1: the model cannot run it"]
                   if any(b.infeasible_low or b.infeasible_high for b in bars) else [])]
    # In Markdown a line right under a table is one more row of it, and lines in a row are one paragraph.
    apart = "\n\n" if fmt == "markdown" else "\n"
    return (f"{head}\n{set_here}Base case (every number as the file gives it{but}): {show(base)}\n\n"
            + _grid(rows, ["#", *map(loc.phrase, ["uncertain number", "low", "high", "at low", "at high", "swing"])], fmt) + "\n"
            + "".join(f"{apart[1:]}{note}\n" for note in footnotes))
